"""Shared by the benchmarks: a demo county generated and loaded once into a Kùzu file, and the Neo4j
server a benchmark runs against."""
from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.config import open_store  # noqa: E402
from demo import generate  # noqa: E402
from graph.kuzu_store import ENGINE  # noqa: E402
from loaders.engine import load  # noqa: E402

WORK = Path(os.environ.get("ORGNET_BENCH_DIR", "/tmp/orgnet-bench"))


def county(scale: float, fmt: str = "csv") -> list[Path]:
    out = WORK / f"gaoqing-x{scale:g}-{fmt}"
    if not out.exists():
        generate("gaoqing", scale=scale, seed=1, out_dir=out, fmt=fmt)
    return sorted(p for p in out.iterdir() if p.suffix in (".csv", ".xlsx"))


def loaded_store(scale: float):
    """A Kùzu store holding the default county at ``scale`` (built on first use, then reused)."""
    db = WORK / f"gaoqing-x{scale:g}.{ENGINE}"
    fresh = not db.exists()
    store = open_store(str(db))
    store.create_schema()  # an older file gains the model's new (derived) properties
    if fresh:
        t0 = time.perf_counter()
        load(county(scale), store)
        print(f"(loaded x{scale:g} in {time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    return store


def median_ms(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return times[len(times) // 2]


NEO4J_KEYS = ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE")
#: the process id of the server ``neo4j_server`` started (benchmarks read its CPU seconds from /proc)
SERVER_PID: int | None = None


@contextmanager
def neo4j_server(default_heap: str):
    """The connection settings of the Neo4j to benchmark: the server ``NEO4J_URI`` names (its database
    gets **wiped**), else the suite's own test server (``tests/neo4j_server.py``) started with heap
    ``NEO4J_TEST_HEAP`` (default ``default_heap``) and stopped on exit."""
    if os.environ.get("NEO4J_URI"):
        yield {k: os.environ[k] for k in NEO4J_KEYS if os.environ.get(k)}
        return
    sys.path.insert(0, str(ROOT / "tests"))
    from neo4j_server import TestServer

    global SERVER_PID
    server = TestServer.start(heap=os.environ.get("NEO4J_TEST_HEAP", default_heap),
                              page_cache=os.environ.get("NEO4J_TEST_PAGECACHE", "512m"))
    SERVER_PID = server.process.pid
    try:
        yield server.env()
    finally:
        SERVER_PID = None
        server.stop()
