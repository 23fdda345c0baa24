"""包联 suggestions: which member should look after which household, as a min-cost flow (networkx).

Supply: every party member with spare capacity, the R09 maximum minus the households they already
look after. Demand: every household no member is linked to (R08). An arc joins a member to a
household near them; its cost says how close they are: same unit 1 < same building 2 < same
compound 3 < same grid 4 < same community 5 + 1 per 100 m < another community 60 + 1 per 100 m
(capped). Special-group households (R07) come first (a large bonus), and among their candidates
the unit's own leader and members of the same unit cost least. A member with no link at all (R09
below the minimum, R10B) gets a bonus for the first household, so the plan fixes those rules too
where it can. ``networkx.max_flow_min_cost`` then links as many households as possible at the least
total cost; no member ever exceeds the R09 maximum.

What the plan cannot cover is reported rule by rule (``LinkPlan.residue``), worked out from the
same facts the rule queries read: once the plan's 包联 ledger is loaded, R07, R08, R09 and R10B show
exactly that residue.

Each household is offered its ``candidates`` cheapest members and each member without a link its
``candidates`` cheapest households: the flow network stays small (tens of thousands of arcs at
county scale) where all pairs would be tens of millions.

Examples
--------
>>> from graph.config import open_store               # doctest: +SKIP
>>> plan = plan_links(open_store())                   # doctest: +SKIP
>>> len(plan.links), plan.residue["R08"][:2]          # doctest: +SKIP
(1368, [])
"""
from __future__ import annotations

import datetime as dt
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable

import networkx as nx
import numpy as np

from graph.store import GraphStore
from queries import coverage
from queries.registry import registry

Progress = Callable[[str, int, int], None]
SPECIAL_BONUS = 100_000
FIRST_LINK_BONUS = 1_000
TIERS = {1: "同单元", 2: "同楼栋", 3: "同小区", 4: "同网格", 5: "同社区", 6: "跨社区"}


@dataclass
class LinkPlan:
    #: one row per planned link: member, household, kind, tier (1–6), cost, metres apart
    links: list[dict[str, Any]] = field(default_factory=list)
    #: rule → ids the plan leaves violating (R07, R08, R09, R10B)
    residue: dict[str, list[str]] = field(default_factory=dict)
    #: rule → violating before the plan
    before: dict[str, int] = field(default_factory=dict)
    params: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        tiers = Counter(TIERS[r["tier"]] for r in self.links)
        return {"links": len(self.links), "special": sum(r["kind"] == "特殊群体" for r in self.links),
                "by_closeness": dict(tiers), "before": self.before,
                "after": {k: len(v) for k, v in self.residue.items()}, "params": self.params,
                "seconds": round(self.seconds, 2)}

    def ledger_xlsx(self, since: dt.date | None = None) -> bytes:
        """The plan as a 包联 ledger in the template's format (sheet 包联), ready for ``orgnet validate``/``load``."""
        from openpyxl import Workbook

        from loaders.xlsx import append_safe

        wb = Workbook()
        ws = wb.active
        ws.title = "包联"
        append_safe(ws, ["人员编号", "住户编号", "包联类型", "起始日期"])
        day = (since or dt.date.today()).isoformat()
        for r in self.links:
            append_safe(ws, [r["member"], r["household"], r["kind"], day])
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()


def _params() -> dict[str, int]:
    q = coverage.rule("R09")
    return {p.name: int(p.default) for p in q.params}


def _haversine(lat1, lon1, lat2, lon2):
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371000 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


class _Places:
    """Integer codes for units, buildings, compounds, grids and communities, for vectorised cost."""

    def __init__(self):
        self.codes: dict[tuple, int] = {}

    def code(self, kind: str, value) -> int:
        if value is None:
            return -1
        return self.codes.setdefault((kind, value), len(self.codes))


