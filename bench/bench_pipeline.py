"""One county through the loader, end to end, in its own process (so peak RSS is the load's).

    /usr/bin/time -v python bench/bench_pipeline.py --scale 1 --fmt csv [--changed 1000]

Generates the default county (高青, seed 1) once per scale and format under /tmp/orgnet-bench
(or ``ORGNET_BENCH_DIR``),
loads it into a fresh Kùzu file and prints one JSON line: seconds to read + validate, to write
(the transaction), in all, rows/s; with ``--changed N`` it then changes the phone number of N
households in the households ledger and re-loads that ledger alone (an incremental load), and
reports how long that took and how many rows it rewrote. Run it under ``/usr/bin/time -v`` for
the peak RSS ("Maximum resident set size").
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demo import generate  # noqa: E402
from graph.config import open_store  # noqa: E402
from loaders.engine import load  # noqa: E402

WORK = Path(os.environ.get("ORGNET_BENCH_DIR", "/tmp/orgnet-bench"))


def county(scale: float, fmt: str) -> list[Path]:
    out = WORK / f"gaoqing-x{scale:g}-{fmt}"
    if not (out / "manifest.json").exists():
        shutil.rmtree(out, ignore_errors=True)
        generate("gaoqing", scale=scale, seed=1, out_dir=out, fmt=fmt)
    return sorted(p for p in out.iterdir() if p.suffix in (".csv", ".xlsx"))


def change_phones(src: Path, dst: Path, n: int) -> int:
    """Copy the households CSV with the phone of the first ``n`` households that have one changed."""
    with open(src, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    col = next(i for i, h in enumerate(header) if h.startswith(("联系电话", "手机号")))
    done = 0
    for r in rows[1:]:
        if done < n and r[col]:
            r[col] = "139" + f"{done:08d}"
            done += 1
    dst.parent.mkdir(parents=True, exist_ok=True)
    with open(dst, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return done


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--fmt", choices=("csv", "xlsx"), default="csv")
    ap.add_argument("--changed", type=int, default=0, help="then re-load the households ledger with N changed rows")
    args = ap.parse_args()
    paths = county(args.scale, args.fmt)
    db = WORK / f"pipeline-x{args.scale:g}-{args.fmt}.kuzu"
    for p in db.parent.glob(db.name + "*"):
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    store = open_store(str(db))
    store.create_schema()
    marks: dict[str, tuple[float, float]] = {}
    t0, c0 = time.perf_counter(), time.process_time()

    def progress(label: str, done: int, total: int) -> None:
        if label.startswith("校验 Validated"):
            marks["validated"] = (time.perf_counter() - t0, time.process_time() - c0)

    report = load(paths, store, progress=progress)
    total, cpu = time.perf_counter() - t0, time.process_time() - c0
    rows = sum(report.written.values())
    wall_v, cpu_v = marks["validated"]
    # On a shared machine the wall clock includes waiting for a core; CPU seconds (all threads) do not.
    out = {"scale": args.scale, "fmt": args.fmt, "ledger_rows_written": rows,
           "read_validate_s": round(wall_v, 2), "read_validate_cpu_s": round(cpu_v, 2),
           "write_s": round(total - wall_v, 2), "write_cpu_s": round(cpu - cpu_v, 2),
           "load_s": round(total, 2), "load_cpu_s": round(cpu, 2), "rows_per_s": round(rows / total),
           "load_avg_1min": round(os.getloadavg()[0], 1)}
    if args.changed:
        households = next(p for p in paths if p.stem == "住户") if args.fmt == "csv" else None
        if households is None:
            raise SystemExit("--changed needs --fmt csv")
        changed = WORK / "changed" / "住户.csv"
        n = change_phones(households, changed, args.changed)
        t1, c1 = time.perf_counter(), time.process_time()
        again = load([changed], store)
        out.update(changed_rows=n, reload_s=round(time.perf_counter() - t1, 2),
                   reload_cpu_s=round(time.process_time() - c1, 2),
                   reload_rewritten=sum(again.written.values()) - again.unchanged)
    store.close()
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
