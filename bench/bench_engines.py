"""Kùzu and Neo4j side by side: the same county loaded through the same loader, the same rules.

    python bench/bench_engines.py [--scale 1] [--scale 10] [--repeat 3]

Starts the suite's own Neo4j (``tests/neo4j_server.py``; heap ``NEO4J_TEST_HEAP``, default 2g)
unless ``NEO4J_URI`` names a server — whose database it **wipes**. Per engine and scale:

* ``load``: ``loaders.engine.load`` of the generated ledgers into an empty database, validation
  included (Kùzu: one transaction; Neo4j: batch transactions with undo records, the default);
  rows/s over every node and relationship row it writes, wall and CPU seconds (the client's
  ``time.process_time``, and the server's from ``/proc`` when the benchmark started it) and the
  load average, since the machine may be shared;
* ``fastest``: the same rows by the engine's fastest online bulk path, none of the loader's checks:
  Kùzu ``COPY`` from Arrow into empty tables; Neo4j ``UNWIND $rows CREATE`` in batches of 10,000,
  each batch its own transaction (relationships ``MATCH`` their endpoints by the key constraints);
* ``load ÷ fastest``: how much the loader's validation, one transaction and MERGE cost;
* Neo4j's peak transaction memory during the load (``SHOW TRANSACTIONS``, polled every 0.5 s):
  what ``db.memory.transaction.total.max`` must allow for one load to fit in one transaction;
* per rule, after one warm-up, the median of ``--repeat`` runs of the rule query as the app, the
  CLI and ``bench_peer`` fetch it (``store.query_columns``: its whole population with the violation
  flag, column by column), with this process's CPU ms and (Neo4j) the server's, and of the same query
  as a list of row dicts (``NamedQuery.run``, what earlier rounds timed: on Kùzu ~10× the columnar
  fetch for a county's households). Both engines' answers (ids and violation flags) are asserted equal.

``--rules-only`` skips the loads and times the rules on databases that already hold the county:
the Kùzu file ``bench/_county.loaded_store`` keeps (loaded on first use) and the Neo4j at
``NEO4J_URI`` (required; loaded e.g. with ``orgnet --db bolt://… load`` of the same ledgers;
``NEO4J_SERVER_PID``, if given, is its JVM's process id, for its CPU seconds). ``--row-dicts``
also times the row-dict fetch.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import threading
import time
from pathlib import Path

from _county import WORK, county, loaded_store, neo4j_server
from bench_load import raw_copy

from graph.config import open_store  # noqa: E402
from graph.model import MODEL  # noqa: E402
from loaders.engine import _plan, load, validate  # noqa: E402
from loaders.plan import rows_of  # noqa: E402
from queries import coverage  # noqa: E402

BATCH = 10_000


def server_cpu() -> float:
    """CPU seconds the benchmark's own Neo4j server has used so far (0 for an external server)."""
    import _county
    if _county.SERVER_PID is None:
        return 0.0
    fields = Path(f"/proc/{_county.SERVER_PID}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Timer:
    """Wall seconds, this process's CPU seconds, the server's CPU seconds and the load average."""

    def __enter__(self):
        self.t, self.c, self.s = time.perf_counter(), time.process_time(), server_cpu()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.t
        self.cpu = time.process_time() - self.c
        self.server = server_cpu() - self.s
        self.load = round(os.getloadavg()[0], 1)

    def as_dict(self, prefix: str) -> dict:
        return {f"{prefix}_s": self.wall, f"{prefix}_cpu_s": self.cpu, f"{prefix}_server_cpu_s": self.server,
                f"{prefix}_load_avg": self.load}


def neo4j_fastest(store, node_batches, rel_batches) -> float:
    """UNWIND … CREATE in auto-committed batches into an empty database: Neo4j's fastest online path."""
    store.clear()
    store.create_schema()
    driver = store._driver
    t0 = time.perf_counter()
    with driver.session(database=store.database) as session:
        for label, rows in node_batches:
            for i in range(0, len(rows), BATCH):
                session.run(f"UNWIND $rows AS row CREATE (n:{label}) SET n = row",
                            rows=[{k: v for k, v in r.items() if v is not None} for r in rows[i:i + BATCH]]).consume()
        for (t, a, b), rows in rel_batches:
            ka, kb = MODEL.node(a).key, MODEL.node(b).key
            for i in range(0, len(rows), BATCH):
                batch = [{"src": r["src"], "dst": r["dst"],
                          "props": {k: v for k, v in r.items() if k not in ("src", "dst") and v is not None}}
                         for r in rows[i:i + BATCH]]
                session.run(f"UNWIND $rows AS row MATCH (x:{a} {{{ka}: row.src}}) MATCH (y:{b} {{{kb}: row.dst}}) "
                            f"CREATE (x)-[r:{t}]->(y) SET r = row.props", rows=batch).consume()
    return time.perf_counter() - t0


class TxMemory:
    """Polls the largest estimated heap use of any running transaction."""

    def __init__(self, env):
        import neo4j

        self.driver = neo4j.GraphDatabase.driver(env["NEO4J_URI"], auth=(env.get("NEO4J_USERNAME", "neo4j"),
                                                                         env["NEO4J_PASSWORD"]))
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self):
        while not self._stop.wait(0.5):
            try:
                records, _, _ = self.driver.execute_query(
                    "SHOW TRANSACTIONS YIELD estimatedUsedHeapMemory AS heap RETURN max(heap) AS heap")
                self.peak = max(self.peak, records[0]["heap"] or 0)
            except Exception:  # noqa: BLE001 - a missed sample is fine
                pass

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.driver.close()


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


