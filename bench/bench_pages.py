"""Render time of every page on the default county (goal <= 1.5 s).

    python bench/bench_pages.py [COUNTY.kuzu]

Per page: the server-side script run (Streamlit's AppTest, warm caches: the second run) as wall
and CPU seconds (``time.process_time`` of this process, which runs the script), and what a person
waits for in headless Chromium (page load until the script has finished, wall); and the first
overview after a load (goal <= 2 s), the way the import page loads. The machine may be shared:
the load average is printed beside the figures.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from _county import ROOT, loaded_store

sys.path.insert(0, str(ROOT / "tests"))
from browser import PAGES, chromium, open_page, running_app  # noqa: E402


def apptest_seconds(db: str) -> dict[str, tuple[float, float]]:
    from streamlit.testing.v1 import AppTest

    os.environ["ORGNET_DB"] = db
    out = {}
    for url, _, _ in PAGES:
        path = "views/" + {"": "overview", "org": "org_chart", "import": "imports", "figures": "stats"}.get(url, url) + ".py"
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        at.run()
        at.switch_page(path).run()  # cold: fills caches
        t0, c0 = time.perf_counter(), time.process_time()
        at.switch_page(path).run()
        out[url] = (time.perf_counter() - t0, time.process_time() - c0)
        assert not at.exception, (url, at.exception)
    from views import _shared
    _shared.store().close()
    _shared.store.clear()
    return out


def first_overview_after_load(db: str) -> tuple[float, float, float, float]:
    """(load + precompute seconds wall, CPU, first overview seconds wall, CPU) after loading one more ledger, the way
    the import page does it: load, ``coverage.warm``, clear the page caches, open the overview."""
    import shutil
    import tempfile

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from loaders.engine import load
    from queries import coverage

    work = Path(tempfile.mkdtemp(prefix="orgnet-bench-"))
    copy = work / "county.kuzu"
    shutil.copy(db, copy)
    os.environ["ORGNET_DB"] = str(copy)
    from views import _shared

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    at.switch_page("views/overview.py").run()
    site = work / "服务阵地.csv"
    row = _shared.store().query("MATCH (c:Community) RETURN c.id AS id ORDER BY id LIMIT 1")[0]
    site.write_text(f"阵地编号,名称,阵地类型,纬度,经度,所在社区编号\nX-BENCH,新建红色驿站,红色驿站,37.17,117.83,{row['id']}\n",
                    encoding="utf-8-sig")
    t0, c0 = time.perf_counter(), time.process_time()
    load([site], _shared.store())
    coverage.warm(_shared.store())
    st.cache_data.clear()
    loaded, loaded_cpu = time.perf_counter() - t0, time.process_time() - c0
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    t0, c0 = time.perf_counter(), time.process_time()
    at.switch_page("views/overview.py").run()
    first, first_cpu = time.perf_counter() - t0, time.process_time() - c0
    assert not at.exception, at.exception
    _shared.store().close()
    _shared.store.clear()
    shutil.rmtree(work, ignore_errors=True)
    return loaded, loaded_cpu, first, first_cpu


def browser_seconds(db: str) -> dict[str, float]:
    out = {}
    with running_app(db) as base, chromium() as driver:
        for url, title, _ in PAGES:
            open_page(driver, base, url, title, timeout=300)  # cold
            out[url] = open_page(driver, base, url, title, timeout=300)
    return out


if __name__ == "__main__":
    if len(sys.argv) > 1:  # an existing county database instead of the benchmark's own
        db = sys.argv[1]
    else:
        store = loaded_store(1.0)
        db = store.location
        store.close()
    before = os.getloadavg()
    loaded, loaded_cpu, first, first_cpu = first_overview_after_load(db)
    server = apptest_seconds(db)
    browser = browser_seconds(db)
    after = os.getloadavg()
    print("| page | script run (warm) wall s | script run CPU s | in Chromium (warm) wall s |")
    print("|---|---|---|---|")
    for url, title, _ in PAGES:
        print(f"| {title} | {server[url][0]:.2f} | {server[url][1]:.2f} | {browser[url]:.2f} |")
    print(f"\nafter loading one ledger: load + precompute {loaded:.1f} s wall / {loaded_cpu:.1f} CPU-s, "
          f"first overview (script run) {first:.2f} s wall / {first_cpu:.2f} CPU-s")
    print(f"load average (1/5/15 min) before {before[0]:.1f}/{before[1]:.1f}/{before[2]:.1f}, "
          f"after {after[0]:.1f}/{after[1]:.1f}/{after[2]:.1f} on {os.cpu_count()} cores")
