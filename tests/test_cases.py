"""The rectification ledger on a small demo county, on both stores: cases open for exactly the gaps, a fixing load moves
exactly those cases to 已整改待核验, a gap that comes back reopens its case, a returned task list is
validated like any ledger (a bad row refuses the whole file), closing needs the gap gone, and a
rebuild from the archive restores every case."""
from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cases import ledger, tasklist
from conftest import BACKENDS, fresh_store
from graph.config import open_store
from demo import run_demo
from loaders.engine import LoadRefused, load, rebuild

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 6, 1)


@pytest.fixture(scope="module", params=BACKENDS)
def county(request, tmp_path_factory):
    """A small demo county (every rule's planted gaps, about 2,000 households) with its cases opened;
    the tests run in order and each builds on the last one's writes."""
    base = tmp_path_factory.mktemp("cases")
    env = request.getfixturevalue("neo4j_env") if request.param == "neo4j" else None
    store = fresh_store(request.param, base, env, "db")
    archive = base / "archive"
    run_demo(store, profile="gaoqing", scale=0.05, seed=3, out_dir=base / "ledgers", archive=archive, fmt="csv")
    manifest = json.loads((base / "ledgers" / "manifest.json").read_text(encoding="utf-8"))
    first = ledger.sync(store, archive=archive, today=TODAY)
    state = {"store": store, "archive": archive, "base": base, "manifest": manifest, "first": first, "env": env}
    yield state
    state["store"].close()


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def by_id(store) -> dict[str, dict]:
    return {r["id"]: r for r in ledger.cases(store, today=TODAY)}


def test_a_load_opens_cases_for_exactly_the_gaps(county):
    expected = {ledger.case_id(rule, i) for rule, ids in county["manifest"]["rules"].items() for i in ids}
    got = by_id(county["store"])
    assert set(got) == expected
    assert set(county["first"].opened) == expected
    assert all(r["status"] == "待整改" and r["gap_present"] for r in got.values())
    r = next(r for r in got.values() if r["entity_label"] == "Building")
    assert r["community"] and r["owner_id"] == r["community_id"] and r["owner_label"] == "Community"
    assert r["deadline"] == TODAY + dt.timedelta(days=ledger.DEADLINE_DAYS)
    # a second sync with nothing new changes nothing and writes no load
    again = ledger.sync(county["store"], archive=county["archive"], today=TODAY)
    assert (again.opened, again.fixed, again.reopened, again.load_id) == ([], [], [], None)


def test_fixing_load_moves_exactly_those_cases_and_a_returning_gap_reopens(county):
    store, base = county["store"], county["base"]
    rules = county["manifest"]["rules"]
    compounds, units = rules["R12"], rules["R11B"]
    assert compounds and units, "the demo county plants R12 and R11B gaps"
    company = store.query("MATCH (p:PropertyCompany) RETURN p.id AS id ORDER BY id LIMIT 1")[0]["id"]
    community = store.query("MATCH (c:Community) RETURN c.id AS id ORDER BY id LIMIT 1")[0]["id"]
    before = by_id(store)
    service = _csv(base / "物业服务-整改.csv", ["物业企业编号", "小区编号", "服务方式"], [[company, c, "市场化"] for c in compounds])
    pairing = _csv(base / "结对共建.csv", ["单位编号", "社区编号", "签订日期"], [[u, community, "2026-05-01"] for u in units])
    load([service, pairing], store, archive=county["archive"])
    report = ledger.sync(store, archive=county["archive"], today=TODAY)
    fixed = {ledger.case_id("R12", c) for c in compounds} | {ledger.case_id("R11B", u) for u in units}
    assert set(report.fixed) == fixed and report.opened == [] and report.reopened == []
    after = by_id(store)
    for cid, row in after.items():
        if cid in fixed:
            assert row["status"] == "已整改待核验" and row["fixed_load"] and not row["gap_present"]
        else:
            assert row["status"] == before[cid]["status"] and row["gap_present"]

    # the property service goes again (--replace of the same file without those rows; a header-only
    # file is refused under --replace, so it keeps one compound the demo's own ledger already serves):
    # the R12 cases reopen
    with open(base / "ledgers" / "物业服务.csv", encoding="utf-8-sig", newline="") as f:
        served = next(r for r in csv.reader(list(f)[1:]) if r[1] not in compounds)
    again = _csv(base / "物业服务-整改.csv", ["物业企业编号", "小区编号", "服务方式", "起始日期"], [served])
    load([again], store, archive=county["archive"], replace=True)
    report = ledger.sync(store, archive=county["archive"], today=TODAY)
    reopened = {ledger.case_id("R12", c) for c in compounds}
    assert set(report.reopened) == reopened and report.fixed == [] and report.opened == []
    rows = by_id(store)
    assert all(rows[c]["status"] == "待整改" and rows[c]["reopened"] == 1 for c in reopened)


def test_closing_needs_the_gap_gone(county):
    store = county["store"]
    rows = by_id(store)
    still_open = next(c for c, r in rows.items() if r["gap_present"])
    with pytest.raises(ledger.CaseError, match="仍然存在"):
        ledger.close(store, [still_open], checker="王芳", archive=county["archive"])
    with pytest.raises(ledger.CaseError, match="找不到整改案件"):
        ledger.close(store, ["ZG-R99-X"], checker="王芳", archive=county["archive"])
    fixed = [c for c, r in rows.items() if r["status"] == "已整改待核验"]
    assert fixed
    ledger.close(store, fixed[:1], checker="王芳", archive=county["archive"])
    row = by_id(store)[fixed[0]]
    assert row["status"] == "已销号" and row["checked_by"] == "王芳"


