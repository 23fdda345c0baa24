"""The defects a new user found (issue 13): each test here failed before its fix.

Defects 1–2 (which ledger a file is) are tested with the loader (``test_loaders.py``), the README's
ids with the demo county (``test_demo.py``); the rest is here, on the mini county.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.config import open_store
from conftest import BACKENDS, shared_dataset
from ledgers import fill_mini_county
from orgnet import cli
from queries import coverage
from queries.registry import ParameterError
from reports.export import display, natural_key

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module", params=BACKENDS)
def _county(request, tmp_path_factory):
    data = shared_dataset(request, request.param, "mini-county", tmp_path_factory, fill_mini_county)
    yield data
    data.close()


@pytest.fixture
def county(_county, monkeypatch, tmp_path) -> str:
    """The mini county as a ``--db`` value (Neo4j's credentials set in the environment)."""
    return _county.db(monkeypatch, tmp_path)


@pytest.fixture
def app(_county, app_pages):
    return app_pages(_county.app_env())


def _cells(df, progress: tuple[str, ...] = ("覆盖率%",)) -> set[str]:
    """Every cell as text, but for progress-bar columns (an empty one draws no bar)."""
    df = df.drop(columns=[c for c in progress if c in df.columns])
    return {str(v) for v in df.astype(str).to_numpy().ravel()} | {str(c) for c in df.columns}


# --- defect 3: the roll-up and the download follow the filters -----------------------------------
def test_rollup_follows_the_area_filters(county):
    with open_store(county) as s:
        everywhere = coverage.rollup(s, "R03A", by="community")
        assert {r["area"] for r in everywhere} == {"和园社区", "青羊社区"}
        (only,) = coverage.rollup(s, "R03A", by="community", community="青羊社区")
        assert (only["area"], only["total"], only["violating"]) == ("青羊社区", 1, 1)
        by_grid = coverage.rollup(s, "R08", by="grid", grid="和园网格")
        assert [r["area"] for r in by_grid] == ["和园网格"]


def test_gaps_page_rollup_and_file_name_follow_the_filters(app, monkeypatch):
    from streamlit.delta_generator import DeltaGenerator

    names: list[str] = []
    original = DeltaGenerator.download_button

    def recording(self, label, data, file_name=None, *args, **kwargs):
        names.append(file_name)
        return original(self, label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", recording)
    at = app("views/gaps.py")
    at.selectbox(key="gap_rule").set_value("R03A").run()
    at.selectbox(key="gap_community").set_value("青羊社区").run()
    rollup = at.dataframe[-1].value  # the roll-up tab's table
    assert list(rollup["区域"]) == ["青羊社区"]
    names.clear()
    at.selectbox(key="gap_grid").set_value("和园网格").run()
    assert any("和园网格" in n for n in names), names
    assert any("青羊社区" in n for n in names), names


# --- defect 4: empty cells read "—", never "None" --------------------------------------------------
def test_empty_cells_read_a_dash(app):
    at = app("views/overview.py")
    for df in at.dataframe:
        assert "None" not in _cells(df.value) and "nan" not in _cells(df.value)
    matrix = at.dataframe[1].value
    assert "—" in _cells(matrix)  # R06 applies to no compound of the mini county
    at = app("views/gaps.py")
    at.selectbox(key="gap_rule").set_value("R12").run()
    for df in at.dataframe:
        assert "None" not in _cells(df.value)


def test_values_as_a_person_reads_them():
    import datetime as dt

    assert display("lat", 37.170123456) == 37.17012
    assert display("nearest_m", 1234.5678) == 1235
    assert display("started", dt.datetime(2026, 5, 1, 2, 3, 4, 567890)) == "2026-05-01 10:03"  # local, to the minute
    assert display("name", None) == "—"
    assert sorted(["第七网格", "第一网格", "第三网格", "第十二网格"], key=natural_key) == \
        ["第一网格", "第三网格", "第七网格", "第十二网格"]


# --- defect 6: unknown areas and ids are errors with close matches ----------------------------------
def test_unknown_areas_are_errors_with_close_matches(county):
    with open_store(county) as s:
        with pytest.raises(ParameterError, match="和园社区"):
            coverage.violations(s, "R08", community="和园社")
        with pytest.raises(ParameterError, match="网格"):
            coverage.rollup(s, "R08", by="grid", grid="不存在的网格")


@pytest.mark.parametrize("args, says", [
    (["gaps", "--rule", "R08", "--community", "和园社"], "相近的有：和园社区"),
    (["gaps", "--rule", "R08", "--grid", "G9"], "没有名为或编号为“G9”的网格"),
    (["links", "--household", "H-00001"], "没有编号为“H-00001”的住户"),
    (["links", "--member", "张三"], "名称为“张三”的编号是：M1"),
    (["query", "connection_path", "-p", "household=H1"], "缺少必填参数 person"),
    (["query", "member_households", "-p", "member=M9"], "相近的编号"),
    # without --rule the per-rule summary used to ignore the area and the parameters
    (["gaps", "--community", "和园社"], "相近的有：和园社区"),
    (["gaps", "-p", "radius=800"], "没有规则使用参数 radius"),
    (["gaps", "--by", "street"], "--by 需要与 --rule 一起使用"),
])
def test_cli_refuses_what_does_not_exist(county, args, says):
    result = CliRunner().invoke(cli, ["--db", county, *args])
    assert result.exit_code != 0 and says in result.output, result.output


def test_the_rule_summary_follows_the_area_and_the_parameters(county):
    """``orgnet gaps --community X`` is X's line per rule; ``-p radius_m=…`` reaches R15."""
    import json

    def summary(*args):
        result = CliRunner().invoke(cli, ["--db", county, "gaps", "--format", "json", *args])
        assert result.exit_code == 0, result.output
        return {r["rule"]: r for r in json.loads(result.output)}

    with open_store(county) as s:
        expected = {rid: len(coverage.violations(s, rid, community="青羊社区")) for rid in coverage.rules()}
        far = len(coverage.violations(s, "R15", {"radius_m": 1}))
    everywhere, only = summary(), summary("--community", "青羊社区")
    assert {rid: r["violating"] for rid, r in only.items()} == expected
    assert any(only[rid]["total"] < everywhere[rid]["total"] for rid in only)
    assert summary("-p", "radius_m=1")["R15"]["violating"] == far > everywhere["R15"]["violating"]


# --- defect 9: a rule's named query answers with its gaps -------------------------------------------
def test_a_rule_query_returns_the_gaps_not_the_population(county):
    result = CliRunner().invoke(cli, ["--db", county, "query", "r02_building_without_party_group", "--format", "json"])
    assert result.exit_code == 0, result.output
    import json

    rows = json.loads(result.output)
    assert [r["id"] for r in rows] == ["B3"]  # B1 and B2 have a party group
    assert rows[0]["community"] == "青羊社区"


def test_queries_page_runs_a_rule_as_its_gaps(app):
    at = app("views/queries.py")
    at.selectbox(key="q_name").set_value("r02_building_without_party_group").run()
    at.button[0].click().run()
    assert list(at.dataframe[0].value["编号"]) == ["B3"]


# --- defect 5: the org chart below the street -------------------------------------------------------
def test_org_chart_stacks_many_sub_organisations_and_wraps_names():
    import networkx as nx

    from views._orgchart import org_dot

    tree = nx.DiGraph()
    tree.add_node("C", name="和园社区党委", tier_name="社区党委")
    for i in range(33):
        tree.add_node(f"g{i}", name=f"和园社区第{i + 1}网格党支部（含和园小区、和园新村等散居楼栋）", tier_name="网格党支部")
        tree.add_edge(f"g{i}", "C")
    dot = org_dot(tree, "C", lambda n: "链条完整 楼栋链条 98%", anchored=set(tree))
    assert "rankdir=LR" in dot  # siblings stack in a column instead of one row of thumbnails
    assert dot.count("->") == 25 and "另有 9 个" in dot  # 24 drawn, the rest summed up in one box
    for line in dot.splitlines():
        if 'label="' in line:
            for part in line.split('label="', 1)[1].split('"', 1)[0].split("\\n"):
                assert len(part) <= 12, part  # no line wider than its box


def test_org_chart_orders_sub_organisations_by_their_number():
    """Defect 8 on the org chart: 第一, 第三, 第七, 第十二 — not 第一, 第七, 第三 (text order)."""
    import networkx as nx

    from views._orgchart import children

    tree = nx.DiGraph()
    tree.add_node("C", name="富明社区党总支")
    for i, n in enumerate(["第七", "第十二", "第一", "第三"]):
        tree.add_node(f"g{i}", name=f"中共富明{n}网格支部委员会")
        tree.add_edge(f"g{i}", "C")
    assert [tree.nodes[c]["name"][4:7] for c in children(tree, "C")] == ["第一网", "第三网", "第七网", "第十二"]


# --- pictures: the map's legend and symbols -----------------------------------------------------------
def test_map_has_distinct_symbols_and_a_legend():
    import json

    from views import _maps as maps

    deck = maps.deck([{"name": "1号楼", "lat": 37.1, "lon": 117.8, "gap": True, "count": 3, "tip": "1号楼：缺口 3"},
                      {"name": "2号楼", "lat": 37.2, "lon": 117.9, "gap": False}],
                     [{"name": "红色驿站", "kind": "红色驿站", "lat": 37.15, "lon": 117.85}])
    spec = json.loads(deck.to_json())
    kinds = {layer["id"]: layer["@@type"] for layer in spec["layers"]}
    assert kinds["sites"] == "PolygonLayer" and kinds["buildings"] == "ScatterplotLayer"
    assert spec["layers"][1]["data"][-1]["tip"] == "1号楼：缺口 3"
    html = maps.legend([("gap", "#c0392b", "有缺口的楼栋（1）"), ("site", "#d35400", "党群服务阵地（1）")])
    assert "●" in html and "▲" in html and "有缺口的楼栋（1）" in html
    assert "<svg" not in html  # st.html sanitises SVG away: the symbols are characters


def test_map_page_filters_by_community_and_explains_each_gap(app):
    at = app("views/map.py")
    at.selectbox(key="map_community").set_value("青羊社区").run()
    m = {x.label: x.value for x in at.metric}
    assert m["有坐标的楼栋"] == "1" and m["标红楼栋"] == "1"  # B3 only
    assert any("图例" in x.value for x in at.markdown)


# --- defect 7: search -------------------------------------------------------------------------------
def test_search_finds_a_household_by_phone_and_says_who_people_are(store, tmp_path):
    from ledgers import write_csvs
    from loaders.engine import load
    from queries.registry import registry

    fill_mini_county(store, tmp_path)
    load(write_csvs(tmp_path / "phone", {"住户": "住户编号,门牌地址,所属单元编号,联系电话\n"
                                             "H1,和园小区1号楼1单元101,U1,13900001111\n"}), store)
    search = registry()["search"]
    # by phone for those who may see numbers in full; not for masked users (it would reveal the number)
    assert [(r["label"], r["id"]) for r in search.run(store, {"q": "13900001111"}, unmasked=True)] == [("Household", "H1")]
    assert search.run(store, {"q": "13900001111"}, unmasked=False) == []
    people = {r["id"]: r for r in search.run(store, {"q": "张三"}, unmasked=False) if r["label"] == "Person"}
    assert people["M1"]["building_leader"] == 1 and people["M1"]["detail"] == "社区党员"
    assert len([r for r in search.run(store, {"q": "号楼", "limit": 1}, unmasked=False) if r["label"] == "Building"]) == 1


def test_links_page_tells_people_apart(app):
    at = app("views/links.py")
    at.text_input(key="link_q").input("张三").run()
    options = at.radio(key="link_pick").options
    assert any("张*" in o and "楼长" in o and "社区党员" in o and "M1" in o for o in options), options
    at.text_input(key="link_q").input("1").run()
    assert not at.exception


# --- the roll-up contract: the rule's population, not every entity of its kind -----------------------
def test_rollups_count_the_rules_population_as_the_contract_says(county):
    contract = (ROOT / "docs" / "coverage-rules.md").read_text(encoding="utf-8")
    assert "population" in contract and "total entities of that kind" not in contract
    with open_store(county) as s:
        members = s.query("MATCH (p:Person) WHERE p.is_member = true RETURN count(p) AS n")[0]["n"]
        people = s.query("MATCH (p:Person) RETURN count(p) AS n")[0]["n"]
        assert members < people
        r09 = coverage.rollup(s, "R09", by="community")
        assert sum(r["total"] for r in r09) == members
        for rid in coverage.rules():
            population = coverage.rule(rid).run(s)
            assert sum(r["total"] for r in coverage.rollup(s, rid, by="street")) == len(population), rid


def test_grid_coverage_rule_finds_buildings_and_households_no_grid_covers(store, tmp_path):
    from ledgers import MINI, write_csvs
    from loaders.engine import load

    ledgers = dict(MINI, 网格覆盖="网格编号,覆盖对象编号\nG2,B1\nG1,U3\n")  # B2 (and H2) left out
    load(write_csvs(tmp_path / "in", ledgers), store)
    assert [r["id"] for r in coverage.violations(store, "R17A")] == ["B2"]
    assert [r["id"] for r in coverage.violations(store, "R17B")] == ["H2"]


# --- defect 8: `orgnet info` lines up Chinese names ------------------------------------------------
def test_info_aligns_chinese_names(county):
    import unicodedata

    out = CliRunner().invoke(cli, ["--db", county, "info", "--all"]).output
    rows = [line for line in out.splitlines() if line.startswith("  ")]
    assert len(rows) > 30

    def count_column(line: str) -> int:  # terminal column where the count ends
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line.rstrip())

    nodes = [r for r in rows if not r.split()[0].isupper()]
    assert len({count_column(r) for r in nodes}) == 1, nodes[:3]
    rels = [r for r in rows if r.split()[0].isupper()]
    assert len({count_column(r) for r in rels}) == 1, rels[:3]


# --- overview: a cell of the rule × community matrix opens that community's gaps of that rule ------
def test_a_matrix_cell_opens_that_communitys_gaps_of_that_rule(app):
    at = app("views/overview.py")
    matrix = at.dataframe[1].value
    row = list(matrix.index).index("青羊社区")
    # what a click on the cell (青羊社区, R03A) sends: the grid's selection (AppTest cannot click a canvas)
    at.session_state["ov_matrix"] = {"selection": {"rows": [], "columns": [], "cells": [[row, "R03A"]]}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["覆盖缺口"]
    assert at.selectbox(key="gap_rule").value == "R03A" and at.selectbox(key="gap_community").value == "青羊社区"
    table = at.dataframe[0].value
    assert list(table["编号"]) == ["B3"] and set(table["社区"]) == {"青羊社区"}  # not 和园社区's B2
    assert list(table["问题说明"]) == ["该楼栋 0 名楼长，应至少 1 名"]
    # a cell of the 缺口总数 column names no rule: the overview stays
    at = app("views/overview.py")
    at.session_state["ov_matrix"] = {"selection": {"rows": [], "columns": [], "cells": [[row, "缺口总数"]]}}
    at.run()
    assert [t.value for t in at.title][0] == "总览"


# --- defect 8: the CLI prints what the pages show ---------------------------------------------------
def test_cli_tables_read_as_the_pages(county):
    import re

    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(cli, ["--db", county, *args])
        assert result.exit_code == 0, result.output
        return result.output

    loads = run("loads")
    assert not re.search(r"\d\d:\d\d:\d\d", loads) and "UTC" not in loads  # local time, to the minute
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d\b", loads)
    r15 = run("gaps", "--rule", "R15")
    assert "1408 " in r15 and "1407.5" not in r15 and "37.1801 " in r15  # metres whole, coordinates to 5 places
    assert "问题说明" in r15 and "—" in r15 and "None" not in r15  # an empty compound reads —
    summary = run("gaps")
    assert "网格无党组织负责" in summary and not re.search(r"\b(Grid|Building|Household)\b", summary)
    chain = run("links", "--household", "H1")
    assert "党组织" in chain and not re.search(r"\b(Person|PartyOrg)\b", chain)
    search = run("query", "search", "-p", "q=张")
    assert "building_leader" not in search and "楼长职务数" in search and "人员" in search
    # columns line up under their headers, Chinese characters counting double: every column starts
    # at the same display width on every line, after two spaces
    from orgnet import _width
    lines = summary.splitlines()
    starts = [m.start() for m in re.finditer(r"-+", lines[1])][1:]
    for line in [lines[0], *lines[2:8]]:
        for s in starts:
            i = next(i for i in range(len(line) + 1) if _width(line[:i]) >= s)
            assert _width(line[:i]) == s and line[i - 2:i] == "  ", (line, s)


def test_a_path_reads_as_names_and_kinds_in_the_cli_and_its_files(county):
    """connection_path printed Python dicts ({'id': …, 'label': 'Person', …}) and relationship type
    names in the terminal and in its CSV."""
    for fmt in ("table", "csv"):
        result = CliRunner().invoke(cli, ["--db", county, "query", "connection_path", "-p", "person=M1",
                                          "-p", "household=H1", "--format", fmt])
        assert result.exit_code == 0, result.output
        # M1 lives in H1 and is linked to it: either one-hop path is a shortest one
        assert "（人员） → " in result.output and "（户）" in result.output
        assert ("居住" in result.output) != ("包联" in result.output)
        assert "{'id'" not in result.output and "_" not in result.output and "途经对象" in result.output


def test_cli_tables_say_yes_and_no(county):
    result = CliRunner().invoke(cli, ["--db", county, "query", "member_households", "-p", "member=M1"])
    assert result.exit_code == 0, result.output
    assert "是" in result.output and "True" not in result.output and "False" not in result.output
