"""Every load is a point in time: what is recorded right after a load commits, and how to read it back.

``record(store, load_id, archive)`` runs every coverage rule once and stores its population and gaps
for the county and per street, community and grid as ``RuleResult`` nodes of that load (the trend
charts and the overview's "since the previous load" read them), and writes the load's *snapshot* —
every node and relationship with its properties and source row, and each rule's violating ids — to
``<archive>/snapshots/<load>.json.gz``, which ``queries.diff`` compares. It is called after
``loaders.engine.load`` returns (the CLI, the import page, the demo and ``rebuild`` do so).

``loads`` lists the loads in time order (as-of date, then start time); ``trend`` reads the recorded
results; ``since_previous`` gives, per rule, the county figures of the latest load beside the
previous one's.

Examples
--------
>>> report = load(["台账.xlsx"], store, as_of=dt.date(2026, 3, 31), archive=archive)   # doctest: +SKIP
>>> record(store, report.load_id, archive)                                             # doctest: +SKIP
>>> trend(store, rule="R08", level="county")[-1]["coverage"]                          # doctest: +SKIP
97.9
"""
from __future__ import annotations

import datetime as dt
import gzip
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from graph.model import BOOKKEEPING, MODEL
from graph.schema import snapshot_nodes, snapshot_rels
from graph.store import GraphStore, Row

from . import coverage
from .registry import ParameterError, registry

LEVELS = ("county", "street", "community", "grid")
NO_GRID = "(无网格)"


def loads(store: GraphStore, *, recorded_only: bool = False) -> list[Row]:
    """Every load, oldest first by the date its ledgers describe (then by when it ran); ``recorded`` says
    whether its rule results were recorded (ledger loads are; the 整改台账 a case sync loads is not)."""
    rows = registry()["load_history"].run(store)
    recorded = {r["id"] for r in store.query("MATCH (r:RuleResult) RETURN DISTINCT r.load_id AS id")}
    for r in rows:
        r["files"] = [f["name"] for f in json.loads(r["files"] or "[]")]
        r["recorded"] = r["id"] in recorded
    return [r for r in rows if r["recorded"]] if recorded_only else rows


def resolve_load(store: GraphStore, ref: str | None, *, default: int = -1) -> Row:
    """A recorded load by id, by a unique prefix of its id, or by its position (``-1`` latest, ``-2`` the one before)."""
    history = loads(store, recorded_only=True)
    if not history:
        raise ParameterError("数据库中还没有导入记录：请先导入台账（orgnet load）或运行 orgnet demo")
    if ref is None or ref == "":
        idx = default
    elif ref.lstrip("-").isdigit() and len(ref) < 6:
        idx = int(ref)
    else:
        found = [r for r in history if r["id"] == ref] or [r for r in history if r["id"].startswith(ref)]
        if len(found) != 1:
            known = "、".join(r["id"] for r in history[-5:])
            raise ParameterError(f"找不到导入“{ref}”{'（有多个匹配）' if found else ''}：最近的导入有 {known}；"
                                 "也可以用 -1（最新）、-2（上一次）")
        return found[0]
    try:
        return history[idx]
    except IndexError:
        raise ParameterError(f"只有 {len(history)} 次导入，没有第 {idx} 次：用 -1 表示最新，-2 表示上一次") from None


# --- recording ----------------------------------------------------------------------------------------
def _areas(ctx: Row, level: str, grid_names: dict[str, str]) -> list[tuple[str | None, str]]:
    if level == "county":
        return [("", "全县")]
    if level == "grid":
        return [(g, grid_names.get(g, g)) for g in ctx.get("grid_ids", [])] or [(None, NO_GRID)]
    id_col, name_col = coverage.LEVELS[level]
    return [(ctx.get(id_col), ctx.get(name_col) or "(未归属)")]


def rule_results(store: GraphStore, params: dict[str, dict[str, Any]] | None = None
                 ) -> tuple[list[Row], dict[str, list[str]]]:
    """(rows of population and gaps per rule, level and area; rule → violating ids), one run per rule."""
    grid_names = {r["id"]: r["name"] for r in store.query("MATCH (g:Grid) RETURN g.id AS id, g.name AS name")}
    out: list[Row] = []
    gaps: dict[str, list[str]] = {}
    for rid, q in coverage.rules().items():
        population = q.run(store, (params or {}).get(rid))
        ctx = coverage.context(store, q.entity)
        gaps[rid] = sorted(str(r["id"]) for r in population if r["violation"])
        for level in LEVELS:
            total: dict[tuple, int] = defaultdict(int)
            bad: dict[tuple, int] = defaultdict(int)
            for r in population:
                for area in _areas(ctx.get(r["id"], {}), level, grid_names):
                    total[area] += 1
                    bad[area] += bool(r["violation"])
            if level == "county" and not total:
                total[("", "全县")] = 0
            for (area_id, area), n in total.items():
                out.append({"rule": rid, "level": level, "area_id": area_id or "", "area": area, "total": n,
                            "violating": bad[(area_id, area)],
                            "coverage": round(100.0 * (1 - bad[(area_id, area)] / n), 1) if n else None})
    return out, gaps


