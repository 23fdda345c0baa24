"""The GraphStore contract, run against every available store (Kùzu always, Neo4j with NEO4J_URI)."""
from __future__ import annotations

import pytest

from conftest import sample_value
from graph.model import MODEL
from graph.schema import INDEXED
from graph.store import MissingEndpoints, QueryError, StoreError


def node_row(label: str, i: int = 0) -> dict:
    """Every property a writer sets (derived ones are the store's: see test_derived_properties)."""
    n = MODEL.node(label)
    row = {p.name: sample_value(p, i) for p in n.all_props if not p.derived}
    row[n.key] = f"{label}-{i}"
    return row


def test_every_label_round_trips(store):
    with store.transaction() as tx:
        for n in MODEL.nodes:
            assert tx.upsert_nodes(n.label, [node_row(n.label, 0), node_row(n.label, 1)]) == 2
    for n in MODEL.nodes:
        cols = ", ".join(f"n.{p.name} AS {p.name}" for p in n.all_props if not p.derived)
        got = store.query(f"MATCH (n:{n.label}) RETURN {cols} ORDER BY n.id")
        assert got == [node_row(n.label, 0), node_row(n.label, 1)], n.label


def test_a_column_batch_with_one_value_throughout_round_trips(store):
    """Columns holding one value in every row (a load's provenance, a property the ledger lacks)
    take a shortcut into Arrow on Kùzu: every type, and all-empty columns, read back as written."""
    n = 100
    with store.transaction() as tx:
        for node in MODEL.nodes:
            props = [p for p in node.all_props if not p.derived and p.name != node.key]
            columns = {node.key: [f"{node.label}-{i}" for i in range(n)]}
            for k, prop in enumerate(props):
                columns[prop.name] = [None if k % 3 == 2 else sample_value(prop, 0)] * n
            assert tx.upsert_node_columns(node.label, columns) == n
    for node in MODEL.nodes:
        props = [p for p in node.all_props if not p.derived and p.name != node.key]
        cols = ", ".join(f"n.{p.name} AS {p.name}" for p in props)
        got = store.query(f"MATCH (n:{node.label}) RETURN {cols}") if props else [{}] * n
        want = {p.name: None if k % 3 == 2 else sample_value(p, 0) for k, p in enumerate(props)}
        assert len(got) == n and all(row == want for row in got), node.label


def test_every_relationship_pair_round_trips(store):
    with store.transaction() as tx:
        for n in MODEL.nodes:
            tx.upsert_nodes(n.label, [node_row(n.label, 0), node_row(n.label, 1)])
    expected = {}
    with store.transaction() as tx:
        for r in MODEL.rels:
            for a, b in r.pairs:
                # a self-relationship joins two different nodes, like a real sub-grid
                row = {"src": f"{a}-0", "dst": f"{b}-1", **{p.name: sample_value(p) for p in r.all_props}}
                tx.upsert_rels(r.type, a, b, [row])
                expected[(r.type, a, b)] = row
    for (t, a, b), row in expected.items():
        cols = ", ".join(f"r.{p.name} AS {p.name}" for p in MODEL.rel(t).all_props)
        got = store.query(f"MATCH (x:{a})-[r:{t}]->(y:{b}) RETURN x.id AS src, y.id AS dst" + (f", {cols}" if cols else ""))
        assert got == [row], (t, a, b)
    counts = store.counts()
    for r in MODEL.rels:
        assert counts[r.type] == len(r.pairs), r.type


def test_upsert_is_idempotent_and_updates(store):
    people = [{"id": "p1", "name": "张三", "is_member": True}, {"id": "p2", "name": "李四", "is_member": False}]
    store.upsert_nodes("Person", people)
    store.upsert_nodes("Person", people)
    store.upsert_nodes("Household", [{"id": "h1", "address": "和园小区1号楼1单元101"}])
    link = [{"src": "p1", "dst": "h1", "kind": "普通住户"}]
    store.upsert_rels("LINKED_TO", "Person", "Household", link)
    store.upsert_rels("LINKED_TO", "Person", "Household", link)
    assert store.counts()["Person"] == 2
    assert store.counts()["LINKED_TO"] == 1
    # a changed row updates its node; columns not given are left alone
    store.upsert_nodes("Person", [{"id": "p1", "phone": "13800001111"}])
    assert store.query("MATCH (p:Person {id: $id}) RETURN p.name AS name, p.phone AS phone", {"id": "p1"}) == [
        {"name": "张三", "phone": "13800001111"}]
    store.upsert_rels("LINKED_TO", "Person", "Household", [{"src": "p1", "dst": "h1", "kind": "特殊群体"}])
    assert store.query("MATCH ()-[r:LINKED_TO]->() RETURN r.kind AS k") == [{"k": "特殊群体"}]