def plan_links(store: GraphStore, *, min_links: int | None = None, max_links: int | None = None,
               candidates: int = 12, progress: Progress | None = None) -> LinkPlan:
    """Plan 包联 links for every household no member looks after (see the module's docstring)."""
    import time

    t0 = time.monotonic()
    params = _params()
    if min_links is not None:
        params["min_links"] = int(min_links)
    if max_links is not None:
        params["max_links"] = int(max_links)
    if params["min_links"] < 0 or params["max_links"] < max(params["min_links"], 1):
        raise ValueError(f"min_links {params['min_links']} / max_links {params['max_links']}: "
                         "需要 0 ≤ 最少 ≤ 最多，且最多 ≥ 1")
    step = _stepper(progress, 4)
    step("读取党员和住户 Reading")
    # sorted: a store may return rows in any order, and ties between equally close members must
    # be broken the same way every time (same data, same plan)
    members = sorted(registry()["plan_link_members"].run(store), key=lambda r: r["id"])
    households = sorted(registry()["plan_link_households"].run(store), key=lambda r: r["id"])
    hctx = coverage.context(store, "Household")
    bctx = coverage.context(store, "Building")

    places = _Places()
    unit_place: dict[str, dict] = {}
    for h in households:
        c = hctx.get(h["id"], {})
        if h["unit_id"] and h["unit_id"] not in unit_place:
            unit_place[h["unit_id"]] = {"building_id": c.get("building_id"), "lat": c.get("lat"), "lon": c.get("lon"),
                                        "compound": c.get("compound"), "community_id": c.get("community_id"),
                                        "grid_ids": c.get("grid_ids", [])}

    def place(unit_id, building_id, ctx) -> dict:
        return {"unit": places.code("u", unit_id), "building": places.code("b", building_id),
                "compound": places.code("c", (ctx.get("community_id"), ctx.get("compound")) if ctx.get("compound") else None),
                "grids": {places.code("g", g) for g in ctx.get("grid_ids", [])},
                "community": ctx.get("community_id"), "lat": ctx.get("lat"), "lon": ctx.get("lon")}

    # --- households that need a member ---------------------------------------------------------------
    need = [h for h in households if not h["member_linked"]]
    hp = [place(h["unit_id"], hctx.get(h["id"], {}).get("building_id"), hctx.get(h["id"], {})) for h in need]
    special = np.array([bool(h["special_groups"]) for h in need], dtype=bool)

    # --- members with spare capacity ------------------------------------------------------------------
    step("计算距离 Costing")
    spare_members, mp = [], []
    for m in members:
        spare = params["max_links"] - m["links"]
        if spare <= 0:
            continue
        if m["unit_id"] and m["unit_id"] in unit_place:
            ctx = unit_place[m["unit_id"]]
            p = place(m["unit_id"], ctx["building_id"], ctx)
        elif m["assigned_building_id"] and m["assigned_building_id"] in bctx:
            ctx = bctx[m["assigned_building_id"]]
            p = place(None, m["assigned_building_id"], ctx)
        else:  # lives elsewhere, not placed in a building: the community they reported to
            p = place(None, None, {"community_id": m["reported_community_id"]})
        p["leads"] = {places.code("u", u) for u in m["leader_units"]}
        spare_members.append({**m, "spare": spare})
        mp.append(p)

    arcs = _candidate_arcs(hp, special, mp, spare_members, candidates)
    step("求解最小费用流 Solving")
    flow = _solve(arcs, spare_members, special, params, progress)
    # A second round for households whose nearest candidates were all taken: they get the nearest
    # members that still have room (a wider pool), the first round's links kept.
    used = Counter(j for (_, j) in flow)
    taken = {i for (i, _) in flow}
    left = [i for i in range(len(need)) if i not in taken]
    room = [j for j, m in enumerate(spare_members) if m["spare"] - used[j] > 0]
    if left and room:
        sub_members = [{**spare_members[j], "spare": spare_members[j]["spare"] - used[j],
                        "links": spare_members[j]["links"] + used[j]} for j in room]
        arcs2 = _candidate_arcs([hp[i] for i in left], special[left], [mp[j] for j in room], sub_members,
                                4 * candidates)
        flow2 = _solve(arcs2, sub_members, special[left], params, progress)
        for (a, b) in flow2:
            i, j = left[a], room[b]
            arcs[(i, j)] = arcs2[(a, b)]
            flow.add((i, j))

    step("核算剩余缺口 Residue")
    plan = LinkPlan(params=params)
    new_links: Counter = Counter()
    covered: set[int] = set()
    for (i, j), (cost, tier, metres) in sorted(arcs.items()):
        if (i, j) in flow:
            m, h = spare_members[j], need[i]
            plan.links.append({"member": m["id"], "household": h["id"],
                               "kind": "特殊群体" if special[i] else "普通住户", "tier": tier, "cost": int(cost),
                               "metres": None if metres is None else round(float(metres))})
            new_links[m["id"]] += 1
            covered.add(i)
    plan.links.sort(key=lambda r: (r["member"], r["household"]))
    _residue(plan, members, households, need, covered, new_links, params)
    step("完成 Done")
    plan.seconds = time.monotonic() - t0
    return plan


