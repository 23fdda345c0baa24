"""The loader's promises at every instant (issue 12, item 6): a kill at any point leaves the
database before or after the load and the load log agreeing with it; a full disk ends in a clear
message with nothing left behind; a damaged database file points to ``orgnet rebuild``; a
read-only data folder still serves reads; malformed ledgers never end in a traceback."""
from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

import loaders.archive as archive_mod
from graph.config import open_store
from graph.store import StoreError
from conftest import BACKENDS, shared_dataset
from ledgers import MINI, data_counts, write_csvs
from loaders.archive import LoadFailed, archived_loads, check_space, reconcile
from loaders.engine import LoadRefused, load, validate
from orgnet import cli

KILL_POINTS = ["nodes-written", "relationships-written", "before-commit", "committed"]


def _load_ids(store) -> set[str]:
    return {r["id"] for r in store.query("MATCH (l:Load) RETURN l.id AS id")}


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(point=st.sampled_from(KILL_POINTS))
def test_a_kill_at_any_point_leaves_before_or_after_and_the_log_agrees(tmp_path_factory, request, backend, point):
    # On Neo4j the load is written in batch transactions (a small batch forces several): a kill
    # leaves committed batches that the next open undoes (graph/neo4j_batches.py).
    tmp = tmp_path_factory.mktemp("kill")
    db, arch = tmp / "k.kuzu", tmp / "k.archive"
    env = {"ORGNET_NEO4J_BATCH_ROWS": "4"}
    if backend == "neo4j":
        env.update(request.getfixturevalue("neo4j_env"))
        with open_store(env=env) as s:
            s.clear()
        from conftest import _SLOT
        _SLOT.holds = None

    def opened():
        return open_store(env=env) if backend == "neo4j" else open_store(str(db))

    with opened() as s:
        s.create_schema()
        load(write_csvs(tmp / "a", {"街道乡镇": MINI["街道乡镇"], "社区": MINI["社区"]}), s, archive=arch)
        before = data_counts(s)
    paths = write_csvs(tmp / "b")
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from graph.config import open_store
        from loaders.engine import load
        def kill(stage):
            if stage == {point!r}:
                os.kill(os.getpid(), signal.SIGKILL)
        store = open_store() if os.environ.get("NEO4J_URI") else open_store({str(db)!r})
        load({[str(p) for p in paths]!r}, store, archive=Path({str(arch)!r}), _checkpoint=kill)
    """)
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          env={**child_env, **env, "PYTHONPATH": os.getcwd()})
    assert proc.returncode == -9, proc.stderr
    with opened() as s:
        notes = reconcile(s, arch)
        counts = data_counts(s)
        committed = point == "committed"
        if committed:
            assert counts != before and counts["Person"] == 3
            assert any("已补记" in n for n in notes)
        else:
            assert counts == before
            assert not notes or all("未提交" in n for n in notes)
        # the log lists exactly the loads the database holds
        assert {e["id"] for e in archived_loads(arch)} == _load_ids(s)
        assert not list((arch / "pending").glob("*"))
        # and the next load works on top of it
        load(write_csvs(tmp / "c"), s, archive=arch)
        assert {e["id"] for e in archived_loads(arch)} == _load_ids(s)


def _enospc_after(n_bytes: int):
    def copy(src, dst, *a, **k):
        with open(src, "rb") as f, open(dst, "wb") as g:
            g.write(f.read(n_bytes))
        raise OSError(errno.ENOSPC, "No space left on device")
    return copy


def test_disk_full_while_archiving_leaves_no_part_file_and_no_load(store, tmp_path, monkeypatch):
    arch = tmp_path / "arch"
    monkeypatch.setattr(archive_mod.shutil, "copyfile", _enospc_after(10))
    with pytest.raises(LoadFailed, match="磁盘已满"):
        load(write_csvs(tmp_path / "in"), store, archive=arch)
    assert [p.name for p in arch.rglob("*") if p.is_file()] == []
    assert data_counts(store) == {} and _load_ids(store) == set()


def test_disk_full_while_writing_the_pending_entry_rolls_back(store, tmp_path, monkeypatch):
    arch = tmp_path / "arch"
    real = os.fsync

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(archive_mod.os, "fsync", full)
    with pytest.raises(LoadFailed, match="磁盘已满"):
        load(write_csvs(tmp_path / "in"), store, archive=arch)
    monkeypatch.setattr(archive_mod.os, "fsync", real)
    assert data_counts(store) == {} and _load_ids(store) == set()
    assert not list((arch / "pending").glob("*")) and archived_loads(arch) == []


def test_a_disk_too_small_for_the_load_is_refused_before_writing(kuzu_store, tmp_path):  # the .kuzu file's disk
    paths = write_csvs(tmp_path / "in")
    with pytest.raises(LoadFailed, match="磁盘空间不足"):
        check_space(tmp_path / "x.kuzu", paths, free=lambda p: 1 << 20)
    check_space(tmp_path / "x.kuzu", paths, free=lambda p: 1 << 30)


def _mount_tmpfs(where: Path, size: str) -> bool:
    where.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True).returncode == 0


# Kùzu only: the database file sits on a small mounted filesystem that fills up.
def test_a_real_full_disk_ends_in_a_message_not_a_crash(tmp_path):
    mnt = tmp_path / "small"
    if not _mount_tmpfs(mnt, "3m"):
        pytest.skip("needs permission to mount a small tmpfs")
    try:
        big = {**MINI, "住户": "住户编号,门牌地址,所属单元编号\n" + "".join(
            f"H{i},和园小区1号楼1单元{i},U1\n" for i in range(1, 20000))}
        paths = write_csvs(tmp_path / "in", big)
        script = textwrap.dedent(f"""
            from pathlib import Path
            from graph.config import open_store
            from loaders.archive import LoadFailed
            from loaders.engine import load
            s = open_store({str(mnt / 'db.kuzu')!r}); s.create_schema()
            try:
                load({[str(p) for p in paths]!r}, s, archive=Path({str(mnt / 'arch')!r}))
            except LoadFailed as e:
                print("FAILED", e.message)
        """)
        proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                              env={**os.environ, "PYTHONPATH": os.getcwd()})
        assert proc.returncode == 0, proc.stderr
        assert "FAILED" in proc.stdout and "磁盘" in proc.stdout
        assert not [p for p in mnt.rglob("*.part")]
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


# Kùzu only: the rebuild writes a new database file beside the old one and swaps it in.
def test_a_failed_rebuild_leaves_nothing_behind(tmp_path, monkeypatch):
    db, arch = tmp_path / "r.kuzu", tmp_path / "r.archive"
    with open_store(str(db)) as s:
        s.create_schema()
        load(write_csvs(tmp_path / "in"), s, archive=arch)
        before = data_counts(s)

    import loaders.engine as engine

    def full(store, archive, progress=None, **_):  # rebuild also takes after_each (issue 15)
        store.upsert_nodes("Street", [{"id": "S9", "name": "半途街道"}])  # some work done, then:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(engine, "rebuild", full)
    result = CliRunner().invoke(cli, ["--db", str(db), "rebuild", "--yes"])
    assert result.exit_code == 1 and "磁盘已满" in result.output, result.output
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("r.kuzu")) == ["r.kuzu"]
    assert not (arch / "replay").exists()
    with open_store(str(db)) as s:
        assert data_counts(s) == before


# Kùzu only: a damaged database file.
def test_a_zero_length_database_file_is_not_an_empty_database(tmp_path):
    db = tmp_path / "zero.kuzu"
    db.write_bytes(b"")
    with pytest.raises(StoreError, match="rebuild"):
        open_store(str(db))
    assert db.stat().st_size == 0  # not turned into a new database
    result = CliRunner().invoke(cli, ["--db", str(db), "info"])
    assert result.exit_code == 1 and "orgnet --db" in result.output and "rebuild" in result.output


# Kùzu only: a damaged database file.
def test_a_corrupted_database_file_points_to_rebuild(tmp_path):
    db = tmp_path / "junk.kuzu"
    db.write_bytes(os.urandom(64 * 1024))
    with pytest.raises(StoreError, match="rebuild"):
        open_store(str(db))


# Kùzu only: file permissions of the data folder.
def test_a_read_only_data_folder_still_serves_reads(tmp_path, monkeypatch):
    db = tmp_path / "ro.kuzu"
    with open_store(str(db)) as s:
        s.create_schema()
        load(write_csvs(tmp_path / "in"), s)
    import graph.kuzu_store as ks

    real = ks.kuzu.Database

    def database(path, read_only=False, **k):
        if not read_only:
            raise RuntimeError(f"IO exception: Cannot open file {path}: Read-only file system")
        return real(path, read_only=True, **k)

    monkeypatch.setattr(ks.kuzu, "Database", database)
    with open_store(str(db)) as s:
        assert s.read_only
        assert data_counts(s)["Person"] == 3
        with pytest.raises(StoreError, match="read-only"):
            s.upsert_nodes("Street", [{"id": "S9", "name": "x"}])


# Kùzu only: file permissions of the data folder.
def test_a_really_read_only_mount_serves_reads(tmp_path):
    mnt = tmp_path / "ro"
    if not _mount_tmpfs(mnt, "64m"):
        pytest.skip("needs permission to mount a tmpfs")
    try:
        with open_store(str(mnt / "db.kuzu")) as s:
            s.create_schema()
            load(write_csvs(tmp_path / "in"), s)
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        result = CliRunner().invoke(cli, ["--db", str(mnt / "db.kuzu"), "info"])
        assert result.exit_code == 0, result.output
        assert "Person" in result.output or "人员" in result.output
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


# --- malformed ledgers: no traceback, no partial write ---------------------------------------------
CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "1e309", "-1e309", "nan", "inf", "99999999999999999999", "0", "-3", "2099-01-01",
                     "1850-1-1", "9999-12-31 23:59:59.9", "３.７", "3.70102198801011E+17", "=1+1", "\x07名",
                     "\ue000", "是", "否", "O1", "B1", "C1", "P1", "G1", "S1"]),
)


@pytest.fixture(scope="module", params=BACKENDS)
def _shared(request, tmp_path_factory):
    data = shared_dataset(request, request.param, "malformed", tmp_path_factory, lambda s, tmp: None)
    yield data
    data.close()


@pytest.fixture
def shared_store(_shared):
    """One database (of each store) takes every example; on Neo4j it starts empty again if another test
    wiped it meanwhile, which the test allows (it compares with the state before each example)."""
    return _shared.get()


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(ledger=st.sampled_from(["楼栋", "人员", "网格", "党组织", "住户", "小区"]),
       row=st.integers(min_value=0, max_value=2), column=st.integers(min_value=0, max_value=8), value=CELLS)
def test_malformed_cells_end_in_errors_or_a_whole_load(tmp_path_factory, shared_store, ledger, row, column, value):
    tmp = tmp_path_factory.mktemp("bad")
    lines = MINI[ledger].splitlines()
    header = lines[0].split(",")
    body = [line.split(",") for line in lines[1:]]
    r = body[min(row, len(body) - 1)]
    c = min(column, len(header) - 1)
    r[c] = '"' + value.replace('"', '""') + '"'
    ledgers = {**MINI, ledger: "\n".join([",".join(header)] + [",".join(x) for x in body]) + "\n"}
    paths = write_csvs(tmp, ledgers)
    v = validate(paths, shared_store)  # never raises
    for e in v.errors:
        assert e.code and e.file.endswith(".csv") and e.message
    # The same database takes every example: a refused load changes nothing, an accepted one
    # commits whole (one more Load, the mini county's people all there).
    before, loads_before = data_counts(shared_store), _load_ids(shared_store)
    try:
        load(paths, shared_store)
    except LoadRefused:
        assert data_counts(shared_store) == before and _load_ids(shared_store) == loads_before
    else:
        assert v.ok and len(_load_ids(shared_store)) == len(loads_before) + 1
        assert data_counts(shared_store)["Person"] >= 3
