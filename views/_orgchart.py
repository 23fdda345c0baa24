"""The organisation chart's picture: Graphviz DOT text from the party tree, readable at any level.

Below the street an organisation can have 30 and more sub-organisations: drawn top-down they made
one row of thumbnails with text spilling out of its boxes. Here the tree grows left to right, so
siblings stack in a column that scrolls; names wrap at a fixed width inside their boxes; the chain
badge is its own short line; and beyond ``max_children`` siblings the rest are one "… N more" box.

Examples
--------
>>> import networkx as nx
>>> t = nx.DiGraph([("b", "a")]); t.nodes["a"]["name"] = "和园社区党委"; t.nodes["b"]["name"] = "一网格党支部"
>>> "rankdir=LR" in org_dot(t, "a", lambda n: "链条完整", anchored={"a", "b"})
True
"""
from __future__ import annotations

from collections.abc import Callable

import networkx as nx

from reports.export import natural_key

WRAP = 12  # characters per line of a name (Chinese characters are about square)


def wrap(text: str, width: int = WRAP) -> list[str]:
    """A name cut into lines of ``width`` characters, at most three (the last one ends in …)."""
    text = text or ""
    lines = [text[i:i + width] for i in range(0, len(text), width)] or [""]
    if len(lines) > 3:
        lines = lines[:3]
        lines[-1] = lines[-1][:-1] + "…"
    return lines


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', "'")


def children(tree: nx.DiGraph, n: str) -> list[str]:
    """An organisation's sub-organisations (edges point child → parent), by name."""
    return sorted(tree.predecessors(n), key=lambda c: (natural_key(tree.nodes[c].get("name") or c), c))


def org_dot(tree: nx.DiGraph, current: str, badge: Callable[[str], str], *, anchored: set[str],
            max_nodes: int = 40, max_children: int = 24, more: str = "… 另有 {n} 个") -> str:
    """DOT for ``current`` and one or two levels below it (two when they fit in ``max_nodes``).

    ``badge(n)`` gives the chain note of an organisation, drawn on its own line(s).
    """
    kids = children(tree, current)
    grand = {c: children(tree, c) for c in kids}
    two_levels = 1 + len(kids) + sum(len(g) for g in grand.values()) <= max_nodes
    lines = ["digraph org {", "rankdir=LR;", "nodesep=0.12; ranksep=0.5;",
             'node [shape=box, style="rounded,filled", fontname="Noto Sans CJK SC, sans-serif", fontsize=11, '
             'margin="0.12,0.06"];', 'edge [color="#999999", arrowhead=none];']

    def node(n: str) -> None:
        d = tree.nodes[n]
        fill = "#fde2dd" if n == current else ("#e3f4e1" if n in anchored else "#f9d6d2")
        text = wrap(d.get("name") or n)
        tier = d.get("tier_name") or d.get("kind")
        if tier:
            text.append(f"〔{tier}〕")
        text += [part for part in badge(n).split(" ") if part]
        label = "\\n".join(_quote(t) for t in text)
        lines.append(f'"{_quote(n)}" [label="{label}", fillcolor="{fill}"];')

    def edge(a: str, b: str) -> None:
        lines.append(f'"{_quote(a)}" -> "{_quote(b)}";')

    node(current)
    for c in kids[:max_children]:
        node(c)
        edge(current, c)
        if two_levels:
            for g in grand[c]:
                node(g)
                edge(c, g)
    if len(kids) > max_children:
        rest = f"more:{current}"
        lines.append(f'"{_quote(rest)}" [label="{more.format(n=len(kids) - max_children)}", '
                     'style="rounded,dashed", fillcolor="#ffffff"];')
        edge(current, rest)
    lines.append("}")
    return "\n".join(lines)
