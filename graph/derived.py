"""Derived properties: facts computed from the graph, stored on it, and kept current by the stores.

Some answers need a walk that is cheap once and costly per view: whether a household's chain of
responsibility reaches the street (rule R16) asks, for every household, whether an organisation
whose chain of superiors reaches a street organisation looks after its unit, building, compound,
community or covering grid. Computed per view that walk grows faster than the city; computed once
per write it is a handful of set-based statements, and the rule becomes one join.

The derived properties are declared in the model (``Prop.derived``; no ledger fills them):

* ``PartyOrg.chain_ok`` — the organisation, or one of its superiors up to six levels up
  (``SUBORDINATE_TO``), is responsible for a street (``RESPONSIBLE_FOR``);
* ``Unit.chain_ok`` — such an organisation is responsible for the unit, its building, its
  compound or its community, or for a grid covering the unit, its building or its compound.

Both stores call :func:`refresh` inside every write transaction that touched one of the inputs
(:func:`touches`), just before it commits, so the derived values commit with the data they come
from: a reader never sees one without the other. ``create_schema`` fills them for a database
written before they existed.

Examples
--------
>>> touches("RESPONSIBLE_FOR", "PartyOrg", "Unit"), touches("PART_OF", "Household", "Unit")
(True, False)
>>> touches("Household"), touches("Unit")
(False, True)
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

#: (label, property) of every derived property, in the order they are computed.
PROPERTIES = (("PartyOrg", "chain_ok"), ("Unit", "chain_ok"))

#: How many levels of superiors a chain may climb (as ``SUBORDINATE_TO*0..6`` would).
MAX_LEVELS = 6

# Node labels whose new or removed nodes change a derived value, and relationship pairs whose
# changes do. A changed household, person or link changes nothing here.
_NODE_INPUTS = {"PartyOrg", "Unit"}
_REL_INPUTS = {
    "SUBORDINATE_TO": None,   # every pair
    "RESPONSIBLE_FOR": None,
    "COVERS": None,
    "PART_OF": {("Unit", "Building"), ("Building", "Compound"), ("Building", "Community"), ("Compound", "Community")},
}
_WRITE = re.compile(r"\b(CREATE|MERGE|SET|DELETE|REMOVE|COPY|DROP|ALTER)\b", re.I)
_NAMES = re.compile(r"\b(" + "|".join(sorted(_NODE_INPUTS | set(_REL_INPUTS))) + r")\b")

_PLACES = (
    # (pattern from an anchored organisation ``a`` to a unit ``u``) — the unit's own building must
    # exist, as the rule walks household → unit → building
    "(a)-[:RESPONSIBLE_FOR]->(u:Unit)-[:PART_OF]->(:Building)",
    "(a)-[:RESPONSIBLE_FOR]->(:Grid)-[:COVERS]->(u:Unit)-[:PART_OF]->(:Building)",
    "(a)-[:RESPONSIBLE_FOR]->(:Building)<-[:PART_OF]-(u:Unit)",
    "(a)-[:RESPONSIBLE_FOR]->(:Grid)-[:COVERS]->(:Building)<-[:PART_OF]-(u:Unit)",
    "(a)-[:RESPONSIBLE_FOR]->(:Compound)<-[:PART_OF]-(:Building)<-[:PART_OF]-(u:Unit)",
    "(a)-[:RESPONSIBLE_FOR]->(:Grid)-[:COVERS]->(:Compound)<-[:PART_OF]-(:Building)<-[:PART_OF]-(u:Unit)",
    "(a)-[:RESPONSIBLE_FOR]->(:Community)<-[:PART_OF]-(:Compound)<-[:PART_OF]-(:Building)<-[:PART_OF]-(u:Unit)",
    "(a)-[:RESPONSIBLE_FOR]->(:Community)<-[:PART_OF]-(:Building)<-[:PART_OF]-(u:Unit)",
)


def statements() -> list[str]:
    """The statements that recompute every derived property (common Cypher: both stores run them).

    Organisations are marked level by level from the street down — one plain join per level
    instead of a variable-length walk from every organisation."""
    out = ["MATCH (a:PartyOrg) SET a.chain_ok = false",
           "MATCH (a:PartyOrg)-[:RESPONSIBLE_FOR]->(:Street) SET a.chain_ok = true"]
    out += ["MATCH (a:PartyOrg)-[:SUBORDINATE_TO]->(p:PartyOrg) WHERE p.chain_ok = true AND a.chain_ok = false "
            "SET a.chain_ok = true"] * MAX_LEVELS
    out.append("MATCH (u:Unit) SET u.chain_ok = false")
    out += [f"MATCH (a:PartyOrg) WHERE a.chain_ok = true MATCH {p} SET u.chain_ok = true" for p in _PLACES]
    return out


def refresh(run: Callable[[str], Any]) -> None:
    """Recompute every derived property with ``run(statement)`` (inside the caller's transaction)."""
    for s in statements():
        run(s)


def touches(name: str, start: str | None = None, end: str | None = None) -> bool:
    """Whether writing nodes of label ``name``, or relationships of type ``name`` from ``start`` to
    ``end``, can change a derived value."""
    if name in _NODE_INPUTS:
        return True
    if name not in _REL_INPUTS:
        return False
    pairs = _REL_INPUTS[name]
    return pairs is None or start is None or (start, end) in pairs


def statement_touches(cypher: str) -> bool:
    """Whether a free-form statement may write an input (conservative: a write naming one)."""
    return bool(_WRITE.search(cypher) and _NAMES.search(cypher))


def missing_check() -> str:
    """A read statement counting units whose derived value was never computed (an older database)."""
    return "MATCH (u:Unit) WHERE u.chain_ok IS NULL RETURN count(u) AS n"
