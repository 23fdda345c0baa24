"""Everything a store or a tool needs to know about the model, derived from ``graph.model``.

Kùzu DDL, Neo4j constraints and indexes, the Cypher linter's schema and the upsert statements are
generated here so that no label, type or property is ever written twice.
"""
from __future__ import annotations

from .model import MODEL, Model, NodeType, RelType

#: Properties worth an index in Neo4j (lookups by name, address and phone in the search pages).
INDEXED = ("name", "address", "phone", "id_card")


def kuzu_ddl(model: Model = MODEL) -> list[str]:
    """``CREATE NODE/REL TABLE IF NOT EXISTS`` statements, node tables first."""
    out = []
    for n in model.nodes:
        cols = [f"{n.key} STRING PRIMARY KEY"] + [f"{p.name} {p.type}" for p in n.all_props if p.name != n.key]
        out.append(f"CREATE NODE TABLE IF NOT EXISTS {n.label}({', '.join(cols)})")
    for r in model.rels:
        pairs = [f"FROM {a} TO {b}" for a, b in r.pairs]
        cols = [f"{p.name} {p.type}" for p in r.all_props]
        out.append(f"CREATE REL TABLE IF NOT EXISTS {r.type}({', '.join(pairs + cols)})")
    return out


def _snake(label: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in label).lstrip("_")


def neo4j_schema(model: Model = MODEL) -> list[str]:
    """Uniqueness constraints on every key, and range indexes on the properties users search by."""
    out = []
    for n in model.nodes:
        out.append(f"CREATE CONSTRAINT {_snake(n.label)}_{n.key} IF NOT EXISTS "
                   f"FOR (n:{n.label}) REQUIRE n.{n.key} IS UNIQUE")
    for n in model.nodes:
        for p in n.props:
            if p.name in INDEXED:
                out.append(f"CREATE INDEX {_snake(n.label)}_{p.name} IF NOT EXISTS FOR (n:{n.label}) ON (n.{p.name})")
    return out


def linter_schema(model: Model = MODEL) -> dict:
    """The schema handed to Neo4j's Cypher linter: labels, relationship types, property keys."""
    return {
        "labels": list(model.labels),
        "relationshipTypes": list(model.rel_types),
        "propertyKeys": list(model.property_keys()),
    }


def _set_clause(var: str, columns: list[str], source: str = "row") -> str:
    return ", ".join(f"{var}.{c} = {source}.{c}" for c in columns)


def check_columns(owner: NodeType | RelType, columns: list[str]) -> None:
    """Refuse a column the model does not declare: it would be a binder error in Kùzu."""
    known = {p.name for p in owner.all_props}
    name = owner.name
    bad = [c for c in columns if c not in known]
    if bad:
        raise KeyError(f"{name} has no propert{'y' if len(bad) == 1 else 'ies'} {', '.join(bad)}; "
                       f"declared: {', '.join(sorted(known))}")


def neo4j_upsert_nodes(label: str, columns: list[str], model: Model = MODEL) -> str:
    """``UNWIND $rows`` + ``MERGE`` on the key, setting exactly the given columns."""
    n = model.node(label)
    cols = [c for c in columns if c != n.key]
    check_columns(n, cols)
    q = f"UNWIND $rows AS row MERGE (n:{label} {{{n.key}: row.{n.key}}})"
    return q + (f" SET {_set_clause('n', cols)}" if cols else "")


def neo4j_upsert_rels(type_: str, start: str, end: str, columns: list[str], model: Model = MODEL) -> str:
    """``UNWIND $rows`` (keys ``src``, ``dst`` and the columns) + ``MERGE`` one relationship per pair."""
    r = model.rel(type_)
    if not r.allows(start, end):
        raise ValueError(f"{type_} does not join {start} to {end}; allowed: {r.pairs}")
    check_columns(r, columns)
    a, b = model.node(start), model.node(end)
    q = (f"UNWIND $rows AS row MATCH (a:{start} {{{a.key}: row.src}}) MATCH (b:{end} {{{b.key}: row.dst}}) "
         f"MERGE (a)-[r:{type_}]->(b)")
    return q + (f" SET {_set_clause('r', columns)}" if columns else "")


def _col_sets(var: str, columns: list[str]) -> str:
    return ", ".join(f"{var}.{c} = ${c}[i]" for c in columns)


def neo4j_node_columns(label: str, columns: list[str], mode: str = "merge", model: Model = MODEL) -> str:
    """A column batch of nodes: one list parameter per column (``$id``, ``$name`` …, all of one
    length), no map per row. ``mode``: ``merge`` (existence unknown), ``create`` (rows known to be
    new: no index probe before the write) or ``update`` (rows known to exist)."""
    n = model.node(label)
    cols = [c for c in columns if c != n.key]
    check_columns(n, cols)
    head = f"UNWIND range(0, size(${n.key}) - 1) AS i "
    if mode == "create":
        return head + f"CREATE (n:{label}) SET n.{n.key} = ${n.key}[i]" + "".join(f", n.{c} = ${c}[i]" for c in cols)
    verb = {"merge": "MERGE", "update": "MATCH"}[mode]
    return head + f"{verb} (n:{label} {{{n.key}: ${n.key}[i]}})" + (f" SET {_col_sets('n', cols)}" if cols else "")


