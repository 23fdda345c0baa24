"""Where to put new service sites: maximal covering location, solved exactly with scipy's MILP (HiGHS).

Every building with coordinates is a demand point weighted by its households. Existing sites are
kept: what they cover within the R15 radius is covered already. Choose ``p`` new sites among the
candidates (every building's location, or a candidate-site ledger in the 服务阵地 format) to cover
the most households still outside every circle::

    maximise   Σ w_i · y_i
    subject to y_i ≤ Σ_{j covers i} x_j      (a building counts only if a chosen site covers it)
               Σ x_j = p,  x_j ∈ {0, 1},  0 ≤ y_i ≤ 1

``scipy.optimize.milp`` (HiGHS branch and bound, relative gap 0) proves the optimum; the tests check
it against brute force on small instances. ``coverage_curve`` solves for p = 0…P; ``what_if`` shows
R15 with the chosen sites before anything is loaded; ``ledger_xlsx`` writes them as a 服务阵地
ledger that ``orgnet validate`` accepts.

Examples
--------
>>> demand = [{"id": "B1", "lat": 37.0, "lon": 117.0, "households": 10},
...           {"id": "B2", "lat": 37.05, "lon": 117.0, "households": 5}]
>>> solve_mclp(demand, candidates=demand, existing=[], p=1, radius_m=1000).covered
10
"""
from __future__ import annotations

import io
import itertools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from graph.store import GraphStore
from queries import coverage
from queries.registry import registry

Progress = Callable[[str, int, int], None]
NEW_SITE_KIND = "党群服务站"


def distances(a: list[dict], b: list[dict]) -> np.ndarray:
    """Great-circle metres between every point of ``a`` (rows) and of ``b`` (columns), as R15 computes them."""
    if not a or not b:
        return np.zeros((len(a), len(b)))
    lat1 = np.radians(np.array([p["lat"] for p in a], dtype=float))[:, None]
    lon1 = np.radians(np.array([p["lon"] for p in a], dtype=float))[:, None]
    lat2 = np.radians(np.array([p["lat"] for p in b], dtype=float))[None, :]
    lon2 = np.radians(np.array([p["lon"] for p in b], dtype=float))[None, :]
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371000 * np.arcsin(np.sqrt(np.clip(h, 0, 1)))


@dataclass
class Solution:
    p: int
    chosen: list[dict] = field(default_factory=list)
    #: households newly covered by the chosen sites
    covered: int = 0
    #: building ids newly covered
    buildings: list[str] = field(default_factory=list)


def solve_mclp(demand: list[dict], candidates: list[dict], existing: list[dict], p: int,
               radius_m: float) -> Solution:
    """The best ``p`` candidates (exact). ``demand`` rows: id, lat, lon, households; candidates: id, lat, lon."""
    if p < 0:
        raise ValueError("p must be ≥ 0")
    if existing:
        kept = distances(demand, existing).min(axis=1) <= radius_m
        open_ = [d for d, k in zip(demand, kept) if not k]
    else:
        open_ = list(demand)
    if p == 0 or not open_ or not candidates:
        return Solution(p)
    cover = distances(open_, candidates) <= radius_m          # building i × candidate j
    useful = np.flatnonzero(cover.any(axis=0))
    if len(useful) == 0:
        return Solution(p)
    cover = cover[:, useful]
    reach = cover.any(axis=1)
    rows = [i for i in range(len(open_)) if reach[i]]
    cover = cover[rows]
    w = np.array([open_[i]["households"] for i in rows], dtype=float)
    n_i, n_j = cover.shape
    p_eff = min(p, n_j)
    from scipy.optimize import Bounds, LinearConstraint, milp

    # variables: x_0..x_{n_j-1}, y_0..y_{n_i-1}
    c = np.concatenate([np.zeros(n_j), -w])
    a_cover = np.hstack([-cover.astype(float), np.eye(n_i)])       # y_i − Σ x_j ≤ 0
    a_count = np.concatenate([np.ones(n_j), np.zeros(n_i)])[None, :]
    cons = [LinearConstraint(a_cover, -np.inf, 0), LinearConstraint(a_count, p_eff, p_eff)]
    integrality = np.concatenate([np.ones(n_j), np.zeros(n_i)])
    res = milp(c, constraints=cons, integrality=integrality, bounds=Bounds(0, 1),
               options={"mip_rel_gap": 0, "disp": False})
    if not res.success:
        raise RuntimeError(f"选址求解失败：{res.message}")
    x = res.x[:n_j] > 0.5
    chosen_idx = [int(useful[j]) for j in np.flatnonzero(x)]
    hit = cover[:, x].any(axis=1)
    return Solution(p, [candidates[j] for j in chosen_idx], int(round(w[hit].sum())),
                    sorted(open_[rows[i]]["id"] for i in np.flatnonzero(hit)))


