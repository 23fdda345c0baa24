"""Hierarchies that must stay trees: the grid levels (SUBGRID_OF) and the party chain
(SUBORDINATE_TO). A parent chain that comes back to where it started is a ``hierarchy-cycle``
error on every row that closes it, checked against this load and the database together."""
from __future__ import annotations

from graph.model import MODEL
from graph.store import GraphStore


# Hierarchies that must stay trees: (ledger, parent column, relationship, label).
HIERARCHIES = (("grids", "上级网格编号", "SUBGRID_OF", "Grid"),
               ("party_orgs", "上级党组织编号", "SUBORDINATE_TO", "PartyOrg"))


def cycles(sheets, store: GraphStore | None) -> None:
    """A parent chain that comes back to where it started, in this load or together with the
    database (re-parenting an organisation under its own child by a later load)."""
    import networkx as nx

    for ledger, header, rel, label in HIERARCHIES:
        rows = [(rec, i) for sd in sheets if sd.spec.name == ledger for rec in sd.records
                for lab, i in rec.resolved.get(header, []) if lab == label and rec.key and i != rec.key]
        if not rows:
            continue
        g = nx.DiGraph()
        g.add_edges_from((rec.key, parent) for rec, parent in rows)
        if store is not None:
            g.add_edges_from((r["a"], r["b"]) for r in store.query(
                f"MATCH (a:{label})-[:{rel}]->(b:{label}) RETURN a.id AS a, b.id AS b"))
        looped = {n for scc in nx.strongly_connected_components(g) if len(scc) > 1 for n in scc}
        kind = MODEL.node(label).zh
        for rec, parent in rows:
            if rec.key in looped and parent in looped:
                try:
                    loop = [a for a, _ in nx.find_cycle(g, source=rec.key)]
                except nx.NetworkXNoCycle:  # pragma: no cover - the node is in a cycle
                    loop = [rec.key, parent]
                chain = " → ".join([*loop, loop[0]])
                rec.error("hierarchy-cycle", header, parent,
                          f"上级关系形成了循环（{chain}）：{kind}不能是自己下级的下级。请改正其中一个“{header}”"
                          "（数据库中已有的上级关系也算在内）")
