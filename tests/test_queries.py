"""The named-query library: headers, the Neo4j linter, exact answers on small hand-made graphs."""
from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from analysis import network as analysis
from queries import coverage
from graph.cypherlint import lint
from queries.registry import ParameterError, QueryDefinitionError, declared_vs_used, parse, registry
from graph.schema import linter_schema
from conftest import BACKENDS, shared_dataset
from ledgers import write_csvs
from loaders.engine import load
from orgnet import cli

ROOT = Path(__file__).resolve().parent.parent
QUERIES = registry()


@pytest.fixture(scope="module", params=BACKENDS)
def _mini(request, tmp_path_factory):
    data = shared_dataset(request, request.param, "mini", tmp_path_factory,
                          lambda store, tmp: load(write_csvs(tmp / "in"), store))
    yield data
    data.close()


@pytest.fixture
def mini(_mini):
    """The mini county, only read by the tests (reloaded if another test wiped Neo4j meanwhile)."""
    return _mini.get()


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_header_and_parameters_agree(name):
    q = QUERIES[name]
    assert q.title_zh and q.title_en and q.description and q.kind in ("table", "graph", "map", "value")
    unused, undeclared = declared_vs_used(q)
    assert not unused, f"{name}: declared but unused {unused}"
    assert not undeclared, f"{name}: uses undeclared {undeclared}"


def test_every_rule_of_the_contract_has_a_query_and_a_context():
    contract = re.findall(r"^\| `(R\d+[AB]?)` \|", (ROOT / "docs" / "coverage-rules.md").read_text(encoding="utf-8"), re.M)
    assert sorted(coverage.rules()) == sorted(contract) and len(contract) == 24
    contexts = {q.entity for q in QUERIES.values() if q.context}
    assert {q.entity for q in coverage.rules().values()} <= contexts
    for q in coverage.rules().values():
        assert q.seed, f"{q.rule} names the seed report it comes from"


def test_every_named_query_passes_the_neo4j_linter():
    qs = list(QUERIES.values())
    results = lint([q.cypher("neo4j") for q in qs], linter_schema())
    problems = {q.name: [d.message for d in diags] for q, diags in zip(qs, results) if diags}
    assert not problems


def test_a_malformed_header_is_refused(tmp_path):
    p = tmp_path / "bad.cypher"
    p.write_text("// title: x | y\n// kind: pie\nMATCH (n) RETURN n\n", encoding="utf-8")
    with pytest.raises(QueryDefinitionError, match="description"):
        parse(p)
    p.write_text("// title: x | y\n// description: d\n// kind: table\n// param: broken\nRETURN 1\n", encoding="utf-8")
    with pytest.raises(QueryDefinitionError, match="param"):
        parse(p)


def test_unknown_parameters_are_refused():
    with pytest.raises(ParameterError, match="radius"):
        coverage.rule("R15").bind({"radius": 5})


@pytest.mark.parametrize("query, values, says", [
    ("R15", {"radius_m": "abc"}, "应为数字"), ("R15", {"radius_m": "1e400"}, "有限的数字"),
    ("R15", {"radius_m": -5}, "1–100,000"), ("R05A", {"max_households": 0}, "1–100,000"),
    ("R05A", {"max_households": "2.5"}, "应为整数"), ("connection_path", {"max_hops": 50}, "1–8"),
    ("rule_trend", {"level": "town"}, "可选 county / street / community / grid"),
    ("rule_trend", {"rule": "R99"}, "没有规则“R99”"),
])
def test_parameter_values_that_would_answer_nonsense_are_refused(query, values, says):
    """A radius of -5 m gave every building as a gap; 0 households per worker "增配 -1 名"; an
    unknown level or rule an empty answer that reads as "no data"; text a traceback."""
    from queries.registry import registry

    q = coverage.rule(query) if query.startswith("R") else registry()[query]
    with pytest.raises(ParameterError, match=says):
        q.bind(values)


