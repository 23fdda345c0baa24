"""Fixtures: every store test runs on a real embedded Kùzu database and on a real Neo4j server.

The Neo4j server is the one ``tests/neo4j_server.py`` starts from Maven Central (once per session,
on a free port), unless ``NEO4J_URI`` points the suite at a server of your own — which it then
**wipes**, so use a throwaway one. With ``CI=true`` a missing Java or Maven fails the run; it never
skips the Neo4j tests there. The server boots in a background thread as soon as collection shows a
Neo4j test, so its boot overlaps the Kùzu tests that run first.

Neo4j Community has one user database, so tests take turns on it: a test that writes gets it wiped
(``store``), and data that a module only reads is loaded once and reloaded only when another test
wiped it in between (``shared_dataset``).

Under pytest-xdist (the README's ``-n 2``) every worker is such a session of its own, with its own
servers; ``schedule.py`` says which worker runs which file.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from graph.config import open_store
from graph.model import Prop
import schedule
from neo4j_server import ServerUnavailable, TestServer, missing_tools
from schedule import RUN_TOGETHER

BACKENDS = ["kuzu", "neo4j"]
NEO4J_KEYS = ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE")


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_sessionstart(session):
    try:  # pytest-xdist's worker count: in a worker its environment, in the controller -n
        workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or getattr(session.config.option, "numprocesses", 0) or 0)
    except (TypeError, ValueError):
        workers = 0
    if os.environ.get("NEO4J_URI") and workers > 1:
        pytest.exit(f"NEO4J_URI names one Neo4j server, but {workers} pytest-xdist workers would wipe and load "
                    "its one database at the same time. Run without -n (or with -n 0) against a server of your "
                    "own; the suite's own servers (NEO4J_URI unset) are one per worker.", returncode=4)
    if _in_ci() and not os.environ.get("NEO4J_URI") and missing_tools():
        pytest.exit(f"CI=true but {' and '.join(missing_tools())} is missing: the Neo4j half of the suite "
                    "needs Java 17 and Maven to start its test server (or NEO4J_URI for an external one). "
                    "Refusing to run only half the suite.", returncode=3)


class BackgroundServer:
    """A test Neo4j started in a thread: its boot (20–30 s of Java) overlaps the tests that run before
    the first one that needs it, instead of stopping the run."""

    def __init__(self, **options):
        self.server: TestServer | None = None
        self.error: Exception | None = None
        self._thread = threading.Thread(target=self._start, args=(options,), daemon=True)
        self._thread.start()

    def _start(self, options) -> None:
        try:
            self.server = TestServer.start(**options)
        except Exception as e:  # noqa: BLE001 - handed to the test that asks for the server
            self.error = e

    def get(self) -> TestServer:
        self._thread.join()
        if self.error is not None:
            raise self.error
        return self.server

    def stop(self) -> None:
        self._thread.join()
        if self.server is not None:
            self.server.stop()


#: servers booting or up: "main" (every Neo4j test) and "tx-limited" (test_neo4j_server's 4 MB one)
_SERVERS: dict[str, BackgroundServer] = {}
#: the tx-limited server: a transaction may use 4 MB; the smallest heap and page cache that boot
TX_LIMITED = {"heap": "256m", "page_cache": "16m", "settings": {"NEO4J_TEST_TX_MAX": "4m"}, "quick_jit": True}


def _needs_neo4j(item) -> bool:
    params = getattr(getattr(item, "callspec", None), "params", {})
    return "neo4j" in params.values() or "neo4j_env" in item.fixturenames


def pytest_collection_finish(session):
    """Start the suite's Neo4j as soon as it is known that a collected test needs it."""
    if os.environ.get("NEO4J_URI") or missing_tools() or session.config.option.collectonly:
        return  # an external server, or none (the fixture says why), or nothing runs
    if any(_needs_neo4j(item) for item in session.items):
        _SERVERS["main"] = BackgroundServer(quick_jit=True)
    if any("tx_limited_neo4j" in item.fixturenames for item in session.items) and not schedule.in_worker():
        _SERVERS["tx-limited"] = None  # started once the main server is up, so the two boots do not compete


_TX_LIMITED_FILES: set | None = None


def pytest_runtest_setup(item):
    """A test that asks for ``neo4j_env`` itself gets the raw server and may empty or write its one
    database (``test_neo4j_server`` does): afterwards no data set counts as loaded there. (The suite
    ran such a file after the modules that share the mini county only by alphabetical luck; under
    xdist the order is by cost.)

    Under pytest-xdist a worker learns its files only as it gets them: it boots the tx-limited
    server when it starts the file that needs it (its test is the file's last), not in every worker."""
    global _TX_LIMITED_FILES
    if "neo4j_env" in item.fixturenames:
        _SLOT.holds = None
    if not schedule.in_worker() or "tx-limited" in _SERVERS:
        return
    if _TX_LIMITED_FILES is None:
        _TX_LIMITED_FILES = {i.path for i in item.session.items if "tx_limited_neo4j" in i.fixturenames}
    if item.path in _TX_LIMITED_FILES and not os.environ.get("NEO4J_URI") and not missing_tools():
        _SERVERS["tx-limited"] = BackgroundServer(**TX_LIMITED)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    first = {}
    for i, item in enumerate(items):
        first.setdefault(item.path.name, i)

    def place(item):
        after = RUN_TOGETHER.get(item.path.name)
        return (first[after], 1) if after in first else (first[item.path.name], 0)

    items.sort(key=place)  # stable: the order inside each module is kept
    if schedule.in_worker():  # pytest-xdist hands files out in this order: heaviest first
        items.sort(key=lambda item: -schedule.cost(item.path.name))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    return schedule.make_scheduler(config, log)


