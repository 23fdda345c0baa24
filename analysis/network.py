"""Network analysis that Cypher does poorly, on subgraphs pulled from the store with named queries.

* ``bridging_units``: co-building units that bridge communities (betweenness centrality in the
  unit–community network of reporting, pairing, 大党委 seats and members' reporting);
* ``orphan_orgs``: party organisations with no chain of superiors up to a street (township)
  party organisation — cut off from the county tree;
* ``chain_completeness``: per community, the share of buildings whose party group has an unbroken
  chain of superiors up to the street.

Examples
--------
>>> import networkx as nx
>>> g = nx.Graph([("单位A", "社区1"), ("单位A", "社区2"), ("单位B", "社区2")])
>>> round(nx.betweenness_centrality(g)["单位A"], 3)
0.667
"""
from __future__ import annotations

from collections import defaultdict

import networkx as nx

from queries.registry import registry
from graph.store import GraphStore, Row


def party_tree(store: GraphStore) -> nx.DiGraph:
    """Party organisations as a directed graph child → parent, with their attributes."""
    g = nx.DiGraph()
    for r in registry()["party_tree_edges"].run(store):
        g.add_node(r["id"], **{k: v for k, v in r.items() if k not in ("id", "parent")})
        if r["parent"]:
            g.add_edge(r["id"], r["parent"])
    return g


def anchored(tree: nx.DiGraph) -> set[str]:
    """Organisations from which a chain of superiors reaches a street-level organisation."""
    roots = [n for n, d in tree.nodes(data=True) if d.get("street_level")]
    reached: set[str] = set()
    for root in roots:
        reached |= nx.ancestors(tree, root) | {root}
    return reached


def _top(tree: nx.DiGraph, n: str) -> str:
    """The highest superior on ``n``'s chain (stops on a cycle)."""
    top, seen = n, {n}
    while tree.out_degree(top) and next(iter(tree.successors(top))) not in seen:
        top = next(iter(tree.successors(top)))
        seen.add(top)
    return top


def orphan_orgs(store: GraphStore) -> list[Row]:
    """Party organisations cut off from the county tree, with the top of their own broken chain.

    A chain may legitimately end at a unit's own party organisation (a bureau's, a company's, a
    sector committee in the housing bureau): those report outside the street's tree. Every other
    chain must reach a street (township) party organisation.
    """
    tree = party_tree(store)
    ok = anchored(tree)
    out = []
    for n, d in tree.nodes(data=True):
        if n in ok:
            continue
        top = _top(tree, n)
        if tree.nodes[top].get("unit_org"):
            continue
        out.append({"id": n, "name": d.get("name"), "kind": d.get("kind"), "tier_name": d.get("tier_name"),
                    "top": top, "top_name": tree.nodes[top].get("name"), "below": len(nx.ancestors(tree, n))})
    out.sort(key=lambda r: (-r["below"], r["id"]))
    return out


def chain_completeness(store: GraphStore) -> list[Row]:
    """Per community: buildings, with a party group, with a complete chain up to the street, and %."""
    ok = anchored(party_tree(store))
    per: dict[tuple, dict[str, int]] = defaultdict(lambda: {"buildings": 0, "with_group": 0, "complete": 0})
    for r in registry()["building_chains"].run(store):
        c = per[(r["community"], r["community_name"] or "(未归属)")]
        c["buildings"] += 1
        groups = r["groups"] or []
        c["with_group"] += bool(groups)
        c["complete"] += any(g in ok for g in groups)
    rows = [{"community_id": k[0], "community": k[1], **v,
             "completeness": round(100.0 * v["complete"] / v["buildings"], 1) if v["buildings"] else None}
            for k, v in per.items()]
    rows.sort(key=lambda r: (r["completeness"] if r["completeness"] is not None else 101, r["community"]))
    return rows


def unit_network(store: GraphStore) -> nx.Graph:
    """Bipartite graph of co-building units and communities; edge attribute ``ties`` lists the kinds of tie."""
    g = nx.Graph()
    for r in registry()["unit_community_edges"].run(store):
        u, c = ("unit", r["unit"]), ("community", r["community"])
        g.add_node(u, kind="unit", id=r["unit"], name=r["unit_name"])
        g.add_node(c, kind="community", id=r["community"], name=r["community_name"])
        ties = g.edges[u, c]["ties"] if g.has_edge(u, c) else []
        g.add_edge(u, c, ties=sorted(set(ties) | {r["tie"]}))
    return g


def bridging_units(store: GraphStore, top: int = 20) -> list[Row]:
    """Co-building units ranked by betweenness in the unit–community network."""
    g = unit_network(store)
    if g.number_of_nodes() == 0:
        return []
    centrality = nx.betweenness_centrality(g, normalized=True)
    rows = [{"id": d["id"], "name": d["name"], "communities": g.degree(n),
             "community_names": "、".join(sorted(g.nodes[c]["name"] for c in g.neighbors(n))),
             "betweenness": round(centrality[n], 4)}
            for n, d in g.nodes(data=True) if d["kind"] == "unit"]
    rows.sort(key=lambda r: (-r["betweenness"], -r["communities"], r["id"]))
    return rows[:top]
