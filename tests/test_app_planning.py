"""The 整改 and 规划 pages (Streamlit AppTest) on the mini county with its cases opened."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cases import ledger
from loaders.engine import load
from conftest import BACKENDS, shared_dataset
from ledgers import fill_mini_county
from queries import coverage

ROOT = Path(__file__).resolve().parent.parent


def _fill(s, tmp: Path) -> dict:
    shutil.rmtree(tmp / "archive", ignore_errors=True)  # a refill starts a fresh archive
    fill_mini_county(s, tmp)
    ledger.sync(s, archive=tmp / "archive")
    # one case owned by a person (张三): the page must mask the owner's name
    first = ledger.cases(s)[0]
    returned = tmp / "任务清单.csv"
    returned.write_text(f"案件编号,状态,责任主体编号\n{first['id']},整改中,M1\n", encoding="utf-8")
    load([returned], s, archive=tmp / "archive")
    expected = {r["id"]: r for r in ledger.cases(s)}
    gaps = sum(r["violating"] for r in coverage.summary(s))
    return {"cases": expected, "gaps": gaps, "archive": tmp / "archive"}


@pytest.fixture(scope="module", params=BACKENDS)
def _county(request, tmp_path_factory):
    data = shared_dataset(request, request.param, "app-cases", tmp_path_factory, _fill)
    yield data
    data.close()


@pytest.fixture
def county(_county) -> dict:
    _county.get()
    return _county.info


@pytest.fixture
def app(_county, county, app_pages):
    return app_pages({**_county.app_env(), "ORGNET_ARCHIVE": str(county["archive"])}, timeout=180)


def table(at, column: str):
    """The first table on the page with this column (AppTest does not keep dataframe keys)."""
    for df in at.dataframe:
        value = df.value
        if hasattr(value, "columns") and column in value.columns:
            return value
    raise AssertionError(f"no table with column {column!r}")


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_cases_page_shows_every_case_masked(app, county):
    assert len(county["cases"]) == county["gaps"] > 0
    at = app("views/cases.py")
    assert at.title[0].value == "整改台账"
    assert metrics(at)["待整改/整改中"] == str(len(county["cases"]))
    assert metrics(at)["已销号"] == "0"
    cases = table(at, "问题说明")
    assert sorted(cases["编号"]) == sorted(county["cases"])
    owners = list(cases["责任主体"])
    assert "张三" not in owners and "张*" in owners
    per = table(at, "待核验")
    assert per["待整改"].sum() == len(county["cases"])


def test_cases_page_filters_by_community_and_status(app, county):
    at = app("views/cases.py")
    community = sorted({r["community"] for r in county["cases"].values() if r["community"]})[0]
    at.selectbox(key="case_community").set_value(community).run()
    rows = table(at, "问题说明")
    assert set(rows["社区"]) == {community}
    assert len(rows) == sum(1 for r in county["cases"].values() if r["community"] == community)
    at.selectbox(key="case_status").set_value("已销号").run()
    assert any(c.value == "0 件" for c in at.caption)


def test_gaps_page_links_each_gap_to_its_case(app, county):
    at = app("views/gaps.py")
    at.selectbox(key="gap_rule").set_value("R08").run()
    gaps = table(at, "整改案件")
    assert len(gaps) and all(link == f"cases?case=ZG-R08-{i}" for i, link in zip(gaps["编号"], gaps["整改案件"]))
    assert set(gaps["整改状态"]) <= {"待整改", "整改中"}


def test_overview_shows_open_cases_per_community(app, county):
    at = app("views/overview.py")
    per = table(at, "待核验")
    assert per["待整改"].sum() == len(county["cases"])


def test_planning_page_plans_links_sites_and_workers(app, county):
    at = app("views/planning.py")
    assert at.title[0].value == "规划"
    at.button(key="pl_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    m = metrics(at)
    assert "建议包联" in m and int(m["建议包联"]) >= 1
    assert m["R08 缺口"] == "0"
    at.number_input(key="ps_p").set_value(1).run()
    at.button(key="ps_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    sites = table(at, "阵地编号")
    assert len(sites) <= 1
    assert "缺专职网格员的网格" in metrics(at)
    assert not any("再多建也不会提高覆盖" in i.value for i in at.info)
    # more sites than the mini county can use: the page says so and lists only those that help
    at.number_input(key="ps_p").set_value(50).run()
    at.button(key="ps_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    said = [i.value for i in at.info if "再多建也不会提高覆盖" in i.value]
    assert len(said) == 1 and "要求 50 个" in said[0], [i.value for i in at.info]
    assert 1 <= len(table(at, "阵地编号")) < 50


def test_an_uploaded_file_name_is_never_a_path(app, county, tmp_path, monkeypatch):
    """An upload's name comes from the browser, or from whoever crafts the request: the returned
    task list and the candidate sites named ``../../…`` (or absolute) are read under their own names
    in their own folder, and nothing is written outside it."""
    import tempfile

    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(deep))  # where the pages' upload folders go
    at = app("views/cases.py")
    at.file_uploader(key="case_upload").set_value(
        ("../../任务清单.csv", "案件编号,状态\nZG-NOPE,整改中\n".encode("utf-8-sig"), "text/csv")).run()
    at.button(key="case_return").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("处错误" in e.value for e in at.error), [e.value for e in at.error]  # read, and refused
    at = app("views/planning.py")
    at.file_uploader(key="ps_candidates").set_value(
        (str(tmp_path / "a" / "候选点.csv"), "阵地编号,名称,阵地类型,纬度,经度\nNEW1,候选一,党群服务站,37.18,117.84\n"
         .encode("utf-8-sig"), "text/csv")).run()
    at.number_input(key="ps_p").set_value(1).run()
    at.button(key="ps_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert [str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()] == []
    assert list(deep.iterdir()) == []  # and the upload folders are gone


def test_a_link_to_a_case_that_does_not_exist_says_so(app, county):
    """cases?case=<unknown> showed "只显示案件 …" over an empty table."""
    at = app("views/cases.py")
    at.query_params["case"] = "ZG-R08-NOPE"
    at.run()
    assert not at.exception
    assert any("没有找到案件 ZG-R08-NOPE" in w.value for w in at.warning)
    assert sorted(table(at, "问题说明")["编号"]) == sorted(county["cases"])
    known = sorted(county["cases"])[0]
    at.query_params["case"] = known
    at.run()
    assert list(table(at, "问题说明")["编号"]) == [known] and not at.warning
