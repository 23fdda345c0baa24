"""Planner and rectification-ledger timings on the default county at 1× and 10×.

    python bench/bench_planning.py            # 1×
    python bench/bench_planning.py 1 10       # 1× and 10× (the 10× county takes a while to build once)
    python bench/bench_planning.py --db /tmp/copy-of-x10.kuzu

Times, one run each (the planners are deterministic; the machine is shared, so read them as
orders of magnitude): opening the cases after the load (``cases.ledger.sync``), the 包联 plan
(min-cost flow), the site plan for p = 3 with its coverage curve to p = 8 (exact MILP), and grid
staffing. Results go to bench/RESULTS.md by hand.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from _county import loaded_store

from analysis.links_plan import plan_links
from analysis.sites import plan_sites
from analysis.workers import plan_workers
from cases import ledger


def timed(label: str, fn):
    """Wall clock and this process's CPU seconds (the machine is shared: CPU is the steadier figure)."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    print(f"  {label:<34} {time.perf_counter() - t0:8.1f} s wall {time.process_time() - c0:8.1f} s CPU", flush=True)
    return out


def run(store) -> None:
    print(f"{store.counts()['Household']:,} households")
    links = timed("plan links (min-cost flow)", lambda: plan_links(store))
    print(f"    {links.summary()['links']:,} links; before {links.before}, after {links.summary()['after']}")
    sites = timed("plan sites p=3, curve to 8 (MILP)", lambda: plan_sites(store, 3, curve_to=8))
    print(f"    newly covered {sites.solution.covered:,} households")
    workers = timed("plan workers", lambda: plan_workers(store))
    print(f"    {workers['summary']}")
    with tempfile.TemporaryDirectory() as tmp:
        sync = timed("cases: sync after a load", lambda: ledger.sync(store, archive=Path(tmp)))
        print(f"    {sync.line()}")


def main(scales: list[float]) -> None:
    for scale in scales:
        store = loaded_store(scale)
        print(f"gaoqing ×{scale:g}:", end=" ")
        run(store)
        store.close()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--db":  # an already loaded copy
        from graph.config import open_store

        run(open_store(sys.argv[2]))
    else:
        main([float(a) for a in sys.argv[1:]] or [1.0])
