"""Planners on a small demo county (on both stores) and on small hand-checked instances: the 包联 plan leaves exactly the
residue it predicts once loaded, the site planner equals brute force and its ledger loads with R15
as the what-if said, grid staffing counts the shortage the rules show."""
from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import sites
from analysis.links_plan import plan_links
from analysis.workers import needed, plan_workers
from conftest import BACKENDS, fresh_store
from demo import run_demo
from graph.config import open_store
from loaders.engine import load, validate
from queries import coverage

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module", params=BACKENDS)
def county(request, tmp_path_factory):
    """A small demo county (every rule's planted gaps, about 2,000 households); the tests that load a
    plan's ledger build on the earlier ones' writes, in order."""
    base = tmp_path_factory.mktemp("plan")
    env = request.getfixturevalue("neo4j_env") if request.param == "neo4j" else None
    store = fresh_store(request.param, base, env, "db")
    run_demo(store, profile="gaoqing", scale=0.05, seed=5, out_dir=base / "ledgers", fmt="csv")
    manifest = json.loads((base / "ledgers" / "manifest.json").read_text(encoding="utf-8"))
    state = {"store": store, "base": base, "manifest": manifest, "env": env}
    yield state
    state["store"].close()


def ids(store, rule, params=None):
    return sorted(r["id"] for r in coverage.violations(store, rule, params))


# --- sites: exact against brute force -------------------------------------------------------------
def _instance(rng: random.Random, n: int, m: int, e: int):
    pt = lambda i, kind: {"id": f"{kind}{i}", "lat": 37.0 + rng.uniform(0, 0.03), "lon": 117.0 + rng.uniform(0, 0.03)}
    demand = [{**pt(i, "B"), "households": rng.randint(1, 120)} for i in range(n)]
    return demand, [pt(i, "C") for i in range(m)], [pt(i, "S") for i in range(e)]


@pytest.mark.parametrize("seed", range(8))
def test_site_planner_equals_brute_force(seed):
    rng = random.Random(seed)
    demand, cands, existing = _instance(rng, n=25, m=9, e=seed % 3)
    for p in (1, 2, 3):
        got = sites.solve_mclp(demand, cands, existing, p, radius_m=900)
        assert got.covered == sites.brute_force(demand, cands, existing, p, radius_m=900)
        assert len(got.chosen) <= p
        # the reported households are what the chosen sites really cover
        assert got.covered == sites.brute_force(demand, got.chosen, existing, len(got.chosen), radius_m=900) \
            if got.chosen else got.covered == 0


def test_site_planner_known_answer():
    # three clusters of 50, 30 and 10 households 5 km apart; one existing site on the 30
    d = lambda i, lat, n: {"id": f"B{i}", "lat": lat, "lon": 117.0, "households": n}
    demand = [d(1, 37.00, 50), d(2, 37.05, 30), d(3, 37.10, 10)]
    existing = [{"id": "S", "lat": 37.05, "lon": 117.0}]
    assert sites.solve_mclp(demand, demand, existing, 1, 1000).buildings == ["B1"]
    assert sites.solve_mclp(demand, demand, existing, 2, 1000).covered == 60
    assert sites.solve_mclp(demand, demand, existing, 0, 1000).covered == 0


def test_site_plan_from_a_candidate_ledger(county, tmp_path):
    store = county["store"]
    outside = sites.what_if(store, [])
    assert outside, "the demo county plants R15 gaps"
    ctx = coverage.context(store, "Building")
    b = ctx[outside[0]["id"]]
    good = tmp_path / "候选点.csv"
    good.write_text("阵地编号,名称,阵地类型,纬度,经度\n"
                    f"CAND-1,候选一,党群服务站,{b['lat']},{b['lon']}\n"
                    "CAND-2,候选二,党群服务站,37.0,117.0\n", encoding="utf-8")
    cands = sites.read_candidates(good, store)
    assert [c["id"] for c in cands] == ["CAND-1", "CAND-2"]
    plan = sites.plan_sites(store, 1, candidates=cands)
    assert [c["id"] for c in plan.solution.chosen] == ["CAND-1"] and plan.solution.covered > 0
    bad = tmp_path / "候选点-有错.csv"
    bad.write_text("阵地编号,名称,阵地类型,纬度,经度\nCAND-3,候选三,党群服务站,117.0,37.0\n", encoding="utf-8")
    from loaders.engine import LoadRefused

    with pytest.raises(LoadRefused) as e:
        sites.read_candidates(bad, store)
    assert {x.column for x in e.value.validation.errors} >= {"纬度"}


def test_site_plan_on_the_county_loads_and_r15_is_the_what_if(county, tmp_path):
    store = county["store"]
    # a radius small enough that every new site adds coverage (the small county plants one R15 gap at
    # the rule's default radius, and the planner stops where more sites add nothing)
    radius = {"radius_m": 200}
    before = ids(store, "R15", radius)
    assert len(before) >= 3
    plan = sites.plan_sites(store, 2, curve_to=4, **radius)
    covered = [c["covered"] for c in plan.curve]
    assert covered == sorted(covered) and plan.curve[0]["covered"] == plan.covered_before
    assert len(plan.solution.chosen) == 2
    assert plan.curve[2]["covered"] == plan.covered_before + plan.solution.covered
    assert [r["id"] for r in sites.what_if(store, [], **radius)] == before
    predicted = sorted(r["id"] for r in sites.what_if(store, plan.solution.chosen, **radius))
    assert len(predicted) < len(before)
    path = tmp_path / "新阵地.xlsx"
    path.write_bytes(plan.ledger_xlsx())
    assert validate([path], store).errors == []
    with pytest.raises(ValueError, match="p 须"):
        sites.plan_sites(store, -1)
    with pytest.raises(ValueError, match="半径"):
        sites.plan_sites(store, 1, radius_m=0)
    load([path], store)
    assert ids(store, "R15", radius) == predicted