def test_returned_task_list_updates_cases_and_a_bad_row_refuses_all(county):
    store, base = county["store"], county["base"]
    community = ledger.cases(store, today=TODAY)[0]["community"]
    mine = [r for r in ledger.cases(store, community=community, today=TODAY) if r["status"] == "待整改"]
    assert len(mine) >= 3
    path = base / "任务清单.xlsx"
    path.write_bytes(tasklist.task_list_xlsx(mine))
    wb = load_workbook(path)
    ws = wb["整改任务清单"]
    header = [c.value for c in ws[1]]
    col = {h: header.index(h) + 1 for h in header}
    person = store.query("MATCH (p:Person) RETURN p.id AS id ORDER BY id LIMIT 1")[0]["id"]
    ws.cell(2, col["状态"], "整改中")
    ws.cell(2, col["责任主体编号"], person)
    ws.cell(2, col["备注"], "已约谈物业")
    ws.cell(3, col["状态"], "不适用")
    ws.cell(3, col["不适用理由"], "楼栋已拆除")
    ws.cell(4, col["整改期限"], "2026年7月15日")
    wb.save(path)

    bad = base / "任务清单-有错.xlsx"
    wb = load_workbook(path)
    ws = wb["整改任务清单"]
    ws.cell(5, col["状态"], "不适用")  # no reason
    ws.cell(6, col["状态"], "搞定了")  # not a status
    ws.cell(7, col["案件编号"], "ZG-R01-没有这个")
    wb.save(bad)
    before = ledger.cases(store, today=TODAY)
    with pytest.raises(LoadRefused) as e:
        load([bad], store, archive=county["archive"])
    errors = {(x.code, x.sheet, x.row, x.column) for x in e.value.validation.errors}
    assert ("rule-violation", "整改任务清单", 5, "不适用理由") in errors
    assert ("forbidden-value", "整改任务清单", 6, "状态") in errors
    assert ("unknown-key", "整改任务清单", 7, "案件编号") in errors
    assert ledger.cases(store, today=TODAY) == before, "a refused task list changes nothing"

    load([path], store, archive=county["archive"])
    rows = by_id(store)
    assert rows[mine[0]["id"]]["status"] == "整改中" and rows[mine[0]["id"]]["notes"] == "已约谈物业"
    assert rows[mine[0]["id"]]["owner_id"] == person and rows[mine[0]["id"]]["owner_label"] == "Person"
    assert rows[mine[1]["id"]]["status"] == "不适用" and rows[mine[1]["id"]]["reason"] == "楼栋已拆除"
    assert rows[mine[2]["id"]]["deadline"] == dt.date(2026, 7, 15)
    # the case's rule, entity and place are not the community's to change
    assert rows[mine[0]["id"]]["rule"] == mine[0]["rule"] and rows[mine[0]["id"]]["problem"] == mine[0]["problem"]


def test_a_rebuild_restores_every_case(county):
    store = county["store"]
    before = ledger.cases(store, today=TODAY)
    store.clear()
    store.create_schema()
    assert ledger.cases(store, today=TODAY) == []
    rebuild(store, county["archive"])
    assert ledger.cases(store, today=TODAY) == before


def test_overdue_and_per_community(county):
    store = county["store"]
    late = ledger.cases(store, today=TODAY + dt.timedelta(days=365))
    assert any(r["overdue"] for r in late)
    assert all(not r["overdue"] for r in late if r["status"] not in ledger.OPEN)
    table = ledger.per_community(late)
    assert sum(r["cases"] for r in table) == len(late)
    assert sum(r["overdue"] for r in table) == sum(r["overdue"] for r in late)
    with pytest.raises(ledger.CaseError, match="找不到社区"):
        ledger.cases(store, community="没有这个社区")
    with pytest.raises(ledger.CaseError, match="未知状态"):
        ledger.cases(store, status="完成")


def cli_db(county, tmp_path) -> tuple[str, dict[str, str]]:
    """The ``--db`` value and environment of a CLI process on the county: on Kùzu a copy of the file
    (one process opens a file at a time), on Neo4j the server with its credentials."""
    if county["env"] is None:
        import shutil

        db = tmp_path / "copy.kuzu"
        county["store"].close()
        shutil.copy(county["base"] / "db.kuzu", db)
        county["store"] = open_store(str(county["base"] / "db.kuzu"))
        return str(db), {}
    return county["env"]["NEO4J_URI"], {k: v for k, v in county["env"].items() if k != "NEO4J_URI"}


def test_cli_lists_and_exports_cases(county, tmp_path):
    db, db_env = cli_db(county, tmp_path)
    env = {"PYTHONPATH": str(ROOT), "ORGNET_ARCHIVE": str(tmp_path / "archive"), "PATH": "/usr/bin:/bin",
           "ORGNET_ACCESS": str(tmp_path / "access"), **db_env}
    run = lambda *a: subprocess.run([sys.executable, str(ROOT / "orgnet.py"), "--db", db, *a],
                                    capture_output=True, text=True, env=env, timeout=300)
    out = run("cases", "--format", "json", "--status", "待整改")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert rows and all(r["status"] == "待整改" for r in rows)
    assert all(r["entity_name"] is None or "*" in r["entity_name"] for r in rows if r["entity_label"] == "Person")
    out = run("cases", "--community", rows[0]["community"], "--format", "xlsx", "-o", str(tmp_path / "t.xlsx"))
    assert out.returncode == 0, out.stderr
    assert load_workbook(tmp_path / "t.xlsx")["整改任务清单"].max_row == 1 + sum(
        1 for r in json.loads(run("cases", "--community", rows[0]["community"], "--format", "json").stdout))
    bad = run("cases", "--community", "没有这个社区")
    assert bad.returncode == 1 and "没有名为或编号为“没有这个社区”的社区" in bad.stderr
