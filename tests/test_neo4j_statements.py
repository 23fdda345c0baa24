"""Every statement orgnet sends to Neo4j passes Neo4j's own linter against the model's schema."""
from __future__ import annotations

import pytest

from graph.cypherlint import lint
from graph.schema import all_neo4j_statements, linter_schema


@pytest.fixture(scope="module")
def schema():
    return linter_schema()


def test_every_generated_statement_lints_clean(schema):
    statements = all_neo4j_statements()
    results = lint(statements, schema)
    problems = {s: d for s, d in zip(statements, results) if d}
    assert not problems, "\n".join(f"{s}\n  {[x.message for x in d]}" for s, d in problems.items())


@pytest.mark.parametrize("wrong, expect", [
    ("MATCH (p:Persn) RETURN p.name", "Persn"),
    ("MATCH (p:Person)-[:LINKS_TO]->(h:Household) RETURN h.id", "LINKS_TO"),
    ("MATCH (h:Household) RETURN h.adress", "adress"),
    ("MATCH (p:Person RETURN p", ""),
])
def test_a_wrong_statement_fails_the_check(schema, wrong, expect):
    (diagnostics,) = lint([wrong], schema)
    assert diagnostics, f"the linter let through: {wrong}"
    assert any(expect in d.message for d in diagnostics)