# --- links ------------------------------------------------------------------------------------------
def test_links_plan_leaves_exactly_the_predicted_residue(county, tmp_path):
    store = county["store"]
    before = {r: ids(store, r) for r in ("R07", "R08", "R09", "R10B")}
    assert before["R08"] and before["R07"] and before["R10B"]
    plan = plan_links(store)
    assert {r: len(v) for r, v in before.items()} == plan.before
    members = [l["member"] for l in plan.links]
    assert len({l["household"] for l in plan.links}) == len(plan.links)
    assert set(l["household"] for l in plan.links) <= set(before["R08"])
    assert all(l["kind"] == "特殊群体" for l in plan.links if l["household"] in before["R07"])
    path = tmp_path / "包联建议.xlsx"
    path.write_bytes(plan.ledger_xlsx())
    assert validate([path], store).errors == []
    load([path], store)
    for rule in ("R07", "R08", "R09", "R10B"):
        assert ids(store, rule) == plan.residue[rule], rule
    # no member went over the maximum
    counts = {r["id"]: r["links"] for r in coverage.rule("R09").run(store)}
    assert all(counts[m] <= plan.params["max_links"] for m in members)
    with pytest.raises(ValueError):
        plan_links(store, min_links=3, max_links=2)


def test_link_costs_follow_closeness():
    """same unit < same building < same compound < same grid < same community < elsewhere; for a
    special-group household the unit's own leader costs nothing."""
    import numpy as np

    from analysis.links_plan import _pair_costs, _Side

    def place(unit, building, compound, grid, community, lat=37.0, lon=117.0):
        return {"unit": unit, "building": building, "compound": compound, "grids": {grid} if grid >= 0 else set(),
                "community": community, "lat": lat, "lon": lon}

    household = place(1, 10, 100, 1000, "C1")
    members = [place(1, 10, 100, 1000, "C1"), place(2, 10, 100, 1000, "C1"), place(3, 11, 100, 1000, "C1"),
               place(4, 12, 101, 1000, "C1"), place(5, 13, 102, 1001, "C1", lat=37.01),
               place(6, 14, 103, 1002, "C2", lat=37.02)]
    H, M = _Side([household]), _Side(members)
    hi, mj = np.zeros(len(members), dtype=int), np.arange(len(members))
    cost, tier, d = _pair_costs(H, M, hi, mj, np.array([False]), set())
    assert list(tier) == [1, 2, 3, 4, 5, 6]
    assert list(cost) == sorted(cost) and len(set(cost)) == len(cost)
    assert 1100 < d[4] < 1125  # 0.01° of latitude
    # a special-group household: the unit leader (member 1 leads unit 1) comes first
    cost, _, _ = _pair_costs(H, M, hi, mj, np.array([True]), {(1, 1)})
    assert cost[1] == 0 and cost[1] < cost[0]


# --- workers ----------------------------------------------------------------------------------------
def test_worker_shortage_matches_the_rules(county):
    store = county["store"]
    result = plan_workers(store)
    short = {g["id"] for g in result["grids"] if g["short"]}
    assert short == set(ids(store, "R05A")) | set(ids(store, "R05B"))
    for g in result["grids"]:
        assert g["needed"] == needed(g["households"], 300)
    cap = {g["id"]: 300 * g["full_time"] for g in result["grids"]}
    after = {g["id"]: g["households_after_moves"] for g in result["grids"]}
    for m in result["moves"]:
        assert after[m["to_grid"]] <= cap[m["to_grid"]]
    assert result["summary"]["workers_short"] == sum(g["short"] for g in result["grids"])
    with pytest.raises(ValueError):
        plan_workers(store, max_households=0)


def test_plan_cli_json(county, tmp_path):
    if county["env"] is None:  # Kùzu: a copy of the file (one process opens a file at a time)
        county["store"].close()
        shutil.copy(county["base"] / "db.kuzu", tmp_path / "copy.kuzu")
        county["store"] = open_store(str(county["base"] / "db.kuzu"))
        db, db_env = str(tmp_path / "copy.kuzu"), {}
    else:
        db, db_env = county["env"]["NEO4J_URI"], {k: v for k, v in county["env"].items() if k != "NEO4J_URI"}
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "ORGNET_ARCHIVE": str(tmp_path / "archive"),
           "ORGNET_ACCESS": str(tmp_path / "access"), **db_env}
    run = lambda *a: subprocess.run([sys.executable, str(ROOT / "orgnet.py"), "--db", db, *a],
                                    capture_output=True, text=True, env=env, timeout=600)
    out = run("plan", "workers", "--format", "json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["summary"]["cap"] == 300
    # (a small radius: at the default one the sites loaded above left no building outside every circle)
    out = run("plan", "sites", "-p", "1", "--radius", "100", "--format", "json", "-o", str(tmp_path / "s.xlsx"))
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert len(data["sites"]) == 1 and (tmp_path / "s.xlsx").exists() and data["r15_after"] < data["r15_before"]
    out = run("plan", "links", "--format", "json", "-o", str(tmp_path / "l.xlsx"))
    assert out.returncode == 0, out.stderr
    assert set(json.loads(out.stdout)["residue"]) == {"R07", "R08", "R09", "R10B"}

