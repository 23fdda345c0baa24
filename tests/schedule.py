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

#: seconds of each file, measured: wall time of its tests and fixtures in a run with -n 2 on a busy shared
#: machine (load average 12-28, session 5), so only their ratios mean anything; files under 10 s are left out
COST: dict[str, float] = {
    "test_browser.py": 532, "test_derived.py": 450, "test_load_promises.py": 375, "test_loaders.py": 337,
    "test_demo.py": 335, "test_neo4j_statements.py": 275, "test_figures.py": 258, "test_app.py": 181,
    "test_app_history.py": 156, "test_roles.py": 147, "test_neo4j_batches.py": 138,
    "test_neo4j_server.py": 138, "test_loader_checks.py": 136, "test_history.py": 115,
    "test_defects.py": 111, "test_cases.py": 109, "test_queries.py": 109, "test_access.py": 80,
    "test_derived_batch.py": 120, "test_planning.py": 69, "test_store.py": 65, "test_sso.py": 62, "test_app_planning.py": 61,
    "test_sweep.py": 51, "test_console.py": 51, "test_explain.py": 49, "test_columnar.py": 45,
    "test_serving.py": 36, "test_scope_stores.py": 20, "test_load_memory.py": 18,
    "test_cypherlint_tool.py": 18, "test_cells.py": 18, "test_docs_and_cli.py": 17, "test_model.py": 16,
    "test_firststart.py": 11,
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
