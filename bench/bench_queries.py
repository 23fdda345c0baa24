"""Latency of every coverage rule on the default county and a 10x county (goal: <= 100 ms per rule).

    python bench/bench_queries.py [--scale 1] [--scale 10]

Reports the rule query alone (population + violation flag, what the roll-ups use) and the full
detail with context (first call builds the per-label context cache; the median is warm).
"""
from __future__ import annotations

import argparse

from _county import loaded_store, median_ms
from queries import coverage


def run(scale: float) -> list[tuple]:
    store = loaded_store(scale)
    out = []
    for rid, q in coverage.rules().items():
        rows = q.run(store)
        rule_ms = median_ms(lambda: q.run(store))
        detail_ms = median_ms(lambda: coverage.violations(store, rid))
        out.append((rid, q.entity, len(rows), sum(1 for r in rows if r["violation"]), rule_ms, detail_ms))
    store.close()
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, action="append")
    args = ap.parse_args()
    for scale in args.scale or [1.0]:
        print(f"\n### 高青 ×{scale:g}\n")
        print("| rule | entity | population | gaps | rule query ms | detail with context ms |")
        print("|---|---|---|---|---|---|")
        for rid, entity, n, bad, ms, dms in run(scale):
            print(f"| {rid} | {entity} | {n:,} | {bad:,} | {ms:.0f} | {dms:.0f} |")