def _solve(arcs, spare_members, special, params, progress: Progress | None) -> set[tuple[int, int]]:
    """The (household, member) pairs carrying flow in a max-flow min-cost solution.

    Households and members connected by no chain of candidate arcs cannot affect each other, so
    each connected component (in practice: a community) is solved on its own — the same optimum,
    and network simplex is much faster on many small networks than on one large one.
    """
    pairs = nx.Graph()
    pairs.add_edges_from((("h", i), ("m", j)) for (i, j) in arcs)
    by_node: dict = defaultdict(list)
    for (i, j) in arcs:
        by_node[("h", i)].append((i, j))
    components = list(nx.connected_components(pairs))
    chosen: set[tuple[int, int]] = set()
    for n, nodes in enumerate(components):
        if progress:
            progress("求解最小费用流 Solving", n, len(components))
        g = nx.DiGraph()
        for kind, x in nodes:
            if kind == "h":
                g.add_edge(("h", x), "t", capacity=1, weight=0)
                for (i, j) in by_node[("h", x)]:
                    cost, _, _ = arcs[(i, j)]
                    g.add_edge(("m", j), ("h", i), capacity=1, weight=int(cost) - (SPECIAL_BONUS if special[i] else 0))
                continue
            m = spare_members[x]
            if m["links"] == 0 and params["min_links"] > 0:
                g.add_edge("s", ("first", x), capacity=1, weight=-FIRST_LINK_BONUS)
                g.add_edge(("first", x), ("m", x), capacity=1, weight=0)
                if m["spare"] > 1:
                    g.add_edge("s", ("m", x), capacity=m["spare"] - 1, weight=0)
            else:
                g.add_edge("s", ("m", x), capacity=m["spare"], weight=0)
        flow = nx.max_flow_min_cost(g, "s", "t")
        chosen |= {(h[1], m[1]) for m, out in flow.items() if isinstance(m, tuple) and m[0] == "m"
                   for h, f in out.items() if f > 0}
    return chosen


class _Side:
    """One side of the matching (households or members) as arrays, for vectorised pair costs."""

    def __init__(self, places: list[dict]):
        self.unit = np.array([p["unit"] for p in places], dtype=np.int64)
        self.building = np.array([p["building"] for p in places], dtype=np.int64)
        self.compound = np.array([p["compound"] for p in places], dtype=np.int64)
        grids = [sorted(p["grids"]) + [-1, -1] for p in places]
        self.grid1 = np.array([g[0] for g in grids], dtype=np.int64)
        self.grid2 = np.array([g[1] for g in grids], dtype=np.int64)
        self.lat = np.array([np.nan if p["lat"] is None else p["lat"] for p in places], dtype=float)
        self.lon = np.array([np.nan if p["lon"] is None else p["lon"] for p in places], dtype=float)
        self.community = np.array([p["community"] or "" for p in places], dtype=object)


