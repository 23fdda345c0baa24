"""orgnet against its DuckDB peer, rule by rule, on the same CSV ledgers, in one run.

    pip install -e '.[bench]'
    python bench/bench_peer.py --scale 1 --scale 5 --scale 10 [--repeat 5] [--json out.json]

For each scale: the demo county (高青, seed 1) as CSV ledgers, loaded by orgnet's loader into a
fresh embedded database (``ORGNET_EMBEDDED`` picks the engine) and read by DuckDB
(``peer_duckdb.read``). Then every rule, both sides warm, median of ``--repeat`` runs:

* orgnet: the rule's one statement (``queries/r*.cypher``) fetched columnar, as the overview,
  the gaps page and the CLI get it (``GraphStore.query_columns``) — no cache in between;
* DuckDB: the rule's one SQL statement (``peer_duckdb.RULES``) fetched as Arrow.

Both produce the population and the violating ids; the run stops if they differ anywhere.
Also measured: the first overview after a load (every rule's summary and its roll-up by
community, caches empty), which the app shows first.
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import time

from _county import WORK, county, loaded_store
import peer_duckdb
from graph.kuzu_store import ENGINE
from queries import coverage


def timed(fn, repeat: int) -> tuple[float, float]:
    """Median wall-clock ms and median CPU ms of this process (every thread: Kùzu and DuckDB run
    in-process). The machine is shared, so the CPU time is the steadier of the two."""
    walls, cpus = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append((time.perf_counter() - w) * 1000)
        cpus.append((time.process_time() - c) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def orgnet_answer(store, q) -> tuple[int, list[str]]:
    cols = store.query_columns(q.body, q.bind())
    bad = sorted(i for i, v in zip(cols.get("id", []), cols.get("violation", [])) if v)
    return len(cols.get("id", [])), bad


def first_overview_s(store) -> float:
    coverage._POPULATION_CACHE.clear()
    coverage._CONTEXT_CACHE.clear()
    t0 = time.perf_counter()
    coverage.summary(store)
    for rid in coverage.rules():
        coverage.rollup(store, rid, by="community")
    return time.perf_counter() - t0


def run(scale: float, repeat: int, fresh: bool = False) -> dict:
    paths = county(scale)
    folder = paths[0].parent
    t0 = time.perf_counter()
    con = peer_duckdb.read(folder)
    duck_read = time.perf_counter() - t0
    if fresh:
        for p in WORK.glob(f"gaoqing-x{scale:g}.{ENGINE}*"):
            shutil.rmtree(p) if p.is_dir() else p.unlink()
    t0, c0 = time.perf_counter(), time.process_time()
    store = loaded_store(scale)
    open_s, open_cpu = time.perf_counter() - t0, time.process_time() - c0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rules = []
    for rid, q in coverage.rules().items():
        mine = orgnet_answer(store, q)
        theirs = peer_duckdb.answer(con, rid)
        if mine != theirs:
            raise SystemExit(f"{rid} at x{scale:g}: orgnet {mine[0]} / {len(mine[1])} violating, "
                             f"DuckDB {theirs[0]} / {len(theirs[1])}; first differences "
                             f"{sorted(set(mine[1]) ^ set(theirs[1]))[:5]}")
        ms, cpu = timed(lambda: orgnet_answer(store, q), repeat)
        dms, dcpu = timed(lambda: peer_duckdb.answer(con, rid), repeat)
        rules.append({"rule": rid, "entity": q.entity, "population": mine[0], "violating": len(mine[1]),
                      "orgnet_ms": ms, "duckdb_ms": dms, "ratio": ms / max(dms, 0.01),
                      "orgnet_cpu_ms": cpu, "duckdb_cpu_ms": dcpu, "cpu_ratio": cpu / max(dcpu, 0.01)})
    overview = first_overview_s(store) if scale <= 1 else None
    store.close()
    con.close()
    return {"scale": scale, "engine": ENGINE, "households": next(r["population"] for r in rules if r["rule"] == "R08"),
            "duckdb_read_s": duck_read, "open_or_load_s": open_s, "open_or_load_cpu_s": open_cpu, "fresh_load": fresh, "peak_rss_mb": peak_mb, "first_overview_s": overview, "rules": rules}


def table(result: dict) -> str:
    out = [f"### 高青 ×{result['scale']:g} ({result['households']:,} households, engine {result['engine']})", "",
           "| rule | entity | population | gaps | orgnet ms | DuckDB ms | ratio | orgnet CPU ms | DuckDB CPU ms | CPU ratio |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in result["rules"]:
        out.append(f"| {r['rule']} | {r['entity']} | {r['population']:,} | {r['violating']:,} | {r['orgnet_ms']:.0f} "
                   f"| {r['duckdb_ms']:.0f} | {r['ratio']:.2f} | {r['orgnet_cpu_ms']:.0f} | {r['duckdb_cpu_ms']:.0f} "
                   f"| {r['cpu_ratio']:.2f} |")
    out.append("")
    if result["fresh_load"]:
        out.append(f"orgnet loaded the CSV ledgers (validation included) in {result['open_or_load_s']:.1f} s "
                   f"({result['open_or_load_cpu_s']:.1f} s CPU); "
                   f"peak RSS of the run so far {result['peak_rss_mb']:,.0f} MB.")
    out.append(f"DuckDB read the CSV ledgers in {result['duckdb_read_s']:.2f} s."
               + (f" First overview after a load (22 rules, summary and roll-up by community, empty caches): "
                  f"{result['first_overview_s']:.2f} s." if result["first_overview_s"] is not None else ""))
    return "\n".join(out)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, action="append")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--fresh", action="store_true", help="load each county into a new database (time the load)")
    args = ap.parse_args()
    results = []
    for scale in args.scale or [1.0]:
        results.append(run(scale, args.repeat, args.fresh))
        print(table(results[-1]), flush=True)
        print(flush=True)
        if args.json:  # after every scale: a long run that is stopped keeps what it measured
            with open(args.json, "w", encoding="utf-8") as f:
                json.dump(results, f, ensure_ascii=False, indent=1)
    print(f"(work folder {WORK})")