def neo4j_rel_columns(type_: str, start: str, end: str, columns: list[str], mode: str = "merge",
                      model: Model = MODEL) -> str:
    """A column batch of relationships (``$src``, ``$dst`` and one list per property); endpoints are
    found through the key constraints' indexes. ``mode``: ``merge``, ``create`` (pairs known not to
    be joined yet) or ``update`` (pairs known to be joined)."""
    r = model.rel(type_)
    if not r.allows(start, end):
        raise ValueError(f"{type_} does not join {start} to {end}; allowed: {r.pairs}")
    cols = [c for c in columns if c not in ("src", "dst")]
    check_columns(r, cols)
    a, b = model.node(start), model.node(end)
    head = "UNWIND range(0, size($src) - 1) AS i "
    if mode == "update":
        q = head + f"MATCH (:{start} {{{a.key}: $src[i]}})-[r:{type_}]->(:{end} {{{b.key}: $dst[i]}})"
    else:
        q = (head + f"MATCH (a:{start} {{{a.key}: $src[i]}}) MATCH (b:{end} {{{b.key}: $dst[i]}}) "
             + {"merge": "MERGE", "create": "CREATE"}[mode] + f" (a)-[r:{type_}]->(b)")
    return q + (f" SET {_col_sets('r', cols)}" if cols else "")


def neo4j_delete_rels(type_: str, start: str, end: str, model: Model = MODEL) -> str:
    """Remove the listed relationships (used by a ``--replace`` load)."""
    model.rel(type_)
    a, b = model.node(start), model.node(end)
    return (f"UNWIND $rows AS row MATCH (a:{start} {{{a.key}: row.src}})-[r:{type_}]->(b:{end} {{{b.key}: row.dst}}) "
            f"DELETE r")


MODES = ("merge", "create", "update")


def all_neo4j_statements(model: Model = MODEL) -> list[str]:
    """Every statement shape orgnet's Neo4j store can send outside the named queries (for linting)."""
    from .derived import fill_statements, missing_check, statements

    out = list(neo4j_schema(model)) + statements() + fill_statements() + [missing_check()]
    for n in model.nodes:
        out.append(neo4j_upsert_nodes(n.label, [p.name for p in n.all_props], model))
        out += [neo4j_node_columns(n.label, [p.name for p in n.all_props], m, model) for m in MODES]
    for r in model.rels:
        for a, b in r.pairs:
            out.append(neo4j_upsert_rels(r.type, a, b, [p.name for p in r.all_props], model))
            out += [neo4j_rel_columns(r.type, a, b, [p.name for p in r.all_props], m, model) for m in MODES]
            out.append(neo4j_delete_rels(r.type, a, b, model))
            out.append(neo4j_missing_endpoints(r.type, a, b, model))
            out.append(rels_from_source(r.type, a, b, model))
            out.append(snapshot_rels(r.type, a, b, model))
    out += [snapshot_nodes(n.label, model) for n in model.nodes]
    return out


def snapshot_nodes(label: str, model: Model = MODEL) -> str:
    """Every node of ``label`` with all its ledger properties (a load's snapshot, for ``orgnet diff``);
    derived properties (``graph.derived``) are left out: no ledger row changes them."""
    n = model.node(label)
    return f"MATCH (n:{label}) RETURN " + ", ".join(f"n.{p.name} AS {p.name}" for p in n.all_props if not p.derived)


def snapshot_rels(type_: str, start: str, end: str, model: Model = MODEL) -> str:
    """Every relationship of one type between two labels, with its endpoints' keys and all its properties."""
    r = model.rel(type_)
    a, b = model.node(start), model.node(end)
    return (f"MATCH (x:{start})-[r:{type_}]->(y:{end}) RETURN x.{a.key} AS src, y.{b.key} AS dst"
            + "".join(f", r.{p.name} AS {p.name}" for p in r.all_props))


def neo4j_missing_endpoints(type_: str, start: str, end: str, model: Model = MODEL) -> str:
    """Rows of a relationship batch whose start or end node does not exist (checked before MERGE)."""
    model.rel(type_)
    a, b = model.node(start), model.node(end)
    return (f"UNWIND $rows AS row OPTIONAL MATCH (a:{start} {{{a.key}: row.src}}) "
            f"OPTIONAL MATCH (b:{end} {{{b.key}: row.dst}}) WITH row, a, b WHERE a IS NULL OR b IS NULL "
            "RETURN row.src AS src, row.dst AS dst, a IS NULL AS no_src, b IS NULL AS no_dst")


def rels_from_source(type_: str, start: str, end: str, model: Model = MODEL) -> str:
    """Relationships an earlier load wrote from one file and sheet, with their properties and provenance
    (``--replace`` retires the missing ones and keeps them as ``EndedRel`` history)."""
    model.rel(type_)
    a, b = model.node(start), model.node(end)
    props = "".join(f", r.{p.name} AS {p.name}" for p in model.rel(type_).all_props)
    return (f"MATCH (x:{start})-[r:{type_}]->(y:{end}) WHERE r.src_file = $file AND r.src_sheet = $sheet "
            f"RETURN x.{a.key} AS src, y.{b.key} AS dst{props}")
