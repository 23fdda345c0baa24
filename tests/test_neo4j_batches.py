"""Batched loads on the real Neo4j server keep all or nothing (``graph/neo4j_batches.py``).

Small batches are forced through ``ORGNET_NEO4J_BATCH_ROWS`` so that the mini county is written in
many batch transactions; then the loader is killed (``kill -9``) after several of them, or a batch
is refused by the server, or the load fails after its last batch, and the database is compared,
node by node and property by property, with its state before the load.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import graph.neo4j_batches as nb
from graph.config import open_store
from graph.store import QueryError
from ledgers import MINI, write_csvs
from loaders.archive import archived_loads, reconcile
from loaders.engine import load

ROOT = Path(__file__).resolve().parent.parent
BATCH = "3"  # rows per batch: the mini county takes about 20 batches


def canon(x):
    """A value as text, maps with their keys in order (Neo4j returns properties in any order)."""
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k!r}: {canon(v)}" for k, v in sorted(x.items())) + "}"
    if isinstance(x, (list, tuple)):
        return "[" + ", ".join(canon(v) for v in x) + "]"
    return repr(x)


def dump(store) -> tuple[list, list]:
    """Every node and relationship with every property, in a stable order (bookkeeping included)."""
    nodes = store.query("MATCH (n) RETURN labels(n) AS l, properties(n) AS p")
    rels = store.query("MATCH (a)-[r]->(b) RETURN type(r) AS t, a.id AS a, b.id AS b, properties(r) AS p")
    return sorted(nodes, key=canon), sorted(rels, key=canon)


def same(a, b) -> bool:
    """Two dumps are equal; else the rows that differ, to read in the failure."""
    ra, rb = [canon(x) for x in a[0] + a[1]], [canon(x) for x in b[0] + b[1]]
    assert sorted(ra) == sorted(rb), (sorted(set(ra) - set(rb))[:5], sorted(set(rb) - set(ra))[:5])
    return True


def undo_left(store) -> int:
    return store.query(f"MATCH (u) WHERE u:{nb.UNDO} OR u:{nb.BEFORE} OR u:{nb.MARKER} RETURN count(u) AS n")[0]["n"]


def without_load_ids(d):
    """A dump with what differs between two loads of the same rows (load ids, times) left out."""
    nodes, rels = d
    drop = ("src_load", "started_at", "finished_at", "seconds", "id")
    clean = lambda p: {k: v for k, v in p.items() if k not in drop}  # noqa: E731
    return (sorted(canon((n["l"], clean(n["p"]) if n["l"] == ["Load"] else
                          {k: v for k, v in n["p"].items() if k != "src_load"})) for n in nodes),
            sorted(canon((r["t"], r["a"], r["b"], {k: v for k, v in r["p"].items() if k != "src_load"})) for r in rels))


@pytest.fixture
def neo(request, monkeypatch):
    env = request.getfixturevalue("neo4j_env")
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("ORGNET_NEO4J_BATCH_ROWS", BATCH)
    s = open_store(env=env)
    s.clear()
    s.create_schema()
    from conftest import _SLOT
    _SLOT.holds = None
    yield s
    s.close()


CHANGED = {**MINI,
           "住户": MINI["住户"].replace("H2,和园小区2号楼1单元101", "H2,和园小区2号楼1单元102"),
           "包联": "人员编号,住户编号,包联类型,起始日期\nM1,H1,特殊群体,2023/5/1\n"}


def test_a_batched_load_writes_what_one_transaction_writes(neo, tmp_path, monkeypatch):
    report = load(write_csvs(tmp_path / "a"), neo)
    batched = dump(neo)
    assert undo_left(neo) == 0 and neo.load_in_progress() == []
    assert sum(report.written.values()) > 3 * int(BATCH)  # it did take several batches
    neo.clear()
    monkeypatch.setenv("ORGNET_NEO4J_BATCH_ROWS", "0")
    load(write_csvs(tmp_path / "b"), neo)
    one, many = without_load_ids(dump(neo)), without_load_ids(batched)
    assert one == many, (sorted(set(one[0] + one[1]) - set(many[0] + many[1]))[:4],
                         sorted(set(many[0] + many[1]) - set(one[0] + one[1]))[:4])


def _killed_load(env: dict, paths, archive: Path, kill_after: int, replace: bool = False,
                 hook: str = "after_batch", whole: bool = False) -> subprocess.CompletedProcess:
    """A load in a process of its own, killed after batch (or derived statement) ``kill_after``;
    ``whole``: every derived group recomputed for the whole county, as a city-sized re-load does."""
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        import graph.derived
        import graph.neo4j_batches as nb
        from graph.config import open_store
        from loaders.engine import load
        def after(n):
            if n == {kill_after}:
                os.kill(os.getpid(), signal.SIGKILL)
        nb.BatchedLoad.{hook} = staticmethod(after)
        if {whole!r}:
            graph.derived.KEYED_LIMIT = -1
        load({[str(p) for p in paths]!r}, open_store(), archive=Path({str(archive)!r}), replace={replace!r})
    """)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **env, "ORGNET_NEO4J_BATCH_ROWS": BATCH, "PYTHONPATH": str(ROOT)})