def brute_force(demand: list[dict], candidates: list[dict], existing: list[dict], p: int, radius_m: float) -> int:
    """Households newly covered by the best ``p`` candidates, trying every combination (small instances only)."""
    kept = (distances(demand, existing).min(axis=1) <= radius_m) if existing else np.zeros(len(demand), bool)
    cover = distances(demand, candidates) <= radius_m
    w = np.array([d["households"] for d in demand])
    best = 0
    for combo in itertools.combinations(range(len(candidates)), min(p, len(candidates))):
        hit = cover[:, list(combo)].any(axis=1) & ~kept if combo else np.zeros(len(demand), bool)
        best = max(best, int(w[hit].sum()))
    return best


# --- on the store --------------------------------------------------------------------------------------
def _radius(radius_m: float | None) -> float:
    default = next(p.default for p in coverage.rule("R15").params if p.name == "radius_m")
    r = float(default if radius_m is None else radius_m)
    if r <= 0:
        raise ValueError(f"服务半径须大于 0 米（收到 {r}）")
    return r


def inputs(store: GraphStore) -> tuple[list[dict], list[dict]]:
    """(buildings with households and coordinates, existing sites with coordinates)."""
    return registry()["plan_building_households"].run(store), registry()["plan_service_sites"].run(store)


def read_candidates(path: str | Path, store: GraphStore) -> list[dict]:
    """Candidate sites from a 服务阵地 ledger (validated like any ledger; errors refuse the file)."""
    from loaders.engine import LoadRefused, validate

    v = validate([path], store)
    if v.errors:
        raise LoadRefused(v)
    out = [{"id": r.key, "name": r.props.get("name"), "lat": r.props.get("lat"), "lon": r.props.get("lon")}
           for r in v.records() if r.source.spec.name == "service_sites"]
    if not out:
        raise ValueError(f"{Path(path).name} 中没有“服务阵地”工作表或行：候选点请按服务阵地台账的格式填写（编号、名称、纬度、经度）")
    return out


