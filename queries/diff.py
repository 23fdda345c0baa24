"""What changed between two loads: entities, properties, roles, relationships and coverage gaps.

``diff(store, archive, a, b)`` compares the snapshots ``queries.history.record`` wrote after each load
(``<archive>/snapshots/<load>.json.gz``) and returns one line per change, each traced to the ledger
row responsible — ``file``, ``sheet`` and ``row`` as Excel shows it:

* ``entity``: an entity added (the row of load B that wrote it) or removed (the row of load A that had it);
* ``property``: a property changed, with before and after (load B's row);
* ``role``: a person's role changed — a building leader or unit leader replaced, 包联 links started or
  ended, members reported (双报到) or assigned (编入), grid workers, officers… (``ROLE_TYPES``); a role
  that ended on an entity and started for someone else on the same entity is one ``replaced`` line;
* ``relationship``: any other relationship added or ended (the territorial chain, grid coverage…);
* ``gap``: a coverage rule's gap opened or closed, traced to the change that touched the entity (else
  the entity's own row).

A relationship a ``--replace`` load retired is reported as ``ended`` on load B's as-of date, with the
row that had written it; the database keeps it as an ``EndedRel``.

Examples
--------
>>> lines = diff(store, archive, "-2", "-1")            # doctest: +SKIP
>>> lines[0]["change"], lines[0]["file"], lines[0]["row"]  # doctest: +SKIP
('replaced', '楼长.csv', 12)
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from graph.model import MODEL
from graph.store import GraphStore, Row

from . import coverage
from .history import read_snapshot, resolve_load

#: relationship types that are a person's role or a member's link: reported as role changes
ROLE_TYPES = ("BUILDING_LEADER_OF", "UNIT_LEADER_OF", "LINKED_TO", "REPORTED_TO", "ASSIGNED_TO", "GRID_WORKER_OF",
              "OFFICER_OF", "CONTACTS_GRID", "COMMUNITY_WORKER_OF", "INSTRUCTOR_OF", "MEMBER_OF",
              "CENTRE_HOUSEHOLD_OF", "VOLUNTEERS_IN")
PROVENANCE = ("src_load", "src_file", "src_sheet", "src_row", "src_hash")
CHANGES = {"added": "新增", "removed": "删除", "changed": "变更", "started": "开始", "ended": "结束",
           "replaced": "更换", "opened": "新出现", "closed": "已消除"}
KINDS = {"entity": "对象", "property": "属性", "role": "职责与包联", "relationship": "关系", "gap": "覆盖缺口"}


def _source(props: dict[str, Any] | None) -> dict[str, Any]:
    props = props or {}
    return {"file": props.get("src_file"), "sheet": props.get("src_sheet"), "row": props.get("src_row"),
            "source_load": props.get("src_load")}


def _line(kind: str, change: str, what: str, id_: str, detail: str, src: dict[str, Any], *,
          before: Any = None, after: Any = None, entity: str | None = None) -> Row:
    return {"kind": kind, "change": change, "what": what, "id": id_, "detail": detail,
            "before": before, "after": after, **src, "entity": entity or id_}


def _entities(a: dict, b: dict, out: list[Row]) -> None:
    for label in dict.fromkeys([*a["nodes"], *b["nodes"]]):
        na, nb = a["nodes"].get(label, {}), b["nodes"].get(label, {})
        zh = MODEL.node(label).zh
        for i in sorted(set(nb) - set(na)):
            out.append(_line("entity", "added", zh, i, f"新增{zh} {i}", _source(nb[i])))
        for i in sorted(set(na) - set(nb)):
            out.append(_line("entity", "removed", zh, i, f"删除{zh} {i}", _source(na[i])))
        for i in sorted(set(na) & set(nb)):
            pa, pb = na[i], nb[i]
            for p in sorted((set(pa) | set(pb)) - set(PROVENANCE)):
                if pa.get(p) != pb.get(p):
                    name = MODEL.node(label).prop(p).zh
                    line = _line("property", "changed", zh, i, f"{zh} {i} 的“{name}”改变", _source(pb),
                                 before=pa.get(p), after=pb.get(p))
                    line["label"], line["prop"] = label, p
                    out.append(line)


def _relationships(a: dict, b: dict, as_of_b: Any, out: list[Row]) -> None:
    for key in dict.fromkeys([*a["rels"], *b["rels"]]):
        t, start, end = key.split("|")
        ra, rb = a["rels"].get(key, {}), b["rels"].get(key, {})
        rel = MODEL.rel(t)
        kind = "role" if t in ROLE_TYPES else "relationship"
        gone = {k: ra[k] for k in sorted(set(ra) - set(rb))}
        new = {k: rb[k] for k in sorted(set(rb) - set(ra))}
        if kind == "role":
            # the same entity lost one holder and gained another: one "replaced" line
            gone_by_end: dict[str, list[str]] = defaultdict(list)
            for k in gone:
                gone_by_end[k.split("|")[1]].append(k)
            for k in list(new):
                src, dst = k.split("|")
                if gone_by_end.get(dst):
                    old = gone_by_end[dst].pop(0)
                    before = old.split("|")[0]
                    line = _line(kind, "replaced", rel.zh, k.replace("|", "→"),
                                 f"{MODEL.node(end).zh} {dst} 的{rel.zh}由 {before} 换为 {src}", _source(new.pop(k)),
                                 before=before, after=src, entity=dst)
                    prior = _source(gone.pop(old))
                    line["replaced_file"], line["replaced_row"] = prior["file"], prior["row"]
                    out.append(line)
        for k, props in new.items():
            src, dst = k.split("|")
            out.append(_line(kind, "started" if kind == "role" else "added", rel.zh, k.replace("|", "→"),
                             f"{MODEL.node(start).zh} {src} → {MODEL.node(end).zh} {dst}：{rel.zh}开始", _source(props),
                             entity=dst))
        for k, props in gone.items():
            src, dst = k.split("|")
            line = _line(kind, "ended", rel.zh, k.replace("|", "→"),
                         f"{MODEL.node(start).zh} {src} → {MODEL.node(end).zh} {dst}：{rel.zh}结束（{as_of_b}）",
                         _source(props), entity=dst)
            line["ended_on"] = as_of_b
            out.append(line)
        for k in sorted(set(ra) & set(rb)):
            pa, pb = ra[k], rb[k]
            for p in sorted((set(pa) | set(pb)) - set(PROVENANCE)):
                if pa.get(p) != pb.get(p):
                    name = rel.prop(p).zh
                    line = _line(kind, "changed", rel.zh, k.replace("|", "→"),
                                 f"{rel.zh} {k.replace('|', '→')} 的“{name}”改变", _source(pb),
                                 before=pa.get(p), after=pb.get(p), entity=k.split("|")[1])
                    line["label"], line["prop"] = t, p
                    out.append(line)


def _gaps(a: dict, b: dict, out: list[Row]) -> None:
    cause: dict[str, Row] = {}
    for line in out:
        for i in {line["entity"], *str(line["id"]).split("→")}:
            cause.setdefault(i, line)
    rules = coverage.rules()
    for rid in dict.fromkeys([*a.get("gaps", {}), *b.get("gaps", {})]):
        ga, gb = set(a.get("gaps", {}).get(rid, [])), set(b.get("gaps", {}).get(rid, []))
        q = rules.get(rid)
        label = q.entity if q else None
        title = q.title_zh if q else rid
        for change, ids, snap in (("opened", gb - ga, b), ("closed", ga - gb, a)):
            for i in sorted(ids):
                c = cause.get(i)
                if c is not None:
                    src = {k: c[k] for k in ("file", "sheet", "row", "source_load")}
                    why = f"（由“{c['detail']}”引起）"
                else:
                    src = _source(snap["nodes"].get(label, {}).get(i) if label else None)
                    why = ""
                out.append(_line("gap", change, rid, i, f"{rid} {title}：{i} {CHANGES[change]}{why}", src))


def diff(store: GraphStore, archive: Path, load_a: str | None = None, load_b: str | None = None) -> list[Row]:
    """Every change from load A (default: the one before the latest) to load B (default: the latest).

    Values are as the ledgers had them: a changed property's line names it (``label``, ``prop``) so
    that ``queries.scope.Scope.mask_properties`` masks its before and after by the model's personal
    mark, as every page and command shows them."""
    b_row = resolve_load(store, load_b, default=-1)
    a_row = resolve_load(store, load_a, default=-2)
    if a_row["id"] == b_row["id"]:
        raise ValueError(f"两次导入相同（{a_row['id']}）：请指定两个不同的导入，如 orgnet diff -2 -1")
    a, b = read_snapshot(archive, a_row["id"]), read_snapshot(archive, b_row["id"])
    out: list[Row] = []
    _entities(a, b, out)
    _relationships(a, b, b.get("as_of"), out)
    _gaps(a, b, out)
    for line in out:
        line["load_a"], line["load_b"] = a_row["id"], b_row["id"]
    return out


def summary(lines: list[Row]) -> list[Row]:
    """How many changes of each kind and change."""
    n: dict[tuple, int] = defaultdict(int)
    for line in lines:
        n[(line["kind"], line["change"], line["what"])] += 1
    return [{"kind": k, "change": c, "what": w, "count": v} for (k, c, w), v in sorted(n.items())]