def test_duplicate_keys_in_one_batch_keep_the_last(store):
    store.upsert_nodes("Street", [{"id": "s1", "name": "旧名"}, {"id": "s1", "name": "新名"}])
    assert store.query("MATCH (s:Street) RETURN s.name AS name") == [{"name": "新名"}]


def test_missing_endpoints_write_nothing(store):
    store.upsert_nodes("Person", [{"id": "p1", "name": "张三", "is_member": True}])
    store.upsert_nodes("Household", [{"id": "h1", "address": "x"}])
    with pytest.raises(MissingEndpoints) as err:
        with store.transaction() as tx:
            tx.upsert_nodes("Household", [{"id": "h2", "address": "y"}])
            tx.upsert_rels("LINKED_TO", "Person", "Household",
                           [{"src": "p1", "dst": "h1"}, {"src": "p9", "dst": "h1"}, {"src": "p1", "dst": "h8"}])
    assert sorted(err.value.missing) == [("Household", "h8"), ("Person", "p9")]
    assert store.counts()["LINKED_TO"] == 0
    assert store.counts()["Household"] == 1  # h2 went with the rollback


def test_failed_statement_rolls_back_the_whole_transaction(store):
    with pytest.raises(QueryError):
        with store.transaction() as tx:
            tx.upsert_nodes("Street", [{"id": "s1", "name": "城关街道"}])
            tx.run("CREATE (:Street {id: 's1'})")  # the key is taken: refused by both engines
    assert store.counts()["Street"] == 0


def test_python_error_inside_a_transaction_rolls_back(store):
    with pytest.raises(ZeroDivisionError):
        with store.transaction() as tx:
            tx.upsert_nodes("Street", [{"id": "s1", "name": "城关街道"}])
            1 / 0
    assert store.counts()["Street"] == 0
    store.upsert_nodes("Street", [{"id": "s1", "name": "城关街道"}])  # the store is still usable
    assert store.counts()["Street"] == 1


def test_unknown_columns_and_pairs_are_refused(store):
    with pytest.raises(KeyError, match="nickname"):
        store.upsert_nodes("Person", [{"id": "p1", "nickname": "x"}])
    with pytest.raises((StoreError, ValueError), match="does not join"):
        store.upsert_rels("LINKED_TO", "Household", "Person", [{"src": "h1", "dst": "p1"}])


def test_delete_rels(store):
    store.upsert_nodes("Person", [{"id": "p1", "name": "甲", "is_member": True}, {"id": "p2", "name": "乙", "is_member": False}])
    store.upsert_nodes("Building", [{"id": "b1", "name": "1号楼"}])
    store.upsert_rels("BUILDING_LEADER_OF", "Person", "Building", [
        {"src": "p1", "dst": "b1", "in_service": True}, {"src": "p2", "dst": "b1", "in_service": False}])
    with store.transaction() as tx:
        assert tx.delete_rels("BUILDING_LEADER_OF", "Person", "Building", [("p2", "b1")]) == 1
    assert store.query("MATCH (p:Person)-[:BUILDING_LEADER_OF]->(:Building) RETURN p.id AS id") == [{"id": "p1"}]


