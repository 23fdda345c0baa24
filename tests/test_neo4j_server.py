"""What only a Neo4j server has: routing URIs, named databases, the test server itself."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from graph.config import open_store
from graph.store import QueryError, StoreUnavailable


def test_routing_uri_reaches_the_single_instance(neo4j_env):
    """neo4j:// asks the server for a routing table first; a single instance routes to itself."""
    uri = neo4j_env["NEO4J_URI"].replace("bolt://", "neo4j://", 1)
    with open_store(env={**neo4j_env, "NEO4J_URI": uri}) as s:
        s.clear()
        s.create_schema()
        s.upsert_nodes("Street", [{"id": "s1", "name": "城关街道"}])   # a write: routed to the writer
        assert s.query("MATCH (s:Street) RETURN s.name AS n") == [{"n": "城关街道"}]  # a read
        assert s.query_readonly("MATCH (s:Street) RETURN count(s) AS c") == [{"c": 1}]
        s.clear()


def test_neo4j_database_reaches_the_driver(neo4j_env):
    """NEO4J_DATABASE selects the database of every call; Community has only `neo4j` (and `system`),
    so a wrong name must fail clearly, and the right one must work."""
    with open_store(env={**neo4j_env, "NEO4J_DATABASE": "neo4j"}) as s:
        assert s.database == "neo4j"
        assert s.query("RETURN 1 AS one") == [{"one": 1}]
    with open_store(env={**neo4j_env, "NEO4J_DATABASE": "nosuchdb"}) as s:
        assert "nosuchdb" in s.location
        with pytest.raises(QueryError, match="nosuchdb"):
            s.query("RETURN 1 AS one")
        with pytest.raises(QueryError, match="nosuchdb"):
            with s.transaction() as tx:
                tx.run("RETURN 1 AS one")


def test_wrong_password_is_a_clear_error(neo4j_env):
    with pytest.raises(StoreUnavailable, match="NEO4J_PASSWORD"):
        open_store(env={**neo4j_env, "NEO4J_PASSWORD": "wrong-password"})


def test_nothing_listens_is_a_clear_error():
    from neo4j_server import free_port

    with pytest.raises(StoreUnavailable, match="cannot reach"):
        open_store(env={"NEO4J_URI": f"bolt://127.0.0.1:{free_port()}", "NEO4J_PASSWORD": "x"})


@pytest.mark.skipif(bool(os.environ.get("NEO4J_URI")), reason="checks the suite's own server; NEO4J_URI names another")
def test_ci_refuses_to_run_without_java_or_maven(tmp_path):
    """With CI=true and no Java/Maven on PATH the run fails, naming what is missing."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env.update(CI="true", PATH=os.path.dirname(sys.executable))  # python only: no java, no mvn
    test = tmp_path / "test_x.py"
    test.write_text("def test_x():\n    pass\n")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", root,
                           "-c", os.path.join(root, "pyproject.toml"), "--confcutdir", os.path.join(root, "tests"),
                           os.path.join(root, "tests", "test_cells.py"), "-k", "nothing_matches_this"],
                          env=env, cwd=root, capture_output=True, text=True)
    assert proc.returncode != 0
    assert "java" in proc.stdout + proc.stderr and "Maven" in proc.stdout + proc.stderr
