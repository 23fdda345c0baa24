"""统计表 and the report checker on every demo profile at scale 1 (Kùzu): the statistics equal the
figures each profile states, each seed report reconciles with the profile calibrated on it, altered
figures are caught one by one, and unmappable claims are listed with a reason instead of guessed. On a
small county, on both stores: the statistics count what the generator wrote, one community's table
and its XLSX, and the CLI's check-report and stats."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from demo import PROFILES, generate
from graph.config import open_store
from loaders.engine import load
from conftest import BACKENDS, shared_dataset
from reports import checker, stats

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
if not SEEDS.is_dir():
    SEEDS = Path("/work/shared/seeds")


def seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


# The four profiles at scale 1 (830,000 rows, about 17 min at Neo4j's load rate) are loaded into Kùzu
# only: what they check is the profiles' stated figures, which hold at scale 1. What the store does —
# the statistics queries, one community's table, the CLI — runs on both stores on ``small``.
@pytest.fixture(scope="module")
def counties(tmp_path_factory):
    """Each profile generated and loaded at scale 1; its statistics and county name (the store is closed)."""
    out = {}
    for key in PROFILES:
        tmp = tmp_path_factory.mktemp(key)
        g = generate(key, scale=1.0, seed=1, out_dir=tmp / "ledgers", fmt="csv")
        db = str(tmp / "county.kuzu")
        with open_store(db) as s:
            s.create_schema()
            load(g.paths, s)
            out[key] = {"g": g, "db": db, "table": stats.statistics(s), "county": checker.county_name(s),
                        "manifest": json.loads(g.manifest.read_text(encoding="utf-8"))}
    return out


def _fill_small(store, tmp: Path) -> dict:
    g = generate("gaoqing", scale=0.05, seed=2, out_dir=tmp / "ledgers", fmt="csv")
    load(g.paths, store)
    return {"manifest": json.loads(g.manifest.read_text(encoding="utf-8"))}


@pytest.fixture(scope="module", params=BACKENDS)
def _small(request, tmp_path_factory):
    data = shared_dataset(request, request.param, "figures-small", tmp_path_factory, _fill_small)
    yield data
    data.close()


@pytest.fixture
def small(_small):
    """A small demo county (0.05) in the store of each backend, only read by the tests."""
    _small.get()
    return _small


#: figures the generator counts itself (at any scale), by statistics key
COUNTED = ("party_centre", "volunteers", "property_companies", "grid_branches", "party_groups", "full_time_workers",
           "grids", "building_leaders", "unit_leaders", "red_leaders", "units_reported", "reported_members")


def test_statistics_count_what_the_generator_wrote_on_both_stores(small):
    table = stats.statistics(small.store)
    got = {r["key"]: r["county"] for r in table}
    fig = small.info["manifest"]["figures"]
    assert {k: got[k] for k in COUNTED} == {k: fig[k] for k in COUNTED}
    assert got["households"] == small.store.counts()["Household"] > 1000
    for r in table:  # the county is the sum of its communities where nobody is shared between communities
        if r["key"] in ("households", "compounds", "grids", "unit_leaders", "party_centre"):
            comms = [a for a in r["areas"] if r["area_names"][a].endswith("社区")]
            assert comms and sum(r["areas"][a] for a in comms) == r["county"], r["key"]
    assert all(r["basis"] for r in table)


def stated(key: str) -> dict[str, int]:
    """The figures a profile states (kept exact at scale 1), by statistics key."""
    p = PROFILES[key]
    e = {"communities": p.communities, "households": p.households, "compounds": p.compounds,
         **{f"compounds_by_kind:{k}": n for k, n in p.compound_kinds},
         **{f"grids_by_level:{k}": n for k, n in p.grid_levels},
         **{f"sites_by_kind:{k}": n for k, n, _ in p.sites}, "sites_by_kind:党群服务中心": p.communities}
    for f in ("grid_branches", "building_leaders", "red_leaders", "unit_leaders", "full_time_workers",
              "branch_secretaries", "party_groups", "street_leaders", "units_reported", "reported_members",
              "company_own_branches", "company_joint_branches", "company_instructors", "volunteer_teams"):
        if getattr(p, f) is not None:
            e[f] = getattr(p, f)
    if p.owners_committees is not None:
        e["owners_bodies_by_kind:业主委员会"] = p.owners_committees
    if p.management_committees is not None:
        e["owners_bodies_by_kind:物业管理委员会"] = p.management_committees
    if p.grid_branches is not None:
        # the report states the branches; basic grids are those plus the grids planted without one (R01)
        del e[f"grids_by_level:{p.grid_levels[-1][0]}"]
    return e


@pytest.mark.parametrize("key", list(PROFILES))
def test_statistics_equal_the_figures_the_profile_states(counties, key):
    c = counties[key]
    got = {r["key"]: r["county"] for r in c["table"]}
    expected = stated(key)
    assert {k: got.get(k) for k in expected} == expected
    # and everything else the generator counted
    fig = c["manifest"]["figures"]
    for k in COUNTED:
        assert got[k] == fig[k], k
    # the county is the sum of its communities for figures nobody shares between communities
    for r in c["table"]:
        if r["key"] in ("households", "compounds", "grids", "unit_leaders", "party_centre"):
            comms = [a for a in r["areas"] if a in {x for x in r["area_names"]} and r["area_names"][a].endswith("社区")]
            assert sum(r["areas"][a] for a in comms) == r["county"], r["key"]
    assert all(r["basis"] for r in c["table"])


def test_statistics_for_one_community_and_the_xlsx_report_table(small):
    s = small.store
    name = s.query("MATCH (c:Community) RETURN c.name AS n ORDER BY c.id LIMIT 1")[0]["n"]
    table = stats.statistics(s, community=name)
    with pytest.raises(Exception, match="找不到社区"):
        stats.statistics(s, community="没有这个社区")
    assert all(list(r["area_names"].values()) == [name] for r in table)
    households = stats.figure(table, "households")
    [own] = households["areas"].values()
    assert 0 < own < households["county"] and s.counts()["Community"] > 1
    wb = load_workbook(io.BytesIO(stats.to_xlsx(table)))
    ws = wb.active
    assert ws["A1"].value == "统计表"
    assert [c.value for c in ws[2]] == ["统计项", "单位", "全县", name, "统计口径"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=3)}
    assert rows["单元长"][2].value == stats.figure(table, "unit_leaders")["county"]


#: per (seed, profile): the statistics keys the report states and the profile reproduces — each claim on
#: them must agree; and the claims on those keys the report uses for something else (listed with why)
RECONCILE = {
    ("000", "gaoqing"): ({"street_leaders", "communities", "compounds", "grids", "branch_secretaries",
                          "full_time_workers", "building_leaders", "unit_leaders", "red_leaders", "volunteer_teams",
                          "volunteers", "units_reported", "reported_members", "owners_bodies_by_kind:业主委员会",
                          "households", "sites_by_kind:红色驿站", "sites_by_kind:青蜂驿站"},
                         set()),
    ("003", "gaoqing"): (None, set()),
    ("002", "pingshun"): ({"grids_by_level:一级网格", "grids_by_level:二级网格", "grids_by_level:三级网格",
                           "sites_by_kind:网格驿站", "sites_by_kind:党群服务点", "reported_members"}, set()),
    ("002", "huguan"): ({"compounds", "compounds_by_kind:大产权小区", "compounds_by_kind:村建小区",
                         "compounds_by_kind:单位家属小区", "company_own_branches", "company_joint_branches",
                         "company_instructors", "owners_bodies_by_kind:业主委员会",
                         "owners_bodies_by_kind:物业管理委员会"}, set()),
    ("002", "wuxiang"): ({"grid_branches", "party_groups", "party_centre", "compounds",
                          "owners_bodies_by_kind:业主委员会", "owners_bodies_by_kind:物业管理委员会",
                          "reported_members"},
                         # 32家共驻共建单位300名在职党员: the members of 32 co-building units, not all reported
                         {("300名", "reported_members")}),
}
RECONCILE[("003", "gaoqing")] = (RECONCILE[("000", "gaoqing")][0], RECONCILE[("003", "gaoqing")][1])


@pytest.mark.parametrize("seed_id, key", list(RECONCILE))
def test_each_seed_report_reconciles_with_its_profile(counties, seed_id, key):
    c = counties[key]
    keys, elsewhere = RECONCILE[(seed_id, key)]
    claims = checker.check(seed(seed_id), None, table=c["table"], county=c["county"])
    agree = {x["key"] for x in claims if x["status"] == "agree"}
    assert keys <= agree, f"not reconciled: {sorted(keys - agree)}"
    on_keys = [x for x in claims if x["key"] in keys and x["status"] != "agree"]
    assert {(x["text"], x["key"]) for x in on_keys} == elsewhere
    # nothing is guessed: every claim is agree/differ with a figure, or unmapped with a reason
    for x in claims:
        assert (x["status"] == "unmapped") == (x["key"] is None or x["graph"] is None)
        if x["status"] == "unmapped":
            assert x["reason"]
    if seed_id == "002":
        # the other counties' sections of the same report are listed, not checked
        others = {"pingshun": "平顺县", "huguan": "壶关县", "wuxiang": "武乡县"}
        assert any(other in x["reason"] for x in claims for k, other in others.items() if k != key)


def test_a_difference_names_the_entities_behind_it(counties):
    # 壶关's report says 业委会(物管会)100%全覆盖; the demo county plants compounds without one (R14A)
    c = counties["huguan"]
    (claim,) = [x for x in checker.check(seed("002"), None, table=c["table"], county=c["county"])
                if x["key"] == "owners_body_coverage"]
    assert claim["status"] == "differ" and claim["claimed"] == 100
    assert claim["entities"] == sorted(c["manifest"]["rules"]["R14A"])
    assert claim["difference"] == pytest.approx(claim["graph"] - 100)


@pytest.mark.parametrize("seed_id, key", [("000", "gaoqing"), ("002", "huguan"), ("002", "wuxiang")])
def test_altered_figures_are_caught_one_by_one(counties, seed_id, key):
    c = counties[key]
    text = seed(seed_id)
    claims = checker.check(text, None, table=c["table"], county=c["county"])
    agreeing = [x for x in claims if x["status"] == "agree"]
    assert len(agreeing) >= 6
    # change every agreeing figure's number by a different amount, back to front so offsets stay valid
    altered = text
    delta = {}
    for i, x in enumerate(sorted(agreeing, key=lambda x: -x["offset"])):
        m = re.compile(r"\d+").search(altered, x["offset"])
        delta[x["offset"]] = 1000 * (i + 1)
        altered = altered[:m.start()] + str(int(m.group()) + delta[x["offset"]]) + altered[m.end():]
    after = checker.check(altered, None, table=c["table"], county=c["county"])
    assert len(after) == len(claims)
    for x, y in zip(claims, after):
        if x["status"] == "agree":  # caught, on the same figure, by the amount it was changed
            assert (y["status"], y["key"], y["graph"]) == ("differ", x["key"], x["graph"]), y["text"]
            assert y["claimed"] == x["claimed"] + delta[x["offset"]]
            assert y["difference"] == pytest.approx(x["graph"] - y["claimed"])
        else:
            assert (y["status"], y["key"]) == (x["status"], x["key"])


def test_ranges_and_approximate_figures():
    table = [{"key": "party_centre", "figure": "党员中心户", "unit": "户", "basis": "b", "county": 512, "areas": {},
              "area_names": {}, "ids": []},
             {"key": "volunteers", "figure": "志愿者", "unit": "名", "basis": "b", "county": 3650, "areas": {},
              "area_names": {}, "ids": []}]
    claims = checker.check("确定党员中心户500余户。涵盖志愿者3600余名。确定党员中心户600余户。志愿者近4000名。"
                           "每名党员包联1—2户。开展活动280次。", None, table=table, county="高青县")
    assert [(x["claimed"], x["low"], x["high"], x["status"]) for x in claims[:4]] == [
        (500, 500, 599, "agree"), (3600, 3600, 3699, "agree"), (600, 600, 699, "differ"), (4000, 3600, 4000, "agree")]
    assert [(x["text"], x["status"]) for x in claims[4:]] == [("1—2户", "unmapped"), ("280次", "unmapped")]
    assert "标准" in claims[4]["reason"] and "次" in claims[5]["reason"]
    with pytest.raises(Exception, match="文稿为空"):
        checker.check("  ", None, table=table, county="高青县")


def test_docx_upload_reads_as_the_text(counties, tmp_path):
    from docx import Document

    c = counties["gaoqing"]
    doc = Document()
    for para in seed("000").splitlines():
        doc.add_paragraph(para)
    path = tmp_path / "报告.docx"
    doc.save(path)
    text = checker.read_text(path.name, path.read_bytes())
    assert [x["text"] for x in checker.check(text, None, table=c["table"], county=c["county"])] == \
           [x["text"] for x in checker.check(seed("000"), None, table=c["table"], county=c["county"])]
    with pytest.raises(Exception, match="不是有效的 .docx"):
        checker.read_text("坏.docx", b"not a zip")


def test_the_cli_checks_a_report_and_writes_the_table(small, monkeypatch, tmp_path):
    from click.testing import CliRunner

    from orgnet import cli

    db = small.db(monkeypatch, tmp_path)
    table = stats.statistics(small.store)
    n = {k: stats.figure(table, k)["county"] for k in ("building_leaders", "unit_leaders", "red_leaders")}
    runner = CliRunner()
    good = tmp_path / "good.txt"
    good.write_text(f"推选楼长{n['building_leaders']}人、单元长{n['unit_leaders']}人，"
                    f"推荐在职“红色楼长”{n['red_leaders']}名。", encoding="utf-8")
    result = runner.invoke(cli, ["--db", db, "check-report", str(good), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["summary"] == {"agree": 3, "differ": 0, "unmapped": 0}
    bad = tmp_path / "bad.txt"
    wrong = n["building_leaders"] + 1
    bad.write_text(f"推选楼长{wrong}人、单元长{n['unit_leaders']}人。", encoding="utf-8")
    result = runner.invoke(cli, ["--db", db, "check-report", str(bad)])
    assert result.exit_code == 1 and "不一致" in result.output and str(wrong) in result.output
    out = tmp_path / "统计表.xlsx"
    result = runner.invoke(cli, ["--db", db, "stats", "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0 and load_workbook(out).active["A1"].value == "统计表"
    result = runner.invoke(cli, ["--db", db, "stats", "--format", "json"])
    assert {r["key"]: r["county"] for r in json.loads(result.output)}["building_leaders"] == n["building_leaders"]
    result = runner.invoke(cli, ["--db", db, "stats", "--community", "不存在社区"])
    assert result.exit_code != 0 and "找不到社区" in result.output