def pytest_sessionfinish(session):
    for server in _SERVERS.values():
        if server is not None:
            server.stop()
    _SERVERS.clear()


@pytest.fixture(scope="session")
def neo4j_env() -> dict[str, str]:
    """Connection settings for the Neo4j the suite uses (external via NEO4J_URI, else our own)."""
    if os.environ.get("NEO4J_URI"):
        yield {k: os.environ[k] for k in NEO4J_KEYS if os.environ.get(k)}
        return
    if missing_tools():
        error = ServerUnavailable(f"{' and '.join(missing_tools())} not found on PATH")
    else:
        booting = _SERVERS.get("main") or _SERVERS.setdefault("main", BackgroundServer(quick_jit=True))
        try:
            server, error = booting.get(), None
        except ServerUnavailable as e:
            error = e
    if error is not None:
        if _in_ci():
            pytest.fail(f"CI=true and the test Neo4j cannot start: {error}", pytrace=False)
        pytest.skip(f"no Neo4j: {error}")
    if "tx-limited" in _SERVERS and _SERVERS["tx-limited"] is None:
        _SERVERS["tx-limited"] = BackgroundServer(**TX_LIMITED)
    try:
        yield server.env()
    finally:
        server.stop()


@pytest.fixture(scope="module")
def tx_limited_neo4j() -> TestServer:
    """A second test server whose transactions may use at most 4 MB (booted in the background once
    the main one is up; stopped when the module using it ends)."""
    booting = _SERVERS.get("tx-limited") or BackgroundServer(**TX_LIMITED)
    _SERVERS["tx-limited"] = booting
    try:
        yield booting.get()
    finally:
        booting.stop()


class Neo4jSlot:
    """Which data set the one Neo4j database currently holds (None: wiped or written by a test)."""

    def __init__(self):
        self.holds: str | None = None


_SLOT = Neo4jSlot()
#: what each data set's fill returned, by key (a later module may find the Neo4j database still holds it)
_FILLED: dict[str, object] = {}


def fresh_store(backend: str, tmp_path, neo4j_env: dict[str, str] | None, name: str = "test"):
    """An empty store with the schema, of the given backend."""
    if backend == "kuzu":
        s = open_store(str(tmp_path / f"{name}.kuzu"))
    else:
        s = open_store(env=neo4j_env)
        s.clear()
        _SLOT.holds = None
    s.create_schema()
    return s


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def store(request, backend, tmp_path):
    env = request.getfixturevalue("neo4j_env") if backend == "neo4j" else None
    s = fresh_store(backend, tmp_path, env)
    yield s
    s.close()


@pytest.fixture
def neo4j_env_if(request):
    """``f(store)``: the Neo4j settings when ``store`` is a Neo4j store, else None."""
    return lambda s: request.getfixturevalue("neo4j_env") if s.backend == "neo4j" else None


@pytest.fixture
def kuzu_store(tmp_path):
    s = open_store(str(tmp_path / "test.kuzu"))
    s.create_schema()
    yield s
    s.close()


@pytest.fixture
def db_target(request, backend, tmp_path, monkeypatch) -> str:
    """A ``--db`` value for CLI tests: a fresh Kùzu path, or the (wiped) Neo4j URI with its
    credentials in the environment, as a user would set them."""
    if backend == "kuzu":
        monkeypatch.delenv("NEO4J_URI", raising=False)
        return str(tmp_path / "cli.kuzu")
    env = request.getfixturevalue("neo4j_env")
    for k in NEO4J_KEYS:
        monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        if k != "NEO4J_URI":
            monkeypatch.setenv(k, v)
    with open_store(env=env) as s:
        s.clear()
    _SLOT.holds = None
    return env["NEO4J_URI"]


def shared_dataset(request, backend: str, key: str, tmp_path_factory, fill: Callable) -> "SharedDataset":
    """A store holding data that tests only read, filled once per backend (``fill(store, tmp)``
    returns whatever the tests should know about it)."""
    tmp = tmp_path_factory.mktemp(key)
    env = request.getfixturevalue("neo4j_env") if backend == "neo4j" else None
    return SharedDataset(backend, key, tmp, env, fill)