@dataclass
class SitePlan:
    radius_m: float
    p: int
    households: int
    covered_before: int
    solution: Solution
    curve: list[dict[str, Any]]
    seconds: float
    #: the fewest new sites that reach every household any site can reach, when the curve got there
    #: (more sites add nothing: the curve stops there and ``solution`` has that many sites)
    enough: int | None = None

    def summary(self) -> dict[str, Any]:
        return {"radius_m": self.radius_m, "p": self.p, "households": self.households,
                "covered_before": self.covered_before, "covered_after": self.covered_before + self.solution.covered,
                "newly_covered": self.solution.covered, "buildings_newly_covered": len(self.solution.buildings),
                "sites": [{"id": s["id"], "name": s.get("name"), "lat": s["lat"], "lon": s["lon"]}
                          for s in self.solution.chosen],
                "curve": self.curve, "enough": self.enough, "seconds": round(self.seconds, 2)}

    def note(self, lang: str = "zh") -> str | None:
        """What to tell a planner who asked for more sites than help (None when every site helps)."""
        if self.enough is None or self.enough >= self.p:
            return None
        if lang == "zh":
            return (f"{self.enough} 个新阵地已能覆盖服务半径内所有可覆盖的住户，再多建也不会提高覆盖："
                    f"方案只列出这 {self.enough} 个（要求 {self.p} 个）")
        return (f"{self.enough} new sites already reach every household a site can reach within the radius; "
                f"more would not raise coverage, so the plan lists those {self.enough} (asked for {self.p})")

    def ledger_rows(self, prefix: str = "FW-NEW-") -> list[dict[str, Any]]:
        return [{"阵地编号": f"{prefix}{i + 1:03d}", "名称": f"拟建党群服务站（{s.get('name') or s['id']}）",
                 "阵地类型": NEW_SITE_KIND, "纬度": s["lat"], "经度": s["lon"], "所在社区编号": s.get("community_id")}
                for i, s in enumerate(self.solution.chosen)]

    def ledger_xlsx(self, prefix: str = "FW-NEW-") -> bytes:
        """The chosen sites as a 服务阵地 ledger (sheet 服务阵地), for ``orgnet validate`` / ``load``."""
        from openpyxl import Workbook

        from loaders.xlsx import append_safe

        wb = Workbook()
        ws = wb.active
        ws.title = "服务阵地"
        header = ["阵地编号", "名称", "阵地类型", "纬度", "经度", "所在社区编号"]
        append_safe(ws, header)
        for r in self.ledger_rows(prefix):
            append_safe(ws, [r[h] for h in header])
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()


def plan_sites(store: GraphStore, p: int, *, radius_m: float | None = None, candidates: list[dict] | None = None,
               curve_to: int | None = None, progress: Progress | None = None) -> SitePlan:
    """Choose ``p`` new sites (existing kept) and the coverage curve for 0…``curve_to`` (default ``p``)."""
    t0 = time.monotonic()
    if p < 0:
        raise ValueError(f"新建阵地数 p 须 ≥ 0（收到 {p}）")
    radius = _radius(radius_m)
    demand, existing = inputs(store)
    if candidates is None:
        ctx = coverage.context(store, "Building")
        candidates = [{"id": d["id"], "name": d["name"], "lat": d["lat"], "lon": d["lon"],
                       "community_id": ctx.get(d["id"], {}).get("community_id")} for d in demand]
    total = sum(d["households"] for d in demand)
    kept = (distances(demand, existing).min(axis=1) <= radius) if existing else np.zeros(len(demand), bool)
    before = int(sum(d["households"] for d, k in zip(demand, kept) if k))
    # households some candidate or existing site can reach: past that, a new site adds nothing
    reach = (distances(demand, candidates + existing).min(axis=1) <= radius) if demand and (candidates or existing) \
        else np.zeros(len(demand), bool)
    coverable = int(sum(d["households"] for d, r in zip(demand, reach) if r))
    top = max(p, curve_to or 0)
    curve, best, enough = [], None, None
    for k in range(top + 1):
        if progress:
            progress("选址求解 Solving", k, top + 1)
        sol = solve_mclp(demand, candidates, existing, k, radius)
        curve.append({"p": k, "covered": before + sol.covered,
                      "coverage": round(100.0 * (before + sol.covered) / total, 2) if total else None})
        if k == p:
            best = sol
        if before + sol.covered >= coverable:
            enough = k
            best = best or sol
            break
    if progress:
        progress("完成 Done", top + 1, top + 1)
    return SitePlan(radius, p, total, before, best, curve, time.monotonic() - t0, enough)


def what_if(store: GraphStore, new_sites: list[dict], *, radius_m: float | None = None) -> list[dict]:
    """R15 as it would be with ``new_sites`` added: every building still outside every circle."""
    radius = _radius(radius_m)
    demand, existing = inputs(store)
    sites = existing + list(new_sites)
    if not demand:
        return []
    nearest = distances(demand, sites).min(axis=1) if sites else np.full(len(demand), np.inf)
    return [{"id": d["id"], "name": d["name"], "nearest_m": None if np.isinf(m) else round(float(m))}
            for d, m in zip(demand, nearest) if m > radius]

