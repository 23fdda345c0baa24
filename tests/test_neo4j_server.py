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


#: writes a console user might try, Kùzu's and Neo4j's
WRITES = [
    "CREATE (n:Street {id: 'x', name: 'x'})", "create (n:Street {id: 'x'})", "MERGE (n:Street {id: 'x'})",
    "MATCH (n:Street) SET n.name = 'x'", "MATCH (n:Street) SET n += {name: 'x'}", "MATCH (n:Street) DELETE n",
    "MATCH (n) DETACH DELETE n", "MATCH (n:Street) REMOVE n.name", "DROP TABLE Street",
    "DROP CONSTRAINT street_id", "CREATE INDEX x FOR (n:Street) ON (n.name)", "ALTER TABLE Street ADD x STRING",
    "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row", "LOAD FROM '/etc/passwd' RETURN *",
    "COPY Street FROM '/tmp/x.csv'", "MATCH (n:Street) FOREACH (x IN [1] | SET n.name = 'x')",
    "CALL apoc.create.node(['Street'], {id: 'x'})", "CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'DELETE n', {})",
    "CALL db.createLabel('X')", "CALL CREATE_FTS_INDEX('Street', 'x', ['name'])", "CALL DROP_FTS_INDEX('Street', 'x')",
    "INSTALL json", "LOAD EXTENSION json", "ATTACH '/tmp/other.kuzu' AS other (dbtype kuzu)", "USE other",
    "EXPORT DATABASE '/tmp/out'", "IMPORT DATABASE '/tmp/out'", "CHECKPOINT", "BEGIN TRANSACTION", "COMMIT",
    "ROLLBACK", "UNWIND [1, 2] AS i MERGE (:Street {id: toString(i)})", "CALL { CREATE (:Street {id: 'z'}) }",
    "// looks harmless\nMATCH (n:Street)\nWITH n\nSET n.name = 'x'", "CREATE DATABASE other", "STOP DATABASE neo4j",
    "GRANT ROLE admin TO bob", "MATCH (a:Street), (b:Community) CREATE (b)-[:PART_OF]->(a)",
]



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


def test_console_writes_are_refused_by_the_server_even_without_the_keyword_check(neo4j_env):
    """The keyword check (``queries.readonly.run``) is the first of three walls on Neo4j; without it,
    the plan's query type (EXPLAIN) and the read transaction still refuse every statement of the
    console's write corpus."""
    from queries.readonly import WriteRefused

    with open_store(env=neo4j_env) as s:
        s.clear()
        s.create_schema()
        s.upsert_nodes("Street", [{"id": "s1", "name": "城关街道"}])
        s.upsert_nodes("Community", [{"id": "c1", "name": "和园社区"}])
        before = s.counts()
        constraints = s.query("SHOW CONSTRAINTS YIELD name RETURN count(*) AS n")
        layers = {}
        for statement in WRITES:
            with pytest.raises((WriteRefused, QueryError)) as refused:
                s.query_readonly(statement)
            layers[statement] = type(refused.value).__name__
        assert s.counts() == before
        assert s.query("SHOW CONSTRAINTS YIELD name RETURN count(*) AS n") == constraints
        # most writes are caught by the plan, before anything runs; the rest do not even parse as
        # Neo4j Cypher (Kùzu's COPY, INSTALL, ATTACH …)
        assert sum(1 for v in layers.values() if v == "WriteRefused") >= 16, layers
        assert s.query_readonly("MATCH (n:Street) RETURN n.name AS name") == [{"name": "城关街道"}]
        s.clear()


@pytest.mark.skipif(bool(os.environ.get("NEO4J_URI")), reason="starts a second server of the suite's own")
def test_a_load_beyond_the_transaction_memory_limit_writes_nothing_or_fits_in_batches(tx_limited_neo4j, tmp_path, monkeypatch):
    """A load in one transaction (``ORGNET_NEO4J_BATCH_ROWS=0``): where the server's transaction memory
    cannot hold it, it fails with a message that says what to do, and nothing of it is written. In
    batch transactions the same load succeeds on the same server: every batch fits, the derived
    refresh of the whole county runs in batches too, and the last (anchor) transaction holds only
    the Load node."""
    from demo import generate
    from ledgers import MINI, write_csvs
    from loaders.engine import load

    g = generate("wuxiang", scale=0.1, seed=1, out_dir=tmp_path / "county", fmt="csv")
    with open_store(env=tx_limited_neo4j.env()) as s:
        s.create_schema()
        load(write_csvs(tmp_path / "a", {"街道乡镇": MINI["街道乡镇"]}), s)
        before = s.counts()
        monkeypatch.setenv("ORGNET_NEO4J_BATCH_ROWS", "0")
        with pytest.raises(QueryError, match="transaction memory") as refused:
            load(g.paths, s)
        assert "db.memory.transaction" in str(refused.value)
        assert s.counts() == before
        monkeypatch.setenv("ORGNET_NEO4J_BATCH_ROWS", "200")
        report = load(g.paths, s)
        assert sum(report.written.values()) > 20 * 200
        assert s.load_in_progress() == []
        assert s.query("MATCH (u) WHERE u:_OrgnetUndo OR u:_OrgnetBefore RETURN count(u) AS n")[0]["n"] == 0
        # the derived values are those the same load gives on the embedded store
        from graph import derived

        def values(store):
            return {(label, p): store.query(f"MATCH (n:{label}) RETURN n.id AS id, n.{p} AS v ORDER BY id")
                    for label, p in derived.PROPERTIES if p != "nearest_site_m"}

        with open_store(str(tmp_path / "same.kuzu")) as k:
            k.create_schema()
            load(write_csvs(tmp_path / "k", {"街道乡镇": MINI["街道乡镇"]}), k)
            load(g.paths, k)
            assert values(s) == values(k)


def test_a_columnar_result_beyond_the_transaction_memory_limit_streams_instead(tx_limited_neo4j):
    """``query_columns`` gathers a result into one record of lists; where the server's transaction
    memory cannot hold that list, the same columns come back streamed record by record."""
    cypher = "UNWIND range(1, 200000) AS i RETURN i AS n, 'row ' + toString(i) AS label, null AS nothing"
    with open_store(env=tx_limited_neo4j.env()) as s:
        from graph.neo4j_store import columnar
        from neo4j.exceptions import Neo4jError

        with pytest.raises(Neo4jError, match="MemoryPool"), s._driver.session() as session:
            session.run(columnar(cypher, ["n", "label", "nothing"])).consume()
        cols = s.query_columns(cypher)
    assert cols["n"] == list(range(1, 200001))
    assert cols["label"][-1] == "row 200000" and cols["nothing"] == [None] * 200000


def test_every_rule_is_fetched_as_one_record_of_lists(neo4j_env):
    """Each rule's statement nests in the columnar wrapper as it is (``query_columns`` would otherwise
    quietly stream records, 10-100x slower on a county's households)."""
    from graph.dialect import for_backend
    from graph.neo4j_store import columnar
    from queries import coverage

    with open_store(env=neo4j_env) as s, s._driver.session(database=s.database) as session:
        for rid, q in coverage.rules().items():
            cypher = for_backend(q.body, "neo4j")
            keys = list(session.run("EXPLAIN " + cypher, q.bind()).keys())
            record = session.run(columnar(cypher, keys), q.bind()).single(strict=True)
            assert list(record.keys()) == keys and all(isinstance(record[k], list) for k in keys), rid
