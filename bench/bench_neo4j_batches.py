"""One transaction per load, or batch transactions with undo records: what each costs on Neo4j.

    NEO4J_TEST_HEAP=1g python bench/bench_neo4j_batches.py --scale 1 --batch 0 --batch 50000

Starts the suite's own Neo4j (heap ``NEO4J_TEST_HEAP``; transactions together may use 70 % of it)
unless ``NEO4J_URI`` names a server, whose database it **wipes**. For each ``--batch`` value (rows
per batch transaction, ``ORGNET_NEO4J_BATCH_ROWS``; 0 = one transaction) it loads the generated
county into the emptied database through ``loaders.engine.load`` and reports wall seconds, the
client's CPU seconds, rows/s, the peak transaction memory the server estimated (polled every
0.5 s), the server's CPU seconds (when it started the server), the load average, the error if the server refused the load, and with ``--rules N`` each
coverage rule's median latency over N runs after a warm-up.
"""
from __future__ import annotations

import argparse
import json
import os
import time

from _county import county, neo4j_server
import bench_engines
from bench_engines import TxMemory, rule_latencies

from graph.config import open_store  # noqa: E402
from loaders.engine import load  # noqa: E402


def one(paths, env: dict[str, str], batch: int, rules: int = 0) -> dict:
    os.environ["ORGNET_NEO4J_BATCH_ROWS"] = str(batch)
    out: dict = {"batch_rows": batch}
    with open_store(env=env) as n:
        n.clear()
        n.create_schema()
        with TxMemory(env) as mem:
            t0, c0, s0 = time.perf_counter(), time.process_time(), bench_engines.server_cpu()
            try:
                report = load(paths, n)
                out["rows"] = sum(report.written.values())
                out["load_s"] = round(time.perf_counter() - t0, 1)
                out["rows_per_s"] = round(out["rows"] / out["load_s"])
            except Exception as e:  # noqa: BLE001 - the point is to record what happened
                out["error"] = f"{type(e).__name__}: {str(e)[:240]}"
                out["failed_after_s"] = round(time.perf_counter() - t0, 1)
            out["cpu_s"] = round(time.process_time() - c0, 1)
            out["server_cpu_s"] = round(bench_engines.server_cpu() - s0, 1)
        out["tx_peak_mb"] = round(mem.peak / 2**20)
        out["load_avg"] = [round(x, 1) for x in os.getloadavg()]
        out["left_after"] = n.query("MATCH (n) RETURN count(n) AS c")[0]["c"]
        if rules and "load_s" in out:  # per-rule median latency (ms) on what was loaded
            out["rules_ms"] = {k: round(v, 1) for k, v in rule_latencies(n, rules).items()}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--batch", type=int, action="append", help="rows per batch transaction; 0 = one transaction")
    ap.add_argument("--rules", type=int, default=0, help="after a load, time every rule this many times (median)")
    ap.add_argument("--runs", type=int, default=1, help="load each --batch this many times on the same server "
                    "(the first run on a fresh server also pays for the JVM's warm-up)")
    args = ap.parse_args()
    with neo4j_server("1g") as env:
        paths = county(args.scale)
        for batch in args.batch or [0, 50_000]:
            for run in range(args.runs):
                print(json.dumps({"scale": args.scale, "heap": os.environ.get("NEO4J_TEST_HEAP", "1g"), "run": run + 1,
                                  **one(paths, env, batch, args.rules)}, ensure_ascii=False), flush=True)

if __name__ == "__main__":
    main()
