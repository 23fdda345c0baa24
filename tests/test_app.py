"""Every page of the Streamlit app on a loaded county (Streamlit's AppTest, no browser).

What each page shows is checked against the library: counts, gaps, links, the read-only console.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from queries import coverage
from graph.config import open_store
from views._maps import deck
from conftest import BACKENDS, point_env_at, shared_dataset
from ledgers import fill_mini_county

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module", params=BACKENDS)
def _county(request, tmp_path_factory):
    data = shared_dataset(request, request.param, "mini-county", tmp_path_factory, fill_mini_county)
    yield data
    data.close()


@pytest.fixture
def county(_county):
    """The mini county's store (each page test reads it; the console test checks nothing changed)."""
    return _county.get()


@pytest.fixture
def app(_county, app_pages):
    return app_pages(_county.app_env())


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_overview(app, county):
    at = app("views/overview.py")
    m = metrics(at)
    assert m["住户"] == "3" and m["党员"] == "2" and m["包联关系"] == "2"
    r08 = next(r for r in coverage.summary(county) if r["rule"] == "R08")
    assert m["住户包联覆盖率"] == f"{r08['coverage']:.1f}%"
    rules_table = at.dataframe[0].value
    assert len(rules_table) == 24 and list(rules_table["规则"])[:2] == ["R01", "R02"]
    matrix = at.dataframe[1].value
    assert set(matrix.index) == {"和园社区", "青羊社区"}
    assert "全部或不写" in set(at.dataframe[2].value["方式"])


def test_gaps_page_lists_exactly_the_library_gaps(app, county):
    at = app("views/gaps.py")
    at.selectbox(key="gap_rule").set_value("R03A").run()
    expected = coverage.violations(county, "R03A")
    assert metrics(at)["缺口"] == str(len(expected))
    assert sorted(at.dataframe[0].value["编号"]) == sorted(r["id"] for r in expected)
    assert len(at.get("download_button")) == 2
    at.selectbox(key="gap_community").set_value("青羊社区").run()
    assert list(at.dataframe[0].value["编号"]) == ["B3"]
    at.selectbox(key="gap_rule").set_value("R15").run()
    at.number_input(key="p_R15_radius_m").set_value(100).run()
    assert not at.exception


def test_links_page_masks_people(app):
    at = app("views/links.py")
    at.text_input(key="link_q").input("张三").run()
    homes = at.dataframe[0].value
    assert list(homes["住户编号"]) == ["H1"]
    at.text_input(key="link_q").input("和园小区1号楼1单元101").run()
    chain = at.dataframe[0].value
    assert "楼长（在职）" in set(chain["角色"]) and "李*" in set(chain["名称"]) and "138****2222" in set(chain["电话"])
    at.toggle(key="unmask").set_value(True).run()
    assert "李四" in set(at.dataframe[0].value["名称"])
    assert len(at.get("iframe")) == 1  # the network picture


def test_org_chart_drills_down(app):
    at = app("views/org_chart.py")
    assert metrics(at)["下级组织"] == "1"
    assert "和园社区党委" in set(at.dataframe[0].value["名称"])


def test_map_page(app):
    at = app("views/map.py")
    m = metrics(at)
    assert m["有坐标的楼栋"] == "3" and m["服务阵地"] == "1" and m["标红楼栋"] == "1"  # B3 is 1.4 km away


def test_named_query_form(app):
    at = app("views/queries.py")
    at.selectbox(key="q_name").set_value("search").run()
    at.text_input(key="qp_search_q").input("散居")
    at.button[0].click().run()  # a form submits its inputs with the button, in the same run
    assert set(at.dataframe[0].value["编号"]) == {"B3", "H3"}


def test_the_console_refuses_the_corpus_and_keeps_answering(app, county):
    from test_console import CORPUS, SLOW

    before = county.counts()
    at = app("views/queries.py")
    for statement in CORPUS:
        at.text_area(key="free_cypher").input(statement).run()
        at.button(key="free_run").click().run()
        assert not at.exception, statement[:80]
        assert at.error and ("控制台" in at.error[0].value or "语句" in at.error[0].value), statement[:80]
        assert not at.dataframe, statement[:80]
    # a slow statement is stopped and the user told; then the page still answers
    import os
    os.environ["ORGNET_CONSOLE_TIMEOUT"] = "1"
    try:
        at.text_area(key="free_cypher").input(SLOW).run()
        at.button(key="free_run").click().run()
        assert "时限" in at.error[0].value and at.code
        if county.backend == "kuzu":  # the engine's own words for the stop
            assert "Interrupted" in at.code[-1].value
    finally:
        del os.environ["ORGNET_CONSOLE_TIMEOUT"]
    at.text_area(key="free_cypher").input("MATCH (s:Street) RETURN s.name AS name").run()
    at.button(key="free_run").click().run()
    assert list(at.dataframe[0].value["名称"]) == ["城关街道"]
    assert metrics(app("views/overview.py"))["住户"] == "3"
    from views import _shared
    assert _shared.store().counts() == before


