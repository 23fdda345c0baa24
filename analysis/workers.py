"""Grid staffing (R05A / R05B): how many full-time grid workers each grid is short, and which
buildings could move to a neighbouring grid of the same community under the household cap.

A grid with ``h`` households needs ``ceil(h / max_households)`` full-time workers (at least one
when it has households: 1名专职＋N名兼职). For an overloaded grid the planner also tries moves:
its buildings, nearest first, to the nearest grid of the same community that has full-time
workers and room for the whole building under its own cap, until the grid is within its cap.
A move is a suggestion for the community to weigh (grids follow streets and walls the data does
not know); the shortage is what remains if no building moves.

Examples
--------
>>> needed(650, 300), needed(0, 300), needed(1, 300)
(3, 0, 1)
"""
from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np

from graph.store import GraphStore
from queries import coverage
from queries.registry import registry


def needed(households: int, cap: int) -> int:
    return math.ceil(households / cap) if households > 0 else 0


def _cap(max_households: int | None) -> int:
    default = next(p.default for p in coverage.rule("R05A").params if p.name == "max_households")
    cap = int(default if max_households is None else max_households)
    if cap <= 0:
        raise ValueError(f"每名专职网格员最多户数须大于 0（收到 {cap}）")
    return cap


def plan_workers(store: GraphStore, *, max_households: int | None = None) -> dict[str, Any]:
    """``{"grids": [...], "moves": [...], "summary": {...}}`` (see the module's docstring)."""
    cap = _cap(max_households)
    staffed = {r["id"]: r for r in coverage.rule("R05A").run(store, {"max_households": cap})}
    with_households = coverage.rule("R05B").run(store)
    gctx = coverage.context(store, "Grid")
    bctx = coverage.context(store, "Building")
    grids = []
    for r in with_households:
        full_time = staffed[r["id"]]["workers"] if r["id"] in staffed else 0
        c = gctx.get(r["id"], {})
        need = needed(r["households"], cap)
        grids.append({"id": r["id"], "name": c.get("name"), "community_id": c.get("community_id"),
                      "community": c.get("community"), "households": r["households"], "full_time": full_time,
                      "needed": need, "short": max(0, need - full_time),
                      "rule": "R05B" if full_time == 0 else ("R05A" if r["households"] > cap * full_time else "")})
    grids.sort(key=lambda g: (-g["short"], g["community"] or "", g["id"]))
    moves = _moves(store, grids, bctx, cap)
    after = {g["id"]: g["households"] for g in grids}
    for m in moves:
        after[m["from_grid"]] -= m["households"]
        after[m["to_grid"]] += m["households"]
    for g in grids:
        g["households_after_moves"] = after[g["id"]]
        g["short_after_moves"] = max(0, needed(after[g["id"]], cap) - g["full_time"])
    summary = {"cap": cap, "grids": len(grids), "short_grids": sum(1 for g in grids if g["short"]),
               "workers_short": sum(g["short"] for g in grids), "moves": len(moves),
               "workers_short_after_moves": sum(g["short_after_moves"] for g in grids)}
    return {"grids": grids, "moves": moves, "summary": summary}


def _moves(store: GraphStore, grids: list[dict], bctx: dict, cap: int) -> list[dict]:
    per_grid: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for r in registry()["plan_grid_buildings"].run(store):
        per_grid[r["grid_id"]].append((r["building_id"], int(r["households"])))

    def centre(gid: str) -> tuple[float, float] | None:
        pts = [(bctx[b]["lat"], bctx[b]["lon"]) for b, _ in per_grid.get(gid, [])
               if b in bctx and bctx[b].get("lat") is not None]
        return tuple(np.mean(pts, axis=0)) if pts else None

    load = {g["id"]: g["households"] for g in grids}
    room = {g["id"]: cap * g["full_time"] for g in grids}
    centres = {g["id"]: centre(g["id"]) for g in grids}
    moves = []
    for g in grids:
        if g["full_time"] == 0 or load[g["id"]] <= room[g["id"]]:
            continue
        targets = [t for t in grids if t["id"] != g["id"] and t["community_id"] == g["community_id"]
                   and t["full_time"] > 0 and centres[t["id"]] is not None]
        options = []
        for b, n in per_grid.get(g["id"], []):
            loc = bctx.get(b, {})
            if loc.get("lat") is None:
                continue
            for t in targets:
                d = _metres(loc["lat"], loc["lon"], *centres[t["id"]])
                options.append((d, b, n, t["id"]))
        options.sort()
        moved: set[str] = set()
        for d, b, n, t in options:
            if load[g["id"]] <= room[g["id"]]:
                break
            if b in moved or load[t] + n > room[t]:
                continue
            moved.add(b)
            load[g["id"]] -= n
            load[t] += n
            moves.append({"building_id": b, "building": bctx.get(b, {}).get("name"), "households": n,
                          "from_grid": g["id"], "from": g["name"], "to_grid": t,
                          "to": next(x["name"] for x in grids if x["id"] == t), "metres": round(d)})
    return moves


def _metres(lat1, lon1, lat2, lon2) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (lat1, lon1, lat2, lon2))
    a = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371000 * math.asin(math.sqrt(min(1.0, a)))