ROW_DICTS = False  # --row-dicts: also time the fetch as a list of row dicts


def rule_latencies(store, repeat: int) -> dict[str, dict]:
    """Per rule: median wall ms, client CPU ms and server CPU ms of the columnar fetch (``cols``) and,
    with ``--row-dicts``, of the row-dict fetch (``rows``), and the answer (population size, violating
    ids) to compare."""
    out = {}
    for rid, q in coverage.rules().items():
        bound = q.bind()
        entry = {}
        forms = [("cols", lambda: store.query_columns(q.body, bound))]
        if ROW_DICTS:
            forms.append(("rows", lambda: q.run(store)))
        for form, fetch in forms:
            got = fetch()  # warm-up: plan caches, page cache
            if form == "cols":
                entry["population"] = len(got.get("id", []))
                entry["violating"] = sorted(i for i, v in zip(got.get("id", []), got.get("violation", [])) if v)
            walls, cpus, servers = [], [], []
            for _ in range(repeat):
                with Timer() as t:
                    fetch()
                walls.append(t.wall * 1000)
                cpus.append(t.cpu * 1000)
                servers.append(t.server * 1000)
            entry[f"{form}_ms"], entry[f"{form}_cpu_ms"] = _median(walls), _median(cpus)
            entry[f"{form}_server_cpu_ms"] = _median(servers)
        out[rid] = entry
    return out


def same_answers(result: dict) -> None:
    """Both engines must return the same population and the same violating ids, rule by rule."""
    kuzu, neo = result.get("kuzu_rules", {}), result.get("neo4j_rules", {})
    for rid, k in kuzu.items():
        n = neo.get(rid)
        if n is None:
            continue
        if (k["population"], k["violating"]) != (n["population"], n["violating"]):
            raise SystemExit(f"{rid} at x{result['scale']:g}: Kùzu {k['population']} / {len(k['violating'])} "
                             f"violating, Neo4j {n['population']} / {len(n['violating'])}; first differences "
                             f"{sorted(set(k['violating']) ^ set(n['violating']))[:5]}")


def rules_only(scale: float, env: dict[str, str], repeat: int) -> dict:
    """The rules on databases that already hold the county at ``scale`` (no load timed)."""
    result = {"scale": scale, "load_avg_before": round(os.getloadavg()[0], 1)}
    k = loaded_store(scale)
    try:
        result["kuzu_rules"] = rule_latencies(k, repeat)
    finally:
        k.close()
    with open_store(env=env) as n:
        result["neo4j_rules"] = rule_latencies(n, repeat)
    result["load_avg_after"] = round(os.getloadavg()[0], 1)
    same_answers(result)
    return result


def run(scale: float, env: dict[str, str], repeat: int) -> dict:
    paths = county(scale)
    v = validate(paths)
    node_cols, rel_cols = _plan(v, "bench")
    # the plan is column batches (loaders.plan): Kùzu's COPY takes them, Neo4j's CREATE path rows
    node_batches = [(label, rows_of(cols)) for label, cols in node_cols]
    rel_batches = [(trip, rows_of(cols)) for trip, cols in rel_cols]
    rows = sum(len(r) for _, r in node_batches) + sum(len(r) for _, r in rel_batches)
    result = {"scale": scale, "rows": rows}

    db = WORK / f"engines-x{scale:g}.kuzu"
    shutil.rmtree(db, ignore_errors=True)
    db.unlink(missing_ok=True)
    with open_store(str(db)) as k:
        k.create_schema()
        with Timer() as t:
            load(paths, k)
        result.update(t.as_dict("kuzu_load"))
        result["kuzu_load_server_cpu_s"] = 0.0
        result["kuzu_rules"] = rule_latencies(k, repeat)
    result["kuzu_fastest_s"], result["kuzu_fastest_cpu_s"] = raw_copy(node_cols, rel_cols)
    print(json.dumps({k: v for k, v in result.items() if "rules" not in k}), file=sys.stderr, flush=True)

    with open_store(env=env) as n:
        n.clear()
        n.create_schema()
        with TxMemory(env) as mem:
            try:
                with Timer() as t:
                    load(paths, n)
                result.update(t.as_dict("neo4j_load"))
            except Exception as e:  # noqa: BLE001 - the point is to record what happened
                result["neo4j_load_error"] = f"{type(e).__name__}: {str(e)[:300]}"
        result["neo4j_tx_peak_mb"] = mem.peak / 2**20
        print(json.dumps({k: v for k, v in result.items() if "rules" not in k}), file=sys.stderr, flush=True)
        if "neo4j_load_s" in result:
            result["neo4j_rules"] = rule_latencies(n, repeat)
        with Timer() as t:
            result["neo4j_fastest_s"] = neo4j_fastest(n, node_batches, rel_batches)
        result["neo4j_fastest_cpu_s"], result["neo4j_fastest_server_cpu_s"] = t.cpu, t.server
        print(json.dumps({k: v for k, v in result.items() if "rules" not in k}), file=sys.stderr, flush=True)
        n.clear()
    same_answers(result)
    return result