class SharedDataset:
    def __init__(self, backend, key, tmp, env, fill):
        self.backend, self.key, self.tmp, self.env, self.fill = backend, key, tmp, env, fill
        self.store = None
        self.info = None

    def get(self):
        """The store, (re)filled if the Neo4j database no longer holds this data set."""
        if self.store is None and self.backend == "neo4j" and _SLOT.holds == self.key and self.key in _FILLED:
            # another module filled the one Neo4j database with this data set and nothing wiped it since
            self.store = open_store(env=self.env)
            self.info = _FILLED[self.key]
        elif self.store is None:
            self.store = fresh_store(self.backend, self.tmp, self.env, self.key)
            self.info = self.fill(self.store, self.tmp)
            if self.backend == "neo4j":
                _SLOT.holds = self.key
                _FILLED[self.key] = self.info
        elif self.backend == "neo4j" and _SLOT.holds != self.key:
            self.store.clear()
            self.store.create_schema()
            self.info = self.fill(self.store, self.tmp)
            _SLOT.holds = self.key
            _FILLED[self.key] = self.info
        return self.store

    def app_env(self) -> dict[str, str]:
        """Environment for a process (or AppTest) that should open this data set."""
        self.get()
        if self.backend == "kuzu":
            return {"ORGNET_DB": self.store.location}
        return dict(self.env)

    def cli_env(self, tmp: "os.PathLike") -> tuple[str, dict[str, str]]:
        """The ``--db`` value and the environment a CLI run needs to open this data set (on Neo4j the
        credentials, and an archive in ``tmp`` instead of the working folder's ``data/``)."""
        self.get()
        if self.backend == "kuzu":
            return self.store.location, {}
        env = {k: v for k, v in self.env.items() if k != "NEO4J_URI"}
        return self.env["NEO4J_URI"], {**env, "ORGNET_ARCHIVE": str(Path(tmp) / "archive"),
                                        "ORGNET_ACCESS": str(Path(tmp) / "access")}

    def db(self, monkeypatch, tmp) -> str:
        """A ``--db`` value (or ``open_store`` argument) for this data set, with whatever else it needs
        set in the environment for the test."""
        db, env = self.cli_env(tmp)
        for k in NEO4J_KEYS:
            monkeypatch.delenv(k, raising=False)
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        return db

    def written(self) -> None:
        """A test changed the data set: on Neo4j the next ``get`` loads it afresh."""
        if self.backend == "neo4j":
            _SLOT.holds = None

    def close(self):
        if self.store is not None:
            self.store.close()


@pytest.fixture(scope="module", params=BACKENDS)
def _quarters(request, tmp_path_factory):
    """Two quarters of a small demo county (``quarters.two_quarters``), loaded once per module and
    backend; the history tests and the history/figures pages read it. On Neo4j a module that runs
    after another one using it, with nothing wiped in between, does not load it again."""
    from quarters import two_quarters

    data = shared_dataset(request, request.param, "quarters", tmp_path_factory,
                          lambda s, tmp: two_quarters(tmp, store=s))
    yield data
    data.close()


@pytest.fixture
def quarters(_quarters):
    """The ``Quarters`` of ``_quarters`` with its store open."""
    store = _quarters.get()  # (re)fills it first: ``info`` is what that fill returned
    return dataclasses.replace(_quarters.info, store=store)


@pytest.fixture
def app_pages(monkeypatch):
    """``app_pages(env, timeout=120)`` → ``page(path)``: the app (``app.py`` in Streamlit's
    AppTest) on the database ``env`` names (``point_env_at``), switched to the page file ``path``,
    failing on any exception the page raised. The app keeps one store per process: it is closed,
    and the caches cleared, after the test, so the next test (or the CLI) can open the database."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    app_file = str(Path(__file__).resolve().parent.parent / "app.py")

    def pages(env: dict[str, str], timeout: float = 120):
        point_env_at(monkeypatch, env)

        def page(path: str) -> AppTest:
            at = AppTest.from_file(app_file, default_timeout=timeout)
            at.run()
            at.switch_page(path).run()
            assert not at.exception, [e.value for e in at.exception]
            return at

        return page

    yield pages
    from views import _shared
    _shared.store().close()
    _shared.store.clear()
    import streamlit as st
    st.cache_data.clear()


def point_env_at(monkeypatch, env: dict[str, str]) -> None:
    """Make ``open_store()`` with no arguments open what ``env`` names."""
    for k in NEO4J_KEYS + ("ORGNET_DB",):
        monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)


def sample_value(p: Prop, i: int = 0):
    """A value of the property's type (an allowed one where the model lists them)."""
    if p.values:
        v = p.values[i % len(p.values)]
        return [v] if p.type == "STRING[]" else v
    return {
        "STRING": f"{p.name}-{i}",
        "INT64": 7 + i,
        "DOUBLE": 36.5 + i,
        "BOOL": i % 2 == 0,
        "DATE": dt.date(2023, 5, 1) + dt.timedelta(days=i),
        "TIMESTAMP": dt.datetime(2024, 1, 2, 3, 4, 5) + dt.timedelta(hours=i),
        "STRING[]": [f"{p.name}-a", f"{p.name}-b"],
    }[p.type]
