"""A load's memory is bounded by its largest ledger, not the county (issue 12): a large parsed
sheet waits in a temporary file between reading and planning, node batches are planned one label
at a time, and Kùzu reads a large COPY from a file so that it keeps no batch until the load ends.

The thresholds are lowered to 1 row here so that every sheet and every COPY of the mini county
takes those paths; the database, the errors and the rejects must be exactly those of the same load
held in memory. Kùzu only: the spill is the engine's and the file COPY the embedded store's; the
plan both stores write from is covered on both by the loader tests.
"""
from __future__ import annotations

import datetime as dt
import os

import pyarrow as pa
import pytest

from graph.config import open_store
from graph.model import BOOKKEEPING, MODEL
from ledgers import MINI, write_csvs
from loaders.engine import load, validate

# a missing reference, a bad date and a duplicate key: errors in three ledgers
BAD = dict(MINI, **{"住户": MINI["住户"] + "H1,和园小区1号楼1单元999,,,,,\n",
                    "包联": MINI["包联"].replace("2023/5/1", "2023/13/45")})


def _spill_everything(monkeypatch) -> None:
    monkeypatch.setenv("ORGNET_SPILL_ROWS", "1")
    monkeypatch.setenv("ORGNET_COPY_FILE_ROWS", "1")


def _dump(store) -> dict:
    """Every node and relationship of the data (not the bookkeeping) with its properties, but the
    load id (which differs between two loads of the same rows)."""
    out = {}
    for node in MODEL.nodes:
        if node.label in BOOKKEEPING:
            continue
        names = [p.name for p in node.all_props if p.name != "src_load"]
        cols = store.query_columns(f"MATCH (n:{node.label}) RETURN " + ", ".join(f"n.{p} AS {p}" for p in names))
        out[node.label] = sorted(map(repr, zip(*cols.values())))
    for rel in MODEL.rels:
        for a, b in rel.pairs:
            names = [p.name for p in rel.all_props if p.name != "src_load"]
            cols = store.query_columns(f"MATCH (a:{a})-[r:{rel.type}]->(b:{b}) RETURN a.id AS a, b.id AS b"
                                       + "".join(f", r.{p} AS {p}" for p in names))
            out[(rel.type, a, b)] = sorted(map(repr, zip(*cols.values())))
    return out


def _load_into(path, ledgers, tmp_path, **kw):
    store = open_store(str(path))
    store.create_schema()
    try:
        report = load(write_csvs(tmp_path / path.stem, ledgers), store, as_of=dt.date(2024, 6, 30),
                      rejects=tmp_path / f"{path.stem}-rejects.xlsx", **kw)
        return _dump(store), report
    finally:
        store.close()


def test_spilled_load_writes_exactly_what_the_load_in_memory_writes(tmp_path, monkeypatch):
    # --skip-invalid: the valid rows are written, the rejected ones go to the rejects file
    held, held_report = _load_into(tmp_path / "held.kuzu", BAD, tmp_path, skip_invalid=True)
    _spill_everything(monkeypatch)
    spilled, spilled_report = _load_into(tmp_path / "spilled.kuzu", BAD, tmp_path, skip_invalid=True)
    assert spilled == held and sum(map(len, held.values())) > 50
    assert spilled_report.written == held_report.written
    assert [e.as_dict() for e in spilled_report.errors] == [e.as_dict() for e in held_report.errors]

    from openpyxl import load_workbook

    def rows(p):
        return [[list(r) for r in ws.iter_rows(values_only=True)] for ws in load_workbook(p).worksheets]

    assert held_report.rejected and rows(spilled_report.rejects_file) == rows(held_report.rejects_file)


def test_a_large_sheet_waits_on_disk_and_reads_back_as_it_was(tmp_path, monkeypatch):
    paths = write_csvs(tmp_path, BAD)
    held = validate(paths)
    _spill_everything(monkeypatch)
    spilled = validate(paths)
    assert [e.as_dict() for e in spilled.errors] == [e.as_dict() for e in held.errors] and held.errors
    waiting = [sd for sd in spilled.sheets if sd._spilled is not None]
    assert waiting and all(sd.values == {} for sd in waiting)  # the values are not in memory
    assert [r.props for r in spilled.records()] == [r.props for r in held.records()]  # read back on demand
    assert all(sd._spilled is None for sd in spilled.sheets)


@pytest.mark.parametrize("through_file", [True, False], ids=["file", "arrow-parameter"])
def test_kuzu_keeps_no_batch_of_a_large_copy(kuzu_store, monkeypatch, through_file):
    """Kùzu 0.11.3 holds an Arrow parameter until the connection closes; a load's batches then all
    stayed in memory to its end. Through a file it holds nothing (the parameter case shows the test
    can tell the two apart)."""
    monkeypatch.setenv("ORGNET_COPY_FILE_ROWS", "1000" if through_file else str(10**9))
    n = 50_000
    columns = {"id": [f"H{i:06d}" for i in range(n)], "address": [f"和园小区{i}号楼1单元{i % 900 + 100}" for i in range(n)]}
    before = pa.total_allocated_bytes()
    with kuzu_store.transaction() as tx:
        assert tx.upsert_node_columns("Household", columns) == n
        tx.run("RETURN 1")  # the COPY into an empty table runs in the background until the next statement
        held = pa.total_allocated_bytes() - before
    assert kuzu_store.query("MATCH (h:Household) RETURN count(h) AS n")[0]["n"] == n
    if through_file:
        assert held < 256 << 10, held
    else:
        assert held > 1 << 20, held


def test_a_copy_folder_left_by_a_killed_load_is_removed_by_the_next_copy(kuzu_store, tmp_path, monkeypatch):
    """A ``kill -9`` during a large COPY leaves its temporary folder; the next COPY removes the
    folders whose process is gone and leaves a running process's folder alone."""
    import subprocess
    import sys

    from graph import kuzu_store as ks

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    left = tmp_path / f"orgnet-copy-{int(dead.stdout)}-x1" / "rows.parquet"
    left.parent.mkdir()
    left.write_bytes(b"PAR1")
    live = tmp_path / f"orgnet-copy-{os.getppid()}-x2"
    live.mkdir()
    other = tmp_path / "orgnet-copy-notapid"
    other.mkdir()
    monkeypatch.setenv("ORGNET_SPILL_DIR", str(tmp_path))
    monkeypatch.setenv("ORGNET_COPY_FILE_ROWS", "10")
    monkeypatch.setattr(ks, "_swept", set())
    with kuzu_store.transaction() as tx:
        assert tx.upsert_node_columns("Household", {"id": [f"H{i}" for i in range(20)]}) == 20
    assert not left.parent.exists() and live.exists() and other.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("orgnet-copy-")) == [live.name, other.name]