def snapshot(store: GraphStore) -> dict[str, Any]:
    """Every node and relationship of the network (not the bookkeeping) with its properties and source row."""
    nodes: dict[str, dict[str, Row]] = {}
    for n in MODEL.nodes:
        if n.label in BOOKKEEPING:
            continue
        nodes[n.label] = {r["id"]: {k: _json(v) for k, v in r.items() if k != "id" and v is not None}
                          for r in store.query(snapshot_nodes(n.label))}
    rels: dict[str, dict[str, Row]] = {}
    for r in MODEL.rels:
        for a, b in r.pairs:
            rows = store.query(snapshot_rels(r.type, a, b))
            if rows:
                rels[f"{r.type}|{a}|{b}"] = {f"{x['src']}|{x['dst']}": {k: _json(v) for k, v in x.items()
                                                                         if k not in ("src", "dst") and v is not None}
                                             for x in rows}
    return {"nodes": nodes, "rels": rels}


def _json(v: Any) -> Any:
    return v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v


def snapshot_path(archive: Path, load_id: str) -> Path:
    return Path(archive) / "snapshots" / f"{load_id}.json.gz"


def record(store: GraphStore, load_id: str, archive: Path | None = None,
           params: dict[str, dict[str, Any]] | None = None) -> int:
    """Store the rule results of ``load_id`` (the latest state of ``store``) and, with an archive, its snapshot.

    Returns the number of ``RuleResult`` rows written. Call it right after the load commits."""
    found = store.query("MATCH (l:Load) WHERE l.id = $id RETURN l.as_of AS as_of", {"id": load_id})
    if not found:
        raise ParameterError(f"找不到导入“{load_id}”：请用 orgnet loads 查看导入记录")
    as_of = found[0]["as_of"]
    results, gaps = rule_results(store, params)
    rows = [{"id": f"{load_id}|{r['rule']}|{r['level']}|{r['area_id']}|{r['area']}", "load_id": load_id,
             "as_of": as_of, **r} for r in results]
    with store.transaction() as tx:
        tx.upsert_nodes("RuleResult", rows)
    if archive is not None:
        snap = {"load_id": load_id, "as_of": _json(as_of), **snapshot(store), "gaps": gaps}
        path = snapshot_path(archive, load_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=5) as f:
            json.dump(snap, f, ensure_ascii=False)
        tmp.replace(path)
    return len(rows)


def read_snapshot(archive: Path, load_id: str) -> dict[str, Any]:
    path = snapshot_path(archive, load_id)
    if not path.exists():
        raise ParameterError(f"导入“{load_id}”没有快照（{path}）：它早于历史记录功能，或导入后未记录。"
                             "请用 orgnet rebuild 从归档重建，或重新导入台账")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return json.load(f)


# --- reading back ---------------------------------------------------------------------------------------
def trend(store: GraphStore, rule: str | None = None, level: str = "community", area: str | None = None) -> list[Row]:
    """Recorded results over time for one rule (or all) at one level, optionally one area (id or name)."""
    if level not in LEVELS:
        raise ParameterError(f"未知层级“{level}”：可选 {', '.join(LEVELS)}")
    if rule:
        rule = coverage.rule(rule).rule  # unknown rules are errors
    rows = registry()["rule_trend"].run(store, {"rule": rule or "", "level": level})
    if area:
        rows = [r for r in rows if area in (r["area_id"], r["area"])]
        if not rows:
            raise ParameterError(f"没有区域“{area}”的记录：请填写{level}的编号或名称")
    return rows


def since_previous(store: GraphStore) -> list[Row]:
    """Per rule, the county figures of the latest load with recorded results and of the one before it."""
    rows = trend(store, level="county")
    order = list(dict.fromkeys(r["load_id"] for r in rows))
    if not order:
        return []
    latest = {r["rule"]: r for r in rows if r["load_id"] == order[-1]}
    before = {r["rule"]: r for r in rows if len(order) > 1 and r["load_id"] == order[-2]}
    out = []
    for rid, r in latest.items():
        p = before.get(rid)
        out.append({"rule": rid, "load_id": r["load_id"], "as_of": r["as_of"], "total": r["total"],
                    "violating": r["violating"], "coverage": r["coverage"],
                    "previous_load": p["load_id"] if p else None,
                    "previous_violating": p["violating"] if p else None,
                    "violating_change": r["violating"] - p["violating"] if p else None,
                    "coverage_change": (round(r["coverage"] - p["coverage"], 1)
                                        if p and r["coverage"] is not None and p["coverage"] is not None else None)})
    return out
