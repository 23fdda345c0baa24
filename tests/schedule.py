"""How the suite is shared between pytest-xdist's workers (``python -m pytest -n 2``).

Each worker is a pytest process of its own, with its own Neo4j test server (a free port, a temporary
data folder), so the two never see each other's database. A test file runs whole on one worker, so
its module-scoped fixtures (a loaded county, a running app) are set up once; files that read the same
data set one after the other (``RUN_TOGETHER``) count as one file. The heaviest files are handed out
first (``COST``, measured), so that the workers end together rather than one waiting for the other's
last long file. A file missing from ``COST`` (a new one) comes after the measured ones; that costs
balance, never a test.
"""
from __future__ import annotations

import os

#: modules that read the same data set: the second runs right after the first, so that on Neo4j (one
#: database, emptied by the modules in between) the data set is loaded once, not twice
RUN_TOGETHER = {"test_history.py": "test_app_history.py"}

#: seconds of each file (CPU of pytest, its Neo4j server, apps and browsers; measured with
#: ``--durations=0`` and a CPU-per-test plugin, session 5), only to order the hand-out
COST: dict[str, float] = {
    "test_browser.py": 240, "test_figures.py": 120, "test_derived.py": 110, "test_load_promises.py": 100,
    "test_app_history.py": 90, "test_cells.py": 80, "test_neo4j_statements.py": 60, "test_neo4j_server.py": 50,
    "test_access.py": 60,
}


def in_worker() -> bool:
    return bool(os.environ.get("PYTEST_XDIST_WORKER"))


def group(file_name: str) -> str:
    """The file a test file runs together with (itself, or the one it follows)."""
    return RUN_TOGETHER.get(file_name, file_name)


def cost(file_name: str) -> float:
    g = group(file_name)
    return COST.get(g, 0.0) + sum(COST.get(f, 0.0) for f, after in RUN_TOGETHER.items() if after == g)


def make_scheduler(config, log):
    """For ``-n N`` (xdist's default ``--dist load``) and ``--dist loadfile``: a scheduler that runs
    each file whole on one worker, keeps ``RUN_TOGETHER`` files on the same worker, and hands the files
    out in the order the workers collected them (heaviest first). Other ``--dist`` modes: xdist's own."""
    if config.getvalue("dist") not in ("load", "loadfile"):
        return None
    from xdist.scheduler import LoadFileScheduling

    class ByFile(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            folder, _, name = path.rpartition("/")
            return f"{folder}/{group(name)}" if folder else group(name)

    config.option.loadscopereorder = False  # keep our order, not "most tests first"
    return ByFile(config, log)
