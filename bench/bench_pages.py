"""Render time of every page on the default county (goal <= 1.5 s).

    python bench/bench_pages.py

Two numbers per page: the server-side script run (Streamlit's AppTest, warm caches: the second
run) and what a person waits for in headless Chromium (page load until the script has finished).
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from _county import ROOT, loaded_store

sys.path.insert(0, str(ROOT / "tests"))
from browser import PAGES, chromium, open_page, running_app  # noqa: E402


def apptest_seconds(db: str) -> dict[str, float]:
    from streamlit.testing.v1 import AppTest

    os.environ["ORGNET_DB"] = db
    out = {}
    for url, _, _ in PAGES:
        path = "views/" + {"org": "org_chart", "import": "imports"}.get(url, url) + ".py"
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        at.run()
        at.switch_page(path).run()  # cold: fills caches
        t0 = time.perf_counter()
        at.switch_page(path).run()
        out[url] = time.perf_counter() - t0
        assert not at.exception, (url, at.exception)
    from views import _shared
    _shared.store().close()
    _shared.store.clear()
    return out


def browser_seconds(db: str) -> dict[str, float]:
    out = {}
    with running_app(db) as base, chromium() as driver:
        for url, title, _ in PAGES:
            open_page(driver, base, url, title, timeout=300)  # cold
            out[url] = open_page(driver, base, url, title, timeout=300)
    return out


if __name__ == "__main__":
    store = loaded_store(1.0)
    db = store.location
    store.close()
    server = apptest_seconds(db)
    browser = browser_seconds(db)
    print("| page | script run (warm) s | in Chromium (warm) s |")
    print("|---|---|---|")
    for url, title, _ in PAGES:
        print(f"| {title} | {server[url]:.2f} | {browser[url]:.2f} |")