@pytest.mark.parametrize("kill_after", [1, 6, 14])
def test_a_kill_mid_load_is_undone_at_the_next_open_and_a_rerun_converges(neo, neo4j_env, tmp_path, kill_after):
    arch = tmp_path / "archive"
    load(write_csvs(tmp_path / "first", {"街道乡镇": MINI["街道乡镇"], "社区": MINI["社区"]}), neo, archive=arch)
    before = dump(neo)
    paths = write_csvs(tmp_path / "b")
    proc = _killed_load(neo4j_env, paths, arch, kill_after)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    # the killed load's batches are in the database, the marker says so
    assert [m["id"] for m in neo.load_in_progress()]
    with open_store(env=neo4j_env) as again:  # the next open undoes it before anything else
        assert len(again.recovered) == 1
        assert same(dump(again), before) and undo_left(again) == 0
        # the load log agrees: no Load node, no archived entry for the killed load
        reconcile(again, arch)
        assert {e["id"] for e in archived_loads(arch)} == {r["id"] for r in again.query("MATCH (l:Load) RETURN l.id AS id")}
        load(paths, again, archive=arch)
        converged = dump(again)
    neo.clear()
    load(write_csvs(tmp_path / "c", {"街道乡镇": MINI["街道乡镇"], "社区": MINI["社区"]}), neo)
    load(paths, neo)
    assert without_load_ids(dump(neo)) == without_load_ids(converged)


def test_a_replace_reload_killed_mid_way_restores_every_property(neo, neo4j_env, tmp_path):
    arch = tmp_path / "archive"
    load(write_csvs(tmp_path / "a"), neo, archive=arch)
    before = dump(neo)
    proc = _killed_load(neo4j_env, write_csvs(tmp_path / "b", CHANGED), arch, kill_after=2, replace=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    with open_store(env=neo4j_env) as again:
        assert same(dump(again), before) and undo_left(again) == 0
    # and run to the end, the same re-load changes what it should
    load(write_csvs(tmp_path / "c", CHANGED), neo, archive=arch, replace=True)
    assert neo.query("MATCH (h:Household {id: 'H2'}) RETURN h.address AS a")[0]["a"] == "和园小区2号楼1单元102"
    assert undo_left(neo) == 0


@pytest.mark.parametrize("whole, kill_after", [(False, 4), (True, 3)])
def test_a_kill_mid_derived_refresh_is_undone(neo, neo4j_env, tmp_path, whole, kill_after):
    """The derived refresh of a large load runs in batch transactions after the data batches: a
    kill in the middle of it leaves before-images of the derived values and the load's batches,
    and the next open undoes both. First load: most nodes are new; a re-load: the before-images of
    existing nodes' derived values are what restores them."""
    arch = tmp_path / "archive"
    if whole:
        load(write_csvs(tmp_path / "a"), neo, archive=arch)
        paths = write_csvs(tmp_path / "b", CHANGED)
    else:
        load(write_csvs(tmp_path / "a", {"街道乡镇": MINI["街道乡镇"], "社区": MINI["社区"]}), neo, archive=arch)
        paths = write_csvs(tmp_path / "b")
    before = dump(neo)
    proc = _killed_load(neo4j_env, paths, arch, kill_after, replace=whole, hook="after_derived", whole=whole)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    undo = neo.query(f"MATCH (u:{nb.UNDO}) RETURN u.op AS op, count(*) AS n")
    assert {r["op"]: r["n"] for r in undo}.get("derived", 0) >= (2 if whole else 0), undo
    assert neo.query("MATCH (l:Load) RETURN count(l) AS n")[0]["n"] == 1  # only the first load's
    with open_store(env=neo4j_env) as again:
        assert len(again.recovered) == 1
        assert same(dump(again), before) and undo_left(again) == 0
        load(paths, again, archive=arch, replace=whole)
        assert again.load_in_progress() == [] and undo_left(again) == 0


def test_a_batch_the_server_refuses_leaves_the_before_state(neo, tmp_path, monkeypatch):
    load(write_csvs(tmp_path / "a"), neo)
    before = dump(neo)
    real = nb.BatchedLoad._exec
    calls = {"n": 0}

    def refused_later(self, cypher, params=None):
        calls["n"] += 1
        if calls["n"] == 25:  # some batches in: the server refuses a statement
            return real(self, "RETURN 1 / $zero AS x", {"zero": 0})
        return real(self, cypher, params)

    monkeypatch.setattr(nb.BatchedLoad, "_exec", refused_later)
    with pytest.raises(QueryError, match="Neo4j refused"):
        load(write_csvs(tmp_path / "b", CHANGED), neo, replace=True)
    assert calls["n"] == 25  # refused there, nothing after
    assert same(dump(neo), before) and undo_left(neo) == 0 and neo.load_in_progress() == []


def test_readers_are_told_while_a_load_runs_and_a_live_load_is_not_undone(neo, neo4j_env, tmp_path, monkeypatch):
    seen = []

    def look(n):
        if n == 3:
            with open_store(env=neo4j_env) as other:  # another process opening the database meanwhile
                seen.append((other.recovered, [m["id"] for m in other.load_in_progress()]))

    monkeypatch.setattr(nb.BatchedLoad, "after_batch", staticmethod(look))
    monkeypatch.setenv("ORGNET_NEO4J_LOCK_WAIT", "0.5")
    report = load(write_csvs(tmp_path / "a"), neo)
    assert seen == [([], [report.load_id])]
    assert neo.load_in_progress() == [] and undo_left(neo) == 0
    assert neo.query("MATCH (p:Person) RETURN count(p) AS n")[0]["n"] == 3


def test_the_batch_setting_is_checked(monkeypatch):
    monkeypatch.setenv("ORGNET_NEO4J_BATCH_ROWS", "lots")
    with pytest.raises(Exception, match="ORGNET_NEO4J_BATCH_ROWS"):
        nb.batch_rows()
    monkeypatch.setenv("ORGNET_NEO4J_BATCH_ROWS", "0")
    assert nb.batch_rows() == 0