def test_import_page_offers_the_templates(app):
    at = app("views/imports.py")
    assert at.get("download_button")


def test_model_page(app):
    at = app("views/model.py")
    m = metrics(at)
    # 17 labels and 28 types, and issue 15's RuleResult and EndedRel (bookkeeping labels)
    assert m["节点标签 Labels"] == "19" and m["关系类型 Relationship types"] == "28"


def test_english_labels(app):
    at = app("views/overview.py")
    at.radio(key="lang").set_value("English").run()
    assert at.title[0].value == "Overview" and "Households" in metrics(at)


def test_map_layers_are_plain_json():
    """pydeck turns string arguments into JavaScript expressions: only accessors may be expressions."""
    spec = json.loads(deck([{"name": "a", "lat": 37.1, "lon": 117.8, "gap": True}],
                           [{"name": "s", "lat": 37.1, "lon": 117.8}]).to_json())
    for layer in spec["layers"]:
        for key, value in layer.items():
            if isinstance(value, str) and value.startswith("@@="):
                assert key.startswith("get"), (key, value)
    assert spec["mapStyle"].startswith("data:application/json")


def fill_demo(s, tmp):
    from demo import run_demo

    run_demo(s, "gaoqing", scale=0.1, seed=1, out_dir=tmp / "demo")
    return {"households": s.counts()["Household"],
            "gaps": {rid: len(coverage.violations(s, rid)) for rid in coverage.rules()},
            "sites": s.counts()["ServiceSite"]}


@pytest.fixture(scope="module", params=BACKENDS)
def demo_db(request, tmp_path_factory):
    data = shared_dataset(request, request.param, "app-demo", tmp_path_factory, fill_demo)
    yield data
    data.close()


PAGE_FILES = ["overview", "gaps", "links", "org_chart", "map", "queries", "imports", "model"]


@pytest.mark.parametrize("page", PAGE_FILES)
def test_every_page_on_the_demo_county(demo_db, monkeypatch, page):
    point_env_at(monkeypatch, demo_db.app_env())
    expected = demo_db.info
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    try:
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, [e.value for e in at.exception]
        m = metrics(at)
        if page == "overview":
            assert m["住户"] == f"{expected['households']:,}"
            table = at.dataframe[0].value.set_index("规则")
            assert {rid: table.loc[rid, "缺口数"] for rid in expected["gaps"]} == expected["gaps"]
        elif page == "gaps":
            for rid in ("R01", "R08", "R15", "R16"):
                at.selectbox(key="gap_rule").set_value(rid).run()
                assert metrics(at)["缺口"] == f"{expected['gaps'][rid]:,}", rid
        elif page == "map":
            assert m["服务阵地"] == f"{expected['sites']:,}"
            assert m["标红楼栋"] == f"{expected['gaps']['R15']:,}"
        elif page == "org_chart":
            assert at.dataframe and "链条" in at.dataframe[0].value.columns
        elif page == "links":
            at.text_input(key="link_q").input("H-000001").run()
            chain = at.dataframe[0].value
            assert {"单元长", "包联党员"} <= set(chain["角色"])
    finally:
        from views import _shared
        _shared.store().close()
        _shared.store.clear()
        import streamlit as st
        st.cache_data.clear()


@pytest.mark.parametrize("raw, shown", [
    ("[请重新登录](http://evil.example)", "\\[请重新登录\\](http\u200b\\://evil.example)"),
    ("www.evil.example mail@evil.example", "www\u200b.evil.example mail\u200b@evil.example"),
    ("**粗** _斜_ `码` ~删~ $x$ a|b :red[红] <b>", r"\*\*粗\*\* \_斜\_ \`码\` \~删\~ \$x\$ a\|b \:red\[红\] \<b\>"),
    ("# 标题\n- 列表", r"\# 标题 - 列表"),
    ("1. 第一", r"1\. 第一"),
    ("ZG-R08-NOPE 1.5 户（3 人）", "ZG-R08-NOPE 1.5 户（3 人）"),  # nothing to escape: drawn as it was
])
def test_plain_shows_outside_text_as_typed_inside_markdown(raw, shown):
    from views._shared import plain

    assert plain(raw) == shown
