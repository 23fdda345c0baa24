"""The history and figures pages (AppTest) on two quarters of a demo county: loads in time order, the
trend, the diff traced to ledger rows, the statistics table, the report checker and the brief."""
from __future__ import annotations

from pathlib import Path

import pytest

from quarters import Q1, Q2
from reports import stats

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app(_quarters, quarters, app_pages):
    return app_pages({**_quarters.app_env(), "ORGNET_ARCHIVE": str(quarters.archive)}, timeout=240)


def test_history_page_trend_and_diff(app, quarters):
    at = app("views/history.py")
    loads = at.dataframe[0].value
    assert list(loads["导入"]) == [quarters.second, quarters.first]
    gaps = at.dataframe[1].value
    assert list(gaps.columns) == [str(Q1), str(Q2)]
    assert gaps[str(Q2)].sum() - gaps[str(Q1)].sum() == 2  # R08: the ended link and the new household
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["职责与包联"] == "2" and metrics["对象"] == "1"
    lines = at.dataframe[2].value
    assert {"楼长.csv", "包联.csv", "住户.csv"} <= set(lines["文件"])
    assert lines["行"].notna().all()
    at.multiselect(key="diff_kinds").set_value(["gap"]).run()
    assert set(at.dataframe[2].value["变化类别"]) == {"覆盖缺口"}
    at.selectbox(key="trend_level").set_value("county").run()
    assert list(at.dataframe[1].value.index) == ["全县"]


def test_figures_page_table_checker_and_brief(app, quarters):
    at = app("views/stats.py")
    table = at.dataframe[0].value
    with quarters.open() as s:
        leaders = stats.figure(stats.statistics(s), "building_leaders")["county"]
    assert int(table.set_index("统计项").loc["楼长", "全县"]) == leaders
    assert at.get("download_button")
    at.text_area(key="check_text").set_value(f"推选楼长{leaders}人，开展活动280次。").run()
    m = {x.label: x.value for x in at.metric}
    assert (m["一致"], m["不一致"], m["未能对应"]) == ("1", "0", "1")
    at.text_area(key="check_text").set_value(f"推选楼长{leaders + 5}人。").run()
    m = {x.label: x.value for x in at.metric}
    assert (m["一致"], m["不一致"]) == ("0", "1")
    assert at.dataframe[1].value["差值"].tolist() == [-5]
    at.button(key="brief_make").click().run()
    assert not at.exception
    downloads = [d for d in at.get("download_button")]
    assert any("简报.pdf" in str(getattr(d, "proto", d)) for d in downloads)


def test_overview_shows_the_change_since_the_previous_load(app):
    at = app("views/overview.py")
    rules = at.dataframe[0].value.set_index("规则")
    assert rules.loc["R08", "缺口较上次"] == 2
    assert str(Q2) in set(map(str, at.dataframe[2].value["数据截至"]))