def test_common_subset_cypher_runs_on_every_store(store):
    """The constructs named queries rely on behave the same on both engines."""
    store.upsert_nodes("Grid", [{"id": "g1", "name": "一网格", "level": 3}, {"id": "g2", "name": "二网格", "level": 3}])
    store.upsert_nodes("Person", [{"id": "w1", "name": "王", "is_member": False}])
    store.upsert_rels("GRID_WORKER_OF", "Person", "Grid", [{"src": "w1", "dst": "g1", "full_time": True}])
    rows = store.query(
        "MATCH (g:Grid) "
        "RETURN g.id AS id, COUNT { MATCH (p:Person)-[:GRID_WORKER_OF]->(g) } AS workers, "
        "EXISTS { MATCH (:Person)-[w:GRID_WORKER_OF]->(g) WHERE w.full_time } AS staffed, "
        "toString(g.level) AS level, {name: g.name} AS m ORDER BY id")
    assert rows == [
        {"id": "g1", "workers": 1, "staffed": True, "level": "3", "m": {"name": "一网格"}},
        {"id": "g2", "workers": 0, "staffed": False, "level": "3", "m": {"name": "二网格"}},
    ]
    empty = store.query("MATCH (g:Grid {id: 'none'}) RETURN coalesce(sum(g.level), 0) AS s, "
                        "coalesce(collect(g.id), []) AS ids")
    assert empty == [{"s": 0, "ids": []}]
    assert store.query("MATCH (:Person)-[r]->(:Grid) RETURN type(r) AS t") == [{"t": "GRID_WORKER_OF"}]


def test_query_columns_are_the_query_column_by_column(store):
    """``query_columns`` (how rule populations are fetched; on Neo4j one record of lists) gives what
    ``query`` gives, column by column: row order, nulls, dates and lists kept, parameters used, and
    the columns of an empty result."""
    import datetime

    people = [{"id": f"p{i}", "name": None if i % 3 == 0 else f"人{i}", "is_member": i % 2 == 0,
               "birth_date": datetime.date(1960 + i, 1, 2) if i % 4 else None} for i in range(12)]
    store.upsert_nodes("Person", people)
    statements = [
        ("MATCH (p:Person) RETURN p.id AS id, p.name AS name, p.is_member AS member, p.birth_date AS born "
         "ORDER BY p.name DESC, id", {}),
        ("MATCH (p:Person) WHERE p.is_member = $member RETURN count(p) AS n, min(p.id) AS first, "
         "[1, 2] AS pair", {"member": True}),
        ("MATCH (p:Person) WHERE p.id = $id RETURN p.id AS id, p.name AS name", {"id": "nobody"}),
    ]
    for cypher, params in statements:
        rows = store.query(cypher, params)
        cols = store.query_columns(cypher, params)
        assert {k: [r[k] for r in rows] for k in cols} == cols, cypher
        assert not rows or list(cols) == list(rows[0]), cypher
    assert store.query_columns(*statements[2]) == {"id": [], "name": []}
    assert datetime.date(1969, 1, 2) in store.query_columns(*statements[0])["born"]


def test_schema_exists_afterwards_and_create_is_idempotent(store):
    store.create_schema()  # a second time changes nothing and does not fail
    if store.backend == "kuzu":
        assert store.tables() == set(MODEL.labels) | set(MODEL.rel_types)
        return
    constraints = {(r["label"], r["prop"]) for r in store.query(
        "SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties WHERE type = 'UNIQUENESS' "
        "RETURN labelsOrTypes[0] AS label, properties[0] AS prop")}
    # the model's keys, plus the batched loads' own bookkeeping (graph.neo4j_batches: load marker, undo records)
    from graph.neo4j_batches import BEFORE, MARKER, UNDO
    assert constraints == {(n.label, n.key) for n in MODEL.nodes} | {(MARKER, "id")}
    indexes = {(r["label"], r["prop"]) for r in store.query(
        "SHOW INDEXES YIELD type, labelsOrTypes, properties, owningConstraint "
        "WHERE type = 'RANGE' AND owningConstraint IS NULL RETURN labelsOrTypes[0] AS label, properties[0] AS prop")}
    assert indexes == {(n.label, p.name) for n in MODEL.nodes for p in n.props if p.name in INDEXED} | \
        {(UNDO, "load"), (BEFORE, "_undo_load")}
    assert indexes  # names, addresses and phones are searched


def test_clear_empties_the_store_but_keeps_the_schema(store):
    store.upsert_nodes("Street", [{"id": "s1", "name": "城关街道"}])
    store.upsert_nodes("Community", [{"id": "c1", "name": "和园社区"}])
    store.upsert_rels("PART_OF", "Community", "Street", [{"src": "c1", "dst": "s1"}])
    store.clear()
    assert not any(store.counts().values())
    with pytest.raises(QueryError):  # the key constraint / primary key is still there
        store.write([("CREATE (:Street {id: 'x'})", None), ("CREATE (:Street {id: 'x'})", None)])
