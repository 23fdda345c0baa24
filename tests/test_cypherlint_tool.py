"""The offline Cypher linter (tools/cypherlint via graph.cypherlint)."""

import pytest

from graph import cypherlint
from graph.cypherlint import Diagnostic, LintUnavailable, lint

SCHEMA = {
    "labels": ["Person", "Household"],
    "relationshipTypes": ["LINKED_TO", "MEMBER_OF"],
    "propertyKeys": ["id", "name", "lat", "lon", "since"],
}

CLEAN = {
    "constraint": "CREATE CONSTRAINT person_id IF NOT EXISTS FOR (n:Person) REQUIRE n.id IS UNIQUE",
    "index": "CREATE INDEX person_name IF NOT EXISTS FOR (n:Person) ON (n.name)",
    "fulltext_index": "CREATE FULLTEXT INDEX person_ft IF NOT EXISTS FOR (n:Person) ON EACH [n.name]",
    "unwind_merge": "UNWIND $rows AS row MERGE (n:Person {id: row.id}) SET n.name = row.name",
    # row.src / row.dst are keys of a parameter map, not properties of a or b.
    "unwind_link": (
        "UNWIND $rows AS row "
        "MATCH (a:Person {id: row.src}) MATCH (b:Person {id: row.dst}) "
        "MERGE (a)-[r:LINKED_TO]->(b) SET r.since = row.since"
    ),
    "builtins": (
        "MATCH (p:Person)-[r:LINKED_TO]->(q:Person) "
        "RETURN coalesce(p.name, 'n/a'), count(q), collect(q.id), sum(r.since), toInteger('1'), "
        "toString(p.id), sin(1.0), cos(1.0), asin(0.5), sqrt(2.0), radians(90), size(keys(p)), "
        "labels(p), type(r), elementId(p)"
    ),
    "fulltext_query": (
        "CALL db.index.fulltext.queryNodes('person_ft', $q) YIELD node, score "
        "RETURN node.id, score"
    ),
    "exists_subquery": "MATCH (p:Person) WHERE EXISTS { MATCH (p)-[:MEMBER_OF]->(:Household) } RETURN p.id",
    "count_subquery": "MATCH (p:Person) RETURN p.id, COUNT { MATCH (p)-[:LINKED_TO]-() } AS degree",
    "call_subquery": (
        "MATCH (p:Person) "
        "CALL (p) { MATCH (p)-[:MEMBER_OF]->(h:Household) RETURN count(h) AS households } "
        "RETURN p.id, households"
    ),
    "shortest_path": (
        "MATCH (a:Person {id: $a}) MATCH (b:Person {id: $b}) "
        "MATCH path = shortestPath((a)-[:LINKED_TO*..6]-(b)) "
        "RETURN [x IN nodes(path) | x.id] AS ids, length(path) AS hops"
    ),
    "list_comprehension": (
        "MATCH (p:Person) WITH collect(p.name) AS names "
        "RETURN [x IN names WHERE x IS NOT NULL | toUpper(x)] AS upper"
    ),
    "map_projection": (
        "MATCH (p:Person) "
        "RETURN p {.id, .name, households: [(p)-[:MEMBER_OF]->(h:Household) | h.id]} AS person"
    ),
    "point_distance": (
        "MATCH (a:Person) "
        "RETURN point.distance(point({latitude: a.lat, longitude: a.lon}), "
        "point({latitude: 1.0, longitude: 2.0})) AS d"
    ),
    "multiline": "MATCH (p:Person)\nWHERE p.since > $t\nRETURN p.id\nORDER BY p.name",
}

FLAGGED = {
    "unknown_label": "MATCH (n:Persn) RETURN n",
    "unknown_rel_type": "MATCH (n:Person)-[:KNOWS]->(m:Person) RETURN m",
    "unknown_property": "MATCH (n:Person)\nWHERE n.nmae = $name\nRETURN n",
    "syntax_error": "MATCH (n:Person RETURN n",
    "unknown_function": "MATCH (n:Person) RETURN nosuchfn(n.id)",
    "unknown_procedure": "CALL db.nosuchproc()",
    "deprecated_function": "MATCH (n:Person) RETURN id(n)",
    "importing_with": "MATCH (p:Person) CALL { WITH p RETURN p.id AS pid } RETURN pid",
}


@pytest.fixture(scope="module")
def results() -> dict[str, list[Diagnostic]]:
    names = [*CLEAN, *FLAGGED]
    statements = [{**CLEAN, **FLAGGED}[name] for name in names]
    # No skip when the linter is missing: the Neo4j path is only checked here, so it must fail loudly.
    diagnostics = lint(statements, SCHEMA)
    assert len(diagnostics) == len(statements)
    return dict(zip(names, diagnostics))


@pytest.mark.parametrize("name", CLEAN)
def test_clean_statement_has_no_diagnostics(results, name):
    assert results[name] == []


def _only(diags: list[Diagnostic], severities: set[str], needle: str) -> Diagnostic:
    hits = [d for d in diags if d.severity in severities and needle in d.message]
    assert hits, diags
    return hits[0]


def test_unknown_label(results):
    d = _only(results["unknown_label"], {"warning", "error"}, "Persn")
    assert (d.line, d.column) == (1, 10)


def test_unknown_relationship_type(results):
    _only(results["unknown_rel_type"], {"warning", "error"}, "KNOWS")


def test_unknown_property(results):
    d = _only(results["unknown_property"], {"warning", "error"}, "nmae")
    assert (d.line, d.column) == (2, 9)


def test_syntax_error(results):
    d = _only(results["syntax_error"], {"error"}, "Invalid input 'RETURN'")
    assert (d.line, d.column) == (1, 17)


def test_unknown_function_and_procedure(results):
    _only(results["unknown_function"], {"error"}, "nosuchfn")
    _only(results["unknown_procedure"], {"error"}, "db.nosuchproc")


def test_deprecations_are_warnings(results):
    _only(results["deprecated_function"], {"warning"}, "deprecated")
    # Neo4j 5.23+ deprecates importing variables with WITH; CALL (p) { ... } is the clean form.
    assert [d.severity for d in results["importing_with"]] == ["warning"]
    _only(results["importing_with"], {"warning"}, "CALL (p)")


def test_empty_batch():
    assert lint([], SCHEMA) == []


def test_missing_node_modules_raises_with_hint(tmp_path, monkeypatch):
    monkeypatch.setattr(cypherlint, "TOOL_DIR", tmp_path)
    with pytest.raises(LintUnavailable, match="npm ci --prefix tools/cypherlint"):
        lint(["RETURN 1"], SCHEMA)


def test_the_timeout_scales_with_the_statements_and_a_busy_machine():
    from graph.cypherlint import lint_timeout

    quiet = lint_timeout(30, load=0.5, cores=2)
    assert quiet == 120.0  # 60 s + 2 s a statement
    assert lint_timeout(300, load=0.5, cores=2) == 660.0
    assert lint_timeout(30, load=10.0, cores=2) == 5 * quiet  # five times busier than the cores
    assert lint_timeout(30, load=4.0, cores=8) == quiet  # per core: 8 cores at load 4 are not busy
    assert lint_timeout(10_000, load=50.0, cores=1) == 3600.0  # but a hung linter still fails
