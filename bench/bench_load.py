"""Loading a county-sized set of ledgers: rows/s, and the ratio to a raw Kùzu COPY of the same rows.

    python bench/bench_load.py [--scale 1] [--scale 10]

The raw baseline COPYs exactly the rows the loader writes (after validation, provenance included)
straight into empty tables of a fresh database — the fastest the engine can take them, with none
of the loader's safety (one transaction, staging + MERGE into tables that already hold data).
"reload" loads the same files again: every row is compared with what the first load wrote, and
none is rewritten. CPU seconds (``time.process_time``, all threads) are printed beside wall time,
with the load average, because the machine may be shared. ``ORGNET_BENCH_DIR`` says where the
county and the databases go (default /tmp/orgnet-bench).
"""
from __future__ import annotations

import argparse
import os
import shutil
import time

import pyarrow as pa

from _county import WORK, county
from graph.config import open_store
from graph.kuzu_store import _arrow_column
from graph.model import MODEL
from loaders.engine import _plan, load, validate
from loaders.plan import size


def raw_copy(node_batches, rel_batches) -> float:
    db = WORK / "raw.kuzu"
    for p in db.parent.glob(db.name + "*"):
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    store = open_store(str(db))
    store.create_schema()
    conn = store._conn()
    t0, c0 = time.perf_counter(), time.process_time()
    for label, cols in node_batches:
        node = MODEL.node(label)
        table = pa.table({c: _arrow_column(node.prop(c).type, values, c) for c, values in cols.items()})
        conn.execute(f"COPY {label}({', '.join(cols)}) FROM $t", {"t": table})
    for (t, a, b), cols in rel_batches:
        rel = MODEL.rel(t)
        n = size(cols)
        # COPY into a relationship table takes every column of the table, in order
        table = pa.table({"from": cols["src"], "to": cols["dst"],
                          **{p.name: _arrow_column(p.type, cols.get(p.name, [None] * n), p.name) for p in rel.all_props}})
        conn.execute(f"COPY {t} FROM $t (from='{a}', to='{b}')", {"t": table})
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    store.close()
    return seconds, cpu


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def run(scale: float) -> dict:
    paths = county(scale)
    db = WORK / f"load-x{scale:g}.kuzu"
    for p in db.parent.glob(db.name + "*"):
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    v = validate(paths)
    node_batches, rel_batches = _plan(v, "bench")
    del v
    rows = sum(size(c) for _, c in node_batches) + sum(size(c) for _, c in rel_batches)
    store = open_store(str(db))
    store.create_schema()
    marks = {}

    def progress(label: str, done: int, total: int) -> None:
        if label.startswith("校验 Validated"):
            marks["validated"] = _clock()

    w0, c0 = _clock()
    load(paths, store, progress=progress)
    w1, c1 = _clock()
    wv, cv = marks["validated"]
    load(paths, store)  # the same files again: every row compared with what the first load wrote
    w2, c2 = _clock()
    store.close()
    raw_wall, raw_cpu = raw_copy(node_batches, rel_batches)
    return {"scale": scale, "rows": rows, "validate_s": wv - w0, "validate_cpu": cv - c0,
            "load_s": w1 - w0, "load_cpu": c1 - c0, "write_s": w1 - wv, "write_cpu": c1 - cv,
            "reload_s": w2 - w1, "reload_cpu": c2 - c1, "raw_copy_s": raw_wall, "raw_copy_cpu": raw_cpu,
            "rows_per_s": rows / (w1 - w0), "write_ratio": (w1 - wv) / raw_wall,
            "write_ratio_cpu": (c1 - cv) / raw_cpu, "load_avg": os.getloadavg()[0]}


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, action="append")
    args = ap.parse_args()
    print("| county | rows | read + validate s (CPU) | write s (CPU) | load s (CPU) | rows/s | raw COPY s (CPU) "
          "| write ÷ COPY wall (CPU) | reload unchanged s (CPU) | load avg |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for scale in args.scale or [1.0]:
        r = run(scale)
        print(f"| 高青 ×{scale:g} | {r['rows']:,} | {r['validate_s']:.1f} ({r['validate_cpu']:.1f}) | "
              f"{r['write_s']:.1f} ({r['write_cpu']:.1f}) | {r['load_s']:.1f} ({r['load_cpu']:.1f}) | "
              f"{r['rows_per_s']:,.0f} | {r['raw_copy_s']:.2f} ({r['raw_copy_cpu']:.2f}) | "
              f"{r['write_ratio']:.2f} ({r['write_ratio_cpu']:.2f}) | {r['reload_s']:.1f} ({r['reload_cpu']:.1f}) | "
              f"{r['load_avg']:.1f} |", flush=True)