def test_parameter_values_are_read_as_people_type_them():
    from queries.registry import registry

    assert coverage.rule("R15").bind({"radius_m": "1,500"}) == {"radius_m": 1500}
    assert registry()["rule_trend"].bind({"rule": " r08"})["rule"] == "R08"
    assert coverage.rule("R15").params[0].number_range() == {"min_value": 1, "max_value": 100_000}


MINI_GAPS = {
    "R01": ["G1"], "R02": ["B3"], "R03A": ["B2", "B3"], "R03B": [], "R04A": ["U1", "U2", "U3"], "R04B": [],
    "R05A": [], "R05B": ["G1", "G2"], "R06": [], "R07": [], "R08": ["H3"], "R09": [], "R10A": [], "R10B": [],
    "R11A": [], "R11B": ["E1"], "R12": ["P1", "P2"], "R13": [], "R14A": ["P1", "P2"], "R14B": [],
    "R15": ["B1", "B2", "B3"], "R16": ["H3"], "R17A": [], "R17B": [],
}


@pytest.mark.parametrize("rule_id", sorted(MINI_GAPS))
def test_rule_on_the_mini_county(mini, rule_id):
    rows = coverage.violations(mini, rule_id)
    assert sorted(r["id"] for r in rows) == MINI_GAPS[rule_id]
    for by in ("street", "community"):
        assert sum(r["violating"] for r in coverage.rollup(mini, rule_id, by=by)) == len(rows)


def test_warm_computes_what_the_overview_needs_once_per_data_version(kuzu_store):
    s = kuzu_store
    s.upsert_nodes("Household", [{"id": "H1", "address": "一号"}])
    coverage.warm(s)
    mine = [k for k in coverage._POPULATION_CACHE if k[0] == id(s)]
    assert len(mine) == len(coverage.rules())
    before = {r["rule"]: r for r in coverage.summary(s)}
    assert len([k for k in coverage._POPULATION_CACHE if k[0] == id(s)]) == len(mine)  # read, not recomputed
    assert before["R08"]["total"] == 1
    # any committed write is a new data version: the next summary computes afresh and sees it
    s.upsert_nodes("Household", [{"id": "H2", "address": "二号"}])
    after = {r["rule"]: r for r in coverage.summary(s)}
    assert (after["R08"]["total"], after["R08"]["violating"]) == (2, 2)


def test_detail_rows_carry_their_context(mini):
    (row,) = coverage.violations(mini, "R08")
    assert (row["street"], row["community"], row["grid"], row["building"]) == ("城关街道", "青羊社区", "和园网格", "散居3号楼")
    assert [r["id"] for r in coverage.violations(mini, "R15", community="和园社区")] == ["B1", "B2"]
    assert [r["id"] for r in coverage.violations(mini, "R15", community="C2")] == ["B3"]
    with pytest.raises(ParameterError, match="不存在的街道"):  # an unknown area is an error, not "no gaps"
        coverage.violations(mini, "R15", street="不存在的街道")


def test_parameters_change_the_answer(mini):
    assert [r["id"] for r in coverage.violations(mini, "R09", {"max_links": 0})] == ["M1", "M2"]
    assert coverage.violations(mini, "R05A") == []