def _pair_costs(H: _Side, M: _Side, hi: np.ndarray, mj: np.ndarray, special: np.ndarray, leads: set[tuple[int, int]]):
    """Cost, closeness tier and metres of each (household hi[k], member mj[k]) pair."""
    d = _haversine(H.lat[hi], H.lon[hi], M.lat[mj], M.lon[mj])
    far = np.where(np.isnan(d), 50, np.minimum(d // 100, 50))
    tier = np.where((H.community[hi] == M.community[mj]) & (H.community[hi] != ""), 5, 6)
    g = H.grid1[hi] >= 0
    same_grid = g & ((H.grid1[hi] == M.grid1[mj]) | (H.grid1[hi] == M.grid2[mj])
                     | ((H.grid2[hi] >= 0) & ((H.grid2[hi] == M.grid1[mj]) | (H.grid2[hi] == M.grid2[mj]))))
    tier = np.where(same_grid, 4, tier)
    tier = np.where((H.compound[hi] >= 0) & (H.compound[hi] == M.compound[mj]), 3, tier)
    tier = np.where((H.building[hi] >= 0) & (H.building[hi] == M.building[mj]), 2, tier)
    tier = np.where((H.unit[hi] >= 0) & (H.unit[hi] == M.unit[mj]), 1, tier)
    cost = np.where(tier <= 4, tier * 10, np.where(tier == 5, 50 + far, 600 + far))
    if leads:
        # for a special-group household, the unit's own leader costs nothing
        led = np.array([bool(special[i]) and (int(H.unit[i]), int(j)) in leads for i, j in zip(hi, mj)], dtype=bool)
        cost = np.where(led, 0, cost)
    return cost.astype(np.int64), tier.astype(np.int64), d


def _candidate_arcs(hp, special, mp, spare_members, k) -> dict[tuple[int, int], tuple[int, int, float | None]]:
    """(household i, member j) → (cost, tier, metres): each household's k cheapest members, and each
    member without a link its k cheapest households, within the household's community first."""
    arcs: dict[tuple[int, int], tuple[int, int, float | None]] = {}
    if not hp or not mp:
        return arcs
    H, M = _Side(hp), _Side(mp)
    leads = {(u, j) for j, p in enumerate(mp) for u in p["leads"]}
    members_in: dict[str, np.ndarray] = {c: np.flatnonzero(M.community == c) for c in set(M.community)}
    households_in: dict[str, np.ndarray] = {c: np.flatnonzero(H.community == c) for c in set(H.community)}
    everyone = np.arange(len(mp))

    def keep(hi: np.ndarray, mj: np.ndarray) -> None:
        cost, tier, d = _pair_costs(H, M, hi, mj, special, leads)
        for x in np.argsort(cost, kind="stable")[:k]:
            arcs.setdefault((int(hi[x]), int(mj[x])),
                            (int(cost[x]), int(tier[x]), None if np.isnan(d[x]) else float(d[x])))

    for i in range(len(hp)):
        pool = members_in.get(H.community[i], everyone) if H.community[i] else everyone
        if len(pool) < k:
            pool = everyone
        keep(np.full(len(pool), i), pool)
    # members without any link reach out to their own nearest households, so the flow can use them
    for j, m in enumerate(spare_members):
        if m["links"] != 0:
            continue
        pool = households_in.get(M.community[j], np.arange(len(hp))) if M.community[j] else np.arange(len(hp))
        keep(pool, np.full(len(pool), j))
    return arcs


def _residue(plan: LinkPlan, members, households, need, covered, new_links, params) -> None:
    """What R07, R08, R09 and R10B will show once the plan's links are loaded (same facts as the rules)."""
    linked_now = {need[i]["id"] for i in covered}
    r08 = sorted(h["id"] for h in households if not h["member_linked"] and h["id"] not in linked_now)
    r07 = sorted(h["id"] for h in households if h["special_groups"] and not h["cared_for"] and h["id"] not in linked_now)
    counts = {m["id"]: m["links"] + new_links.get(m["id"], 0) for m in members}
    r09 = sorted(i for i, n in counts.items() if n < params["min_links"] or n > params["max_links"])
    r10b = sorted(m["id"] for m in members if m["assigned"] and counts[m["id"]] == 0)
    plan.before = {
        "R07": sum(1 for h in households if h["special_groups"] and not h["cared_for"]),
        "R08": sum(1 for h in households if not h["member_linked"]),
        "R09": sum(1 for m in members if m["links"] < params["min_links"] or m["links"] > params["max_links"]),
        "R10B": sum(1 for m in members if m["assigned"] and m["links"] == 0),
    }
    plan.residue = {"R07": r07, "R08": r08, "R09": r09, "R10B": r10b}


def _stepper(progress: Progress | None, total: int):
    state = {"n": 0}

    def step(label: str) -> None:
        if progress:
            progress(label, min(state["n"], total), total)
        state["n"] += 1

    return step
