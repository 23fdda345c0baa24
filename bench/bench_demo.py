"""Benchmark: generate the demo county and load it into a fresh embedded Kùzu store.

Times ``demo.generate`` (xlsx, the format a county hands in) and ``loaders.engine.load``
(validation and the one write transaction) for the default county (高青, scale 1) and a 10× county,
each into a new database, and prints a Markdown table (paste it into ``bench/RESULTS.md``).

    python bench/bench_demo.py                  # scales 1 and 10
    python bench/bench_demo.py --scales 1 --rules   # also time every coverage rule query

Loading reports its phases through the engine's progress callback, so the table splits the load
into reading, validating and writing.
"""
from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph.config import open_store  # noqa: E402
from demo import generate  # noqa: E402
from loaders.engine import load  # noqa: E402


class Phases:
    """Seconds spent in each phase the engine reports (读取 / 校验 / 写入 …)."""

    def __init__(self) -> None:
        self.t0 = time.monotonic()
        self.current = None
        self.start = self.t0
        self.seconds: dict[str, float] = {}

    def __call__(self, label: str, done: int, total: int) -> None:
        phase = "read" if label.startswith("读取") else "validate" if label.startswith("校验") else \
            "done" if label.startswith("完成") else "write"
        now = time.monotonic()
        if phase != self.current:
            if self.current is not None:
                self.seconds[self.current] = self.seconds.get(self.current, 0.0) + now - self.start
            self.current, self.start = phase, now


def bench(profile: str, scale: float, seed: int, fmt: str, work: Path, rules: bool) -> dict:
    out = work / f"{profile}-x{scale:g}"
    t = time.monotonic()
    g = generate(profile, scale=scale, seed=seed, out_dir=out, fmt=fmt)
    gen_s = time.monotonic() - t
    size = sum(p.stat().st_size for p in g.paths)
    store = open_store(str(work / f"{profile}-x{scale:g}.kuzu"))
    store.create_schema()
    phases = Phases()
    t = time.monotonic()
    report = load(g.paths, store, progress=phases)
    load_s = time.monotonic() - t
    rows = sum(g.counts.values())
    result = {
        "county": f"{profile} ×{scale:g}", "households": g.counts["住户"], "people": g.counts["人员"],
        "rows": rows, "file_mb": size / 2 ** 20, "generate_s": gen_s, "load_s": load_s,
        "read_s": phases.seconds.get("read", 0.0), "validate_s": phases.seconds.get("validate", 0.0),
        "write_s": phases.seconds.get("write", 0.0), "rows_per_s": rows / load_s,
        "nodes": sum(v for k, v in report.written.items() if k[0].isupper() and not k.isupper()),
        "rels": sum(v for k, v in report.written.items() if k.isupper()),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if rules:
        from queries import coverage

        times = {}
        for rid, q in coverage.rules().items():
            t = time.monotonic()
            q.run(store)
            times[rid] = time.monotonic() - t
        result["rules"] = times
    store.close()
    return result


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="gaoqing")
    ap.add_argument("--scales", default="1,10")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--fmt", default="xlsx", choices=("xlsx", "csv"))
    ap.add_argument("--rules", action="store_true", help="also time every coverage rule query")
    ap.add_argument("--keep", help="directory to keep the ledgers and databases in")
    args = ap.parse_args(argv)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="orgnet-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for scale in (float(s) for s in args.scales.split(",")):
            r = bench(args.profile, scale, args.seed, args.fmt, work, args.rules)
            results.append(r)
            print(f"# {r['county']}: generate {r['generate_s']:.1f} s, load {r['load_s']:.1f} s", file=sys.stderr, flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"| county | households | people | ledger rows | {args.fmt} MB | generate s | load s "
          "(read / validate / write) | rows/s loaded | nodes | relationships | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['county']} | {r['households']:,} | {r['people']:,} | {r['rows']:,} | {r['file_mb']:.1f} | "
              f"{r['generate_s']:.1f} | {r['load_s']:.1f} ({r['read_s']:.1f} / {r['validate_s']:.1f} / {r['write_s']:.1f}) | "
              f"{r['rows_per_s']:,.0f} | {r['nodes']:,} | {r['rels']:,} | {r['peak_rss_mb']:,.0f} |")
    if args.rules:
        print()
        print("| rule | " + " | ".join(r["county"] for r in results) + " |")
        print("|---|" + "---:|" * len(results))
        for rid in results[0]["rules"]:
            print(f"| {rid} | " + " | ".join(f"{r['rules'][rid]:.2f} s" for r in results) + " |")


if __name__ == "__main__":
    main()