def test_link_queries(mini):
    (h,) = QUERIES["member_households"].run(mini, {"member": "M1"})
    assert h["household"] == "H1" and h["same_unit"] and h["special_groups"] == ["独居老人", "低保户"]
    chain = QUERIES["household_chain"].run(mini, {"household": "H1"})
    roles = [(r["step"], r["id"]) for r in sorted(chain, key=lambda r: (r["step"], r["id"]))]
    assert roles == [(2, "M1"), (2, "M2"), (3, "O4"), (4, "O3"), (7, "O2"), (8, "O1"), (9, "M1")]
    (m,) = QUERIES["unit_reported_members"].run(mini, {"organization": "E1"})
    assert m["member"] == "M2" and m["assigned_to"] == ["和园一网格党支部"] and m["community"] == "和园社区"
    (path,) = QUERIES["connection_path"].run(mini, {"person": "M1", "household": "H1"})
    assert path["hops"] == 1 and path["rels"] in (["LINKED_TO"], ["LIVES_IN"])  # both are shortest
    assert [n["id"] for n in path["nodes"]] == ["M1", "H1"] and path["nodes"][0]["label"] == "Person"
    assert QUERIES["connection_path"].run(mini, {"person": "M1", "household": "H3", "max_hops": 2}) == []
    found = QUERIES["search"].run(mini, {"q": "张三"})
    assert [(r["label"], r["id"]) for r in found] == [("Person", "M1")]
    assert {r["id"] for r in QUERIES["search"].run(mini, {"q": "2号楼"})} == {"B2", "H2"}


EDGE = {
    "街道乡镇": "街道编号,名称\nS1,城关街道\n",
    "社区": "社区编号,名称,所属街道编号\nC1,和园社区,S1\n",
    "楼栋": "楼栋编号,楼栋名称,所属社区编号,纬度,经度\nB1,1号楼,C1,37.17,117.83\nB2,2号楼,C1,,\n",
    "单元": "单元编号,单元名称,所属楼栋编号\nU1,1单元,B1\n",
    "住户": "住户编号,门牌地址,所属单元编号,特殊群体\nH1,1号楼1单元101,U1,独居老人\nH2,1号楼1单元102,U1,残疾人\n",
    "网格": "网格编号,名称,所属社区编号\nG1,东网格,C1\nG2,西网格,C1\nG0,空网格,C1\n",
    "网格覆盖": "网格编号,覆盖对象编号\nG1,B1\nG2,U1\n",
    "人员": "人员编号,姓名,是否党员\nL1,赵六,否\nM1,钱七,是\n",
    "单元长": "人员编号,单元编号\nL1,U1\n",
    "包联": "人员编号,住户编号\nL1,H1\nM1,H2\n",
}


@pytest.fixture
def edge(store, tmp_path):
    load(write_csvs(tmp_path / "edge", EDGE), store)
    return store


def test_edge_cases(edge):
    # an empty grid is not a basic grid: only R01 applies to it
    assert "G0" in {r["id"] for r in coverage.violations(edge, "R01")}
    assert "G0" not in {r["id"] for r in coverage.rules()["R05B"].run(edge)}
    # a household in two grids is listed under both, and counted in both grids' roll-ups
    ctx = coverage.context(edge, "Household")["H1"]
    assert ctx["grid_ids"] == ["G1", "G2"] and ctx["grid"] == "东网格、西网格"
    by_grid = {r["area_id"]: r for r in coverage.rollup(edge, "R08", by="grid")}
    assert by_grid["G1"]["total"] == by_grid["G2"]["total"] == 2 and by_grid["G1"]["violating"] == 1
    # the unit leader who links a special household covers it (R07) but is not a member (R04B, R08)
    assert coverage.violations(edge, "R07") == []
    assert [r["id"] for r in coverage.violations(edge, "R04B")] == ["U1"]
    assert [r["id"] for r in coverage.violations(edge, "R08")] == ["H1"]
    # zero service sites: every building with coordinates is outside; one without is not judged
    assert [(r["id"], r["nearest_m"]) for r in coverage.violations(edge, "R15")] == [("B1", None)]


def test_service_circle_distance(edge):
    with edge.transaction() as tx:
        tx.upsert_nodes("ServiceSite", [{"id": "X1", "name": "和园驿站", "kind": "红色驿站", "lat": 37.179, "lon": 117.83}])
    # 0.009° of latitude is about 1000.8 m
    (row,) = coverage.violations(edge, "R15")
    assert 995 < row["nearest_m"] < 1006
    assert coverage.violations(edge, "R15", {"radius_m": 1100}) == []


