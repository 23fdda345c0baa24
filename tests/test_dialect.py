from __future__ import annotations

import pytest

from graph.dialect import for_backend, parameters, select_variant, to_kuzu


@pytest.mark.parametrize("neo4j, kuzu", [
    ("RETURN type(r) AS t", "RETURN label(r) AS t"),
    ("RETURN toString(n.level)", "RETURN cast(n.level AS STRING)"),
    ("RETURN toInteger(toFloat(x) * 2)", "RETURN cast(cast(x AS DOUBLE) * 2 AS INT64)"),
    ("RETURN split(n.name, '、')", "RETURN string_split(n.name, '、')"),
    ("RETURN datetime() AS now, date() AS today", "RETURN current_timestamp() AS now, current_date() AS today"),
    ("RETURN date('2023-05-01')", "RETURN date('2023-05-01')"),
    ("RETURN toString('toInteger(x)')", "RETURN cast('toInteger(x)' AS STRING)"),
    ("RETURN n.type AS t // type(r) stays in a comment", "RETURN n.type AS t // type(r) stays in a comment"),
    ("RETURN point.distance(a, b)", "RETURN point.distance(a, b)"),
    ("MATCH (n) WHERE toLower(n.name) CONTAINS $q RETURN n", "MATCH (n) WHERE lower(n.name) CONTAINS $q RETURN n"),
])
def test_kuzu_rewrites(neo4j, kuzu):
    assert to_kuzu(neo4j) == kuzu


def test_rewritten_functions_run_on_kuzu(kuzu_store):
    rows = kuzu_store.query("RETURN toString(12) AS s, toInteger('7') AS i, toFloat('1.5') AS f, "
                            "split('a、b', '、') AS parts, toUpper('ab') AS u, date() = date() AS today")
    assert rows == [{"s": "12", "i": 7, "f": 1.5, "parts": ["a", "b"], "u": "AB", "today": True}]


VARIANT = """MATCH (a:Person {id: $a})
//@neo4j
MATCH p = shortestPath((a)-[*..6]-(b:Household {id: $b}))
//@kuzu
MATCH p = (a)-[* SHORTEST 1..6]-(b:Household {id: $b})
//@both
RETURN length(p) AS hops"""


def test_variants_pick_one_block():
    assert "shortestPath" in select_variant(VARIANT, "neo4j") and "SHORTEST 1" not in select_variant(VARIANT, "neo4j")
    kz = for_backend(VARIANT, "kuzu")
    assert "SHORTEST 1..6" in kz and "shortestPath" not in kz and kz.endswith("RETURN length(p) AS hops")
    with pytest.raises(ValueError):
        select_variant(VARIANT, "oracle")


def test_shortest_path_variant_runs_on_kuzu(kuzu_store):
    kuzu_store.upsert_nodes("Person", [{"id": "p", "name": "甲", "is_member": True}])
    kuzu_store.upsert_nodes("Household", [{"id": "h", "address": "x"}, {"id": "h2", "address": "y"}])
    kuzu_store.upsert_nodes("Unit", [{"id": "u", "name": "1单元"}])
    kuzu_store.upsert_rels("LIVES_IN", "Person", "Household", [{"src": "p", "dst": "h2"}])
    kuzu_store.upsert_rels("PART_OF", "Household", "Unit", [{"src": "h", "dst": "u"}, {"src": "h2", "dst": "u"}])
    assert kuzu_store.query(VARIANT, {"a": "p", "b": "h"}) == [{"hops": 3}]


def test_parameters_ignore_literals_and_comments():
    assert parameters("MATCH (n {id: $id}) WHERE n.x = '$no' // $nope\nRETURN $k") == {"id", "k"}
