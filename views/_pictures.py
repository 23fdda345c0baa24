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


def collapse(nodes: list[dict], edges: list[dict], keep: set[str] = frozenset(), min_group: int = 4,
             label_limit: int = 60) -> tuple[list[dict], list[dict]]:
    """Make a big neighbourhood readable: leaves hanging off one node by the same relationship
    (the households of a unit, the members of a party group) become one node "12 户", whose
    tooltip lists them; with more than ``label_limit`` nodes left, only nodes with two or more
    relationships (and ``keep``) carry a label — the rest show theirs on hover.

    >>> n = [{"id": "U", "label": "1单元", "group": "Unit", "title": "单元 U"}] + [
    ...     {"id": f"H{i}", "label": f"10{i}", "group": "Household", "title": f"住户 H{i}"} for i in range(5)]
    >>> e = [{"from": f"H{i}", "to": "U", "label": "隶属", "title": "PART_OF"} for i in range(5)]
    >>> nodes, edges = collapse(n, e)
    >>> [x["label"] for x in nodes], len(edges)
    (['1单元', '5 户'], 1)
    """
    degree: dict[str, int] = {}
    for e in edges:
        for end in (e["from"], e["to"]):
            degree[end] = degree.get(end, 0) + 1
    by_id = {n["id"]: n for n in nodes}
    groups: dict[tuple, list[str]] = {}
    for e in edges:
        for leaf, hub, outward in ((e["from"], e["to"], True), (e["to"], e["from"], False)):
            if degree.get(leaf) == 1 and leaf not in keep and degree.get(hub, 0) > 1:
                groups.setdefault((hub, e["title"], by_id[leaf]["group"], outward), []).append(leaf)
    gone: set[str] = set()
    new_nodes, new_edges = [], []
    for (hub, rel, group, outward), leaves in groups.items():
        if len(leaves) < min_group:
            continue
        gone |= set(leaves)
        gid = f"group:{hub}:{rel}:{group}"
        zh = MODEL.node(group).zh if group in MODEL.labels else group
        unit = "户" if group == "Household" else f"个{zh}"
        names = [by_id[x]["label"] for x in leaves]
        new_nodes.append({"id": gid, "label": f"{len(leaves)} {unit}", "group": group,
                          "title": f"{len(leaves)} 个{zh}：" + "、".join(names[:30]) + ("…" if len(names) > 30 else ""),
                          "color": COLOURS.get(group, "#999999"), "shape": SHAPES.get(group, "ellipse"),
                          "size": 14 + min(len(leaves), 40) ** 0.5 * 3})
        label = next(e["label"] for e in edges if e["title"] == rel)
        new_edges.append({"from": gid, "to": hub, "label": label, "title": rel} if outward
                         else {"from": hub, "to": gid, "label": label, "title": rel})
    nodes = [n for n in nodes if n["id"] not in gone] + new_nodes
    edges = [e for e in edges if e["from"] not in gone and e["to"] not in gone] + new_edges
    if len(nodes) > label_limit:
        degree = {}
        for e in edges:
            for end in (e["from"], e["to"]):
                degree[end] = degree.get(end, 0) + 1
        nodes = [n if degree.get(n["id"], 0) > 1 or n["id"] in keep or n["id"].startswith("group:")
                 else dict(n, title=f"{n['label']}（{n['title']}）", label=" ") for n in nodes]
        edges = [dict(e, label="") for e in edges]  # relationship names on hover only
    return nodes, edges


def legend(nodes: list[dict], english: bool = False) -> str:
    """HTML legend of the shapes and colours in the picture (one entry per kind of node shown).

    Symbols are coloured characters, not SVG: ``st.html`` sanitises its HTML and drops SVG."""
    glyph = {"dot": "●", "square": "■", "star": "★", "diamond": "◆", "triangle": "▲", "ellipse": "⬬"}
    seen = []
    for n in nodes:
        if n["group"] not in seen:
            seen.append(n["group"])
    items = []
    for g in seen:
        name = (MODEL.node(g).en if english else MODEL.node(g).zh) if g in MODEL.labels else g
        items.append(f'<span style="display:inline-flex;align-items:center;gap:4px;margin-right:14px">'
                     f'<span class="sym" style="color:{COLOURS.get(g, "#999999")};font-size:18px;line-height:1">'
                     f'{glyph[SHAPES.get(g, "ellipse")]}</span>{name}</span>')
    return f'<div class="orgnet-legend" style="font-size:14px;line-height:1.8">{"".join(items)}</div>'


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
        extra = {"size": n["size"]} if "size" in n else {}
        net.add_node(n["id"], label=n["label"], title=n["title"], color=n["color"], shape=n["shape"], **extra)
    for e in edges:
        net.add_edge(e["from"], e["to"], label=e["label"], title=e["title"], arrows="to", font={"size": 10})
    # Strong central gravity keeps a 200-node neighbourhood inside the frame; the picture is fitted
    # to the frame once it settles (templates/network.html).
    net.set_options('{"nodes": {"font": {"size": 13}}, '
                    '"physics": {"solver": "forceAtlas2Based", "forceAtlas2Based": {"gravitationalConstant": -40, '
                    '"centralGravity": 0.02, "springLength": 80, "avoidOverlap": 0.4}, '
                    '"stabilization": {"iterations": 250, "fit": true}}, '
                    '"interaction": {"hover": true, "navigationButtons": true, "tooltipDelay": 150}}')
    return net.generate_html(notebook=False)
