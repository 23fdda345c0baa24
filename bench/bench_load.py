"""Loading a county-sized set of ledgers: rows/s, and the ratio to a raw Kùzu COPY of the same rows.

    python bench/bench_load.py [--scale 1] [--scale 10]

The raw baseline COPYs exactly the rows the loader writes (after validation, provenance included)
straight into empty tables of a fresh database — the fastest the engine can take them, with none
of the loader's safety (one transaction, staging + MERGE into tables that already hold data).
"reload" loads the same files again, so every row goes through staging + MERGE.
"""
from __future__ import annotations

import argparse
import shutil
import time

import pyarrow as pa

from _county import WORK, county
from graph.config import open_store
from graph.kuzu_store import _arrow_column
from graph.model import MODEL
from loaders.engine import _plan, load, validate


def raw_copy(node_batches, rel_batches) -> float:
    db = WORK / "raw.kuzu"
    shutil.rmtree(db, ignore_errors=True)
    db.unlink(missing_ok=True)
    store = open_store(str(db))
    store.create_schema()
    conn = store._conn()
    t0 = time.perf_counter()
    for label, rows in node_batches:
        node = MODEL.node(label)
        cols = list(rows[0])
        table = pa.table({c: _arrow_column(node.prop(c).type, [r[c] for r in rows], c) for c in cols})
        conn.execute(f"COPY {label}({', '.join(cols)}) FROM $t", {"t": table})
    for (t, a, b), rows in rel_batches:
        rel = MODEL.rel(t)
        # COPY into a relationship table takes every column of the table, in order
        table = pa.table({"from": [r["src"] for r in rows], "to": [r["dst"] for r in rows],
                          **{p.name: _arrow_column(p.type, [r.get(p.name) for r in rows], p.name) for p in rel.all_props}})
        conn.execute(f"COPY {t} FROM $t (from='{a}', to='{b}')", {"t": table})
    seconds = time.perf_counter() - t0
    store.close()
    return seconds


def run(scale: float) -> dict:
    paths = county(scale)
    db = WORK / f"load-x{scale:g}.kuzu"
    db.unlink(missing_ok=True)
    store = open_store(str(db))
    store.create_schema()
    t0 = time.perf_counter()
    v = validate(paths, store)
    t_validate = time.perf_counter() - t0
    node_batches, rel_batches = _plan(v, "bench")
    rows = sum(len(r) for _, r in node_batches) + sum(len(r) for _, r in rel_batches)
    t0 = time.perf_counter()
    load(paths, store)
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    load(paths, store)  # the same files again: every row goes through staging + MERGE
    t_reload = time.perf_counter() - t0
    store.close()
    t_raw = raw_copy(node_batches, rel_batches)
    t_write = t_load - t_validate
    return {"scale": scale, "rows": rows, "validate_s": t_validate, "load_s": t_load, "write_s": t_write,
            "reload_s": t_reload, "rewrite_ratio": (t_reload - t_validate) / t_raw,
            "raw_copy_s": t_raw, "rows_per_s": rows / t_load, "write_ratio": t_write / t_raw,
            "total_ratio": t_load / t_raw}


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, action="append")
    args = ap.parse_args()
    print("| county | rows | validate s | load s (incl. validate) | rows/s | raw COPY s | write ÷ COPY | load ÷ COPY "
          "| reload s | re-write ÷ COPY |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for scale in args.scale or [1.0]:
        r = run(scale)
        print(f"| 高青 ×{scale:g} | {r['rows']:,} | {r['validate_s']:.1f} | {r['load_s']:.1f} | {r['rows_per_s']:,.0f} | "
              f"{r['raw_copy_s']:.2f} | {r['write_ratio']:.1f} | {r['total_ratio']:.1f} | {r['reload_s']:.1f} | "
              f"{r['rewrite_ratio']:.1f} |")
