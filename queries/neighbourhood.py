"""Growing a node's neighbourhood hop by hop, for the expandable network picture."""
from __future__ import annotations

from .registry import registry
from graph.store import GraphStore, Row


def expand(store: GraphStore, start: tuple[str, str], hops: int = 1, max_edges: int = 300) -> list[Row]:
    """Edges within ``hops`` of ``start`` (label, id), breadth first, at most ``max_edges``.

    Ids are unique per label only, so edges are kept only where the end that matched the frontier
    has the frontier's label too.
    """
    q = registry()["neighbours"]
    seen_nodes = {start}
    frontier = {start}
    edges: dict[tuple, Row] = {}
    for _ in range(hops):
        if not frontier or len(edges) >= max_edges:
            break
        rows = q.run(store, {"limit": max_edges}, ids=sorted({i for _, i in frontier}))
        nxt = set()
        for r in rows:
            a, b = (r["src_label"], r["src"]), (r["dst_label"], r["dst"])
            if a not in frontier and b not in frontier:
                continue
            edges.setdefault((a, r["rel"], b), r)
            for n in (a, b):
                if n not in seen_nodes:
                    seen_nodes.add(n)
                    nxt.add(n)
            if len(edges) >= max_edges:
                break
        frontier = nxt
    return list(edges.values())
