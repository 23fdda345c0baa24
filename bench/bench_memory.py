"""Where a load's memory goes, phase by phase, in its own process.

    python bench/bench_memory.py --scale 10 [--trace]

Loads the default county (高青, seed 1, CSV ledgers under ``ORGNET_BENCH_DIR``, generated once as
``bench_pipeline.py`` does) into a fresh Kùzu file and, at every progress step of the loader
(reading each file, validating, writing each batch, committing, the derived values), prints one
JSON line with:

- ``rss_mb`` — resident set size when the step begins, and ``peak_mb`` the highest RSS *during the
  previous step* (Linux: the high-water mark is reset at each step by writing 5 to
  ``/proc/self/clear_refs``);
- ``arrow_mb`` — what pyarrow's memory pool holds (``pa.total_allocated_bytes()``);
- with ``--trace``, ``py_mb`` / ``py_peak_mb`` — what Python objects hold now and at most during
  the previous step (``tracemalloc``; it makes the run about 3× slower, the RSS figures then
  include tracemalloc's own bookkeeping).

What is neither Python objects nor Arrow is mostly Kùzu's buffer pool and its transaction. The last
line sums the peak per phase (read, validate, write, commit + derived) and the whole run's peak.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
import tracemalloc
from pathlib import Path

import pyarrow as pa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_pipeline import WORK, county  # noqa: E402
from graph.config import open_store  # noqa: E402
from loaders.engine import load  # noqa: E402


def _status() -> dict[str, int]:
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0]) // 1024
    return out


def _reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:  # not Linux, or not allowed: peaks are then since the start
        pass


def phase_of(label: str) -> str:
    if label.startswith("读取"):
        return "read"
    if label.startswith("校验"):
        return "validate"
    if label.startswith("写入"):
        return "write"
    return "commit+derived" if label.startswith(("提交", "完成")) else "other"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=10.0)
    ap.add_argument("--trace", action="store_true", help="also trace Python allocations (slow)")
    args = ap.parse_args()
    paths = county(args.scale, "csv")
    db = WORK / f"memory-x{args.scale:g}.kuzu"
    for p in db.parent.glob(db.name + "*"):
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    store = open_store(str(db))
    store.create_schema()
    if args.trace:
        tracemalloc.start()
    t0, c0 = time.perf_counter(), time.process_time()
    phases: dict[str, int] = {}
    last = {"label": "start", "phase": "other"}

    def progress(label: str, done: int, total: int) -> None:
        s = _status()
        prev = last["phase"]
        phases[prev] = max(phases.get(prev, 0), s["VmHWM"])
        line = {"t": round(time.perf_counter() - t0, 1), "cpu": round(time.process_time() - c0, 1),
                "step": label[:60], "rss_mb": s["VmRSS"], "peak_prev_mb": s["VmHWM"],
                "arrow_mb": pa.total_allocated_bytes() >> 20}
        if args.trace:
            cur, peak = tracemalloc.get_traced_memory()
            line.update(py_mb=cur >> 20, py_peak_prev_mb=peak >> 20)
            tracemalloc.reset_peak()
        print(json.dumps(line, ensure_ascii=False), flush=True)
        last.update(label=label, phase=phase_of(label))
        _reset_peak()

    report = load(paths, store, progress=progress)
    s = _status()
    phases[last["phase"]] = max(phases.get(last["phase"], 0), s["VmHWM"])
    store.close()
    biggest = max(paths, key=lambda p: p.stat().st_size)
    print(json.dumps({"scale": args.scale, "rows_written": sum(report.written.values()),
                      "cpu_s": round(time.process_time() - c0, 1), "wall_s": round(time.perf_counter() - t0, 1),
                      "peak_mb_by_phase": phases,
                      # clear_refs resets ru_maxrss too: the run's peak is the highest of the phases'
                      "peak_rss_mb": max(phases.values()),
                      "largest_ledger": f"{biggest.name} {biggest.stat().st_size >> 20} MB",
                      "load_avg_1min": round(os.getloadavg()[0], 1)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