def rule_table(r: dict, repeat: int) -> None:
    print(f"\n### per rule, 高青 ×{r['scale']:g} (median of {repeat} warm runs; ms wall / CPU ms)\n")
    print("| rule | population | Kùzu columns ms (CPU) | Kùzu row dicts ms (CPU) | "
          "Neo4j columns ms (client + server CPU) | Neo4j row dicts ms (client + server CPU) |")
    print("|---|---:|---:|---:|---:|---:|")
    neo = r.get("neo4j_rules", {})
    for rid, k in r.get("kuzu_rules", {}).items():
        n = neo.get(rid)
        cells = [f"{k['cols_ms']:.0f} ({k['cols_cpu_ms']:.0f})",
                 f"{k['rows_ms']:.0f} ({k['rows_cpu_ms']:.0f})" if "rows_ms" in k else "—"]
        for form in ("cols", "rows"):
            cells.append("" if n is None else "—" if f"{form}_ms" not in n else
                         f"{n[f'{form}_ms']:.0f} ({n[f'{form}_cpu_ms']:.0f} + {n[f'{form}_server_cpu_ms']:.0f})")
        print(f"| {rid} | {k['population']:,} | " + " | ".join(cells) + " |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, action="append")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rules-only", action="store_true",
                    help="time the rules only, on the Kùzu file the benchmarks keep and the Neo4j at NEO4J_URI")
    ap.add_argument("--row-dicts", action="store_true", help="also time each rule fetched as a list of row dicts")
    ap.add_argument("--json", help="also write the raw numbers here")
    args = ap.parse_args()
    global ROW_DICTS
    ROW_DICTS = args.row_dicts
    if args.rules_only:
        if not os.environ.get("NEO4J_URI"):
            raise SystemExit("--rules-only needs NEO4J_URI: the Neo4j that holds the county")
        import _county
        # an external server on this machine: NEO4J_SERVER_PID names its JVM for its CPU seconds
        _county.SERVER_PID = int(os.environ["NEO4J_SERVER_PID"]) if os.environ.get("NEO4J_SERVER_PID") else None
        with neo4j_server("2g") as env:
            results = [rules_only(s, env, args.repeat) for s in args.scale or [1.0]]
    else:
        with neo4j_server("2g") as env:
            results = [run(s, env, args.repeat) for s in args.scale or [1.0]]
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, ensure_ascii=False))
    if not args.rules_only:
        print("| county | rows | engine | load wall s | load CPU s (client + server) | load avg | rows/s | "
              "fastest bulk path s | load ÷ fastest | peak tx memory |")
        print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results if not args.rules_only else []:
        for eng in ("kuzu", "neo4j"):
            load_s = r.get(f"{eng}_load_s")
            fastest = r[f"{eng}_fastest_s"]
            peak = f"{r['neo4j_tx_peak_mb']:.0f} MB" if eng == "neo4j" else "—"
            if load_s is None:
                print(f"| 高青 ×{r['scale']:g} | {r['rows']:,} | {eng} | failed: {r[f'{eng}_load_error']} | | | | "
                      f"{fastest:.1f} | | {peak} |")
                continue
            cpu = f"{r[f'{eng}_load_cpu_s']:.1f} + {r[f'{eng}_load_server_cpu_s']:.1f}"
            print(f"| 高青 ×{r['scale']:g} | {r['rows']:,} | {eng} | {load_s:.1f} | {cpu} | {r[f'{eng}_load_load_avg']} | "
                  f"{r['rows'] / load_s:,.0f} | {fastest:.1f} | {load_s / fastest:.1f} | {peak} |")
    for r in results:
        rule_table(r, args.repeat)


if __name__ == "__main__":
    main()
