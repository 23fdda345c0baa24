"""Network pictures: a pure function from records to nodes and edges, and pyvis HTML with its
JavaScript inlined (users sit on intranets with no CDN).

Examples
--------
>>> nodes, edges = neighbourhood_graph([
...     {"src": "M1", "src_label": "Person", "src_name": "张三", "rel": "LINKED_TO",
...      "dst": "H1", "dst_label": "Household", "dst_name": "1号楼101"}])
>>> [n["id"] for n in nodes], edges[0]["label"]
(['Person:M1', 'Household:H1'], '包联')
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from graph.model import MODEL

#: one colour per label, chosen so the party chain reads red and territory reads blue/green
COLOURS = {
    "County": "#7f8c8d", "Street": "#2c3e50", "Community": "#2980b9", "Compound": "#16a085", "Building": "#27ae60",
    "Unit": "#2ecc71", "Household": "#f1c40f", "Grid": "#8e44ad", "PartyOrg": "#c0392b", "Person": "#e67e22",
    "Organization": "#34495e", "PropertyCompany": "#95a5a6", "OwnersBody": "#bdc3c7", "ServiceSite": "#d35400",
    "VolunteerTeam": "#1abc9c",
}
SHAPES = {"Person": "dot", "Household": "square", "PartyOrg": "star", "Grid": "diamond", "ServiceSite": "triangle"}


def neighbourhood_graph(records: Iterable[dict], label_of: Callable[[str], str] | None = None,
                        name_of: Callable[[dict, str], str] | None = None) -> tuple[list[dict], list[dict]]:
    """Records ``{src, src_label, src_name, rel, dst, dst_label, dst_name}`` → vis.js nodes and edges.

    Node ids are ``Label:id`` (ids are unique per label only); names pass through ``name_of``
    (the front end masks people's names there).
    """
    nodes: dict[str, dict] = {}
    edges: dict[tuple, dict] = {}
    for r in records:
        ends = []
        for side in ("src", "dst"):
            label, key = r[f"{side}_label"], r[side]
            nid = f"{label}:{key}"
            name = name_of(r, side) if name_of else (r.get(f"{side}_name") or key)
            if nid not in nodes:
                zh = MODEL.node(label).zh if label in MODEL.labels else label
                nodes[nid] = {"id": nid, "label": str(name), "title": f"{zh} {key}",
                              "color": COLOURS.get(label, "#999999"), "shape": SHAPES.get(label, "ellipse"),
                              "group": label}
            ends.append(nid)
        rel = r["rel"]
        zh = MODEL.rel(rel).zh if rel in MODEL.rel_types else rel
        edges[(ends[0], ends[1], rel)] = {"from": ends[0], "to": ends[1], "label": zh, "title": rel}
    return list(nodes.values()), list(edges.values())


TEMPLATES = Path(__file__).resolve().parent / "templates"


def to_html(nodes: list[dict], edges: list[dict], height: str = "560px") -> str:
    """A self-contained HTML page (vis-network inlined, no CDN) for ``streamlit.components.v1.html``."""
    import pyvis
    from jinja2 import Environment, FileSystemLoader
    from pyvis.network import Network

    net = Network(height=height, width="100%", directed=True, cdn_resources="in_line", bgcolor="#ffffff")
    # Our template first, pyvis's folder second so that it can include pyvis's vis-network files.
    net.templateEnv = Environment(loader=FileSystemLoader([str(TEMPLATES), str(Path(pyvis.__file__).parent / "templates")]))
    net.path = "network.html"
    for n in nodes:
        net.add_node(n["id"], label=n["label"], title=n["title"], color=n["color"], shape=n["shape"])
    for e in edges:
        net.add_edge(e["from"], e["to"], label=e["label"], title=e["title"], arrows="to", font={"size": 10})
    net.set_options('{"physics": {"stabilization": {"iterations": 150}}, '
                    '"interaction": {"hover": true, "navigationButtons": true}}')
    return net.generate_html(notebook=False)