def test_network_analysis(store, tmp_path):
    ledgers = {
        "街道乡镇": "街道编号,名称\nS1,城关街道\n",
        "社区": "社区编号,名称,所属街道编号\nC1,甲社区,S1\nC2,乙社区,S1\nC3,丙社区,S1\n",
        "楼栋": "楼栋编号,楼栋名称,所属社区编号\nB1,1号楼,C1\nB2,2号楼,C2\n",
        "党组织": "党组织编号,名称,组织类别,上级党组织编号,负责对象编号\n"
                "O1,街道党工委,党工委,,S1\nO2,甲社区党委,党委,O1,C1\nO3,1号楼党小组,党小组,O2,B1\n"
                "X1,乙社区党委,党委,,C2\nX2,2号楼党小组,党小组,X1,B2\n"
                "H1,县住建局物业服务行业党委,党委,,\nH2,和美物业党支部,党支部,H1,\n",
        "单位": "单位编号,单位名称\nE1,县医院\nE2,县一中\nE3,县住建局\n",
        "单位党组织": "党组织编号,单位编号\nH1,E3\n",
        "双报到": "报到主体编号,社区编号\nE1,C1\nE1,C2\nE1,C3\nE2,C3\n",
    }
    load(write_csvs(tmp_path / "net", ledgers), store)
    # the sector committee's chain ends at a unit's party organisation: outside the street tree, not cut off
    assert [(r["id"], r["top"]) for r in analysis.orphan_orgs(store)] == [("X1", "X1"), ("X2", "X1")]
    chains = {r["community"]: r["completeness"] for r in analysis.chain_completeness(store)}
    assert chains == {"甲社区": 100.0, "乙社区": 0.0}
    bridges = analysis.bridging_units(store)
    assert bridges[0]["id"] == "E1" and bridges[0]["communities"] == 3 and bridges[0]["betweenness"] > bridges[1]["betweenness"]


def test_cli_gaps_links_query(db_target, tmp_path):
    from graph.config import open_store

    db = db_target
    with open_store(db) as s:
        s.create_schema()
        load(write_csvs(tmp_path / "in"), s)
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", db, "gaps"])
    assert result.exit_code == 0 and "R15" in result.output and "覆盖率%" in result.output
    out = tmp_path / "r15.xlsx"
    result = runner.invoke(cli, ["--db", db, "gaps", "--rule", "R15", "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out).active
    assert [c.value for c in ws[1]][:6] == ["规则", "编号", "名称", "问题说明", "整改建议", "街道"] and ws.max_row == 4
    result = runner.invoke(cli, ["--db", db, "gaps", "--rule", "R15", "--by", "community", "--format", "json"])
    assert '"violating": 2' in result.output
    result = runner.invoke(cli, ["--db", db, "gaps", "--rule", "R15", "-p", "radius=1"])
    assert result.exit_code == 1 and "radius_m" in result.output and "Traceback" not in result.output
    result = runner.invoke(cli, ["--db", db, "gaps", "--rule", "R99"])
    assert result.exit_code == 1 and "R15" in result.output
    result = runner.invoke(cli, ["--db", db, "links", "--household", "H1"])
    assert result.exit_code == 0 and "楼长（在职）" in result.output
    result = runner.invoke(cli, ["--db", db, "query", "search", "-p", "q=张三", "--format", "csv"])
    assert "M1,张*" in result.output and "张三" not in result.output  # the CLI masks by default (issue 11)
    result = runner.invoke(cli, ["--db", db, "--unmask", "query", "search", "-p", "q=张三", "--format", "csv"])
    assert "张三" in result.output
    result = runner.invoke(cli, ["queries"])
    assert "connection_path" in result.output and "radius_m=1000" in result.output
    result = runner.invoke(cli, ["--db", db, "network", "--what", "orphans"])
    assert result.exit_code == 0
