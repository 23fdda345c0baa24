"""Accounts, the audit trail and masking by what a value is (aliases, nesting, nodes, paths)."""
from __future__ import annotations

import datetime as dt
import json
import os
import stat

import pytest

from access.accounts import MAX_FAILURES, AccountError, Accounts, LoginFailed
from access.audit import AuditLog, verify_chain
from access.masking import Masker, id_card_valid, mask_patterns, personal_columns
from access.roles import AccessDenied, Principal
from graph.model import MODEL
from queries.scope import Scope
from conftest import BACKENDS, shared_dataset
from ledgers import fill_mini_county, mini_county_db

#: every personal value of the mini county, in full
FULL = ["张三", "李四", "王五", "13800001111", "13800002222", "11010519491231002X", "和园小区1号楼1单元101",
        "和园小区2号楼1单元101", "散居3号楼1单元101"]


@pytest.fixture(scope="module", params=BACKENDS)
def _mini(request, tmp_path_factory):
    data = shared_dataset(request, request.param, "mini-county", tmp_path_factory, fill_mini_county)
    yield data
    data.close()


@pytest.fixture
def mini(_mini):
    return _mini.get()


def leaks(rows) -> list[str]:
    text = json.dumps(rows, ensure_ascii=False, default=str)
    return [v for v in FULL if v in text]


# --- the model marks personal data ------------------------------------------------------------------
def test_the_model_marks_personal_properties():
    marks = MODEL.personal_props()
    assert marks[("Person", "name")] == "name" and marks[("Person", "id_card")] == "id_card"
    assert marks[("Person", "phone")] == "phone" and marks[("Household", "head_name")] == "name"
    assert marks[("Household", "address")] == "address" and marks[("Person", "birth_date")] == "birth_date"
    assert ("Building", "name") not in marks and ("Community", "phone") not in marks


# --- accounts ---------------------------------------------------------------------------------------
def test_accounts_hash_passwords_and_throttle_failures(tmp_path):
    book = Accounts(tmp_path / "a" / "accounts.sqlite")
    book.add("wang", "correct-horse-1", "community", area="C1")
    raw = (tmp_path / "a" / "accounts.sqlite").read_bytes()
    assert b"correct-horse-1" not in raw and b"$argon2id$" in raw
    assert stat.S_IMODE(os.stat(tmp_path / "a" / "accounts.sqlite").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "a").st_mode) == 0o700
    now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    for _ in range(MAX_FAILURES):
        with pytest.raises(LoginFailed, match="不正确"):
            book.verify("wang", "wrong-password", now=now)
    # locked now, even with the right password
    with pytest.raises(LoginFailed, match="秒后再试"):
        book.verify("wang", "correct-horse-1", now=now)
    assert book.verify("wang", "correct-horse-1", now=now + dt.timedelta(minutes=5)).area == "C1"
    with pytest.raises(LoginFailed, match="不正确"):
        book.verify("nobody", "correct-horse-1")


def test_accounts_refuse_weak_passwords_missing_areas_and_disabled_logins(tmp_path):
    book = Accounts(tmp_path / "accounts.sqlite")
    with pytest.raises(AccountError, match="至少"):
        book.add("li", "short1", "analyst")
    with pytest.raises(AccountError, match="--area"):
        book.add("li", "long-enough-1", "grid")
    with pytest.raises(ValueError, match="未知角色"):
        book.add("li", "long-enough-1", "superuser")
    book.add("li", "long-enough-1", "analyst")
    book.set_disabled("li")
    with pytest.raises(LoginFailed, match="停用"):
        book.verify("li", "long-enough-1")
    book.set_disabled("li", False)
    book.set_role("li", "street", "S1")
    assert book.verify("li", "long-enough-1").principal().area == "S1"


# --- the audit trail --------------------------------------------------------------------------------
def test_audit_is_append_only_and_chained(tmp_path):
    log = AuditLog(tmp_path / "audit.jsonl")
    log.record("login", user="li", role="analyst", source="app")
    log.record("download", user="li", role="analyst", what="R08.csv", rows=3)
    assert [r["event"] for r in log.read()] == ["login", "download"]
    assert verify_chain(log.path)
    assert stat.S_IMODE(os.stat(log.path).st_mode) == 0o600
    lines = log.path.read_text(encoding="utf-8").splitlines()
    log.path.write_text(lines[1] + "\n", encoding="utf-8")  # someone deleted the first record
    assert not verify_chain(log.path)
    with pytest.raises(ValueError):
        log.record("made-up", user="li")


# --- masking ----------------------------------------------------------------------------------------
def test_patterns_need_a_valid_check_digit():
    assert id_card_valid("11010519491231002X") and not id_card_valid("110105194912310021")
    assert mask_patterns("身份证11010519491231002X，手机13800001111") == "身份证110105********002X，手机138****1111"
    assert mask_patterns("订单号 110105194912310021") == "订单号 110105194912310021"


@pytest.mark.parametrize("cypher, expected", [
    ("MATCH (p:Person) RETURN p.name AS x", [{"name"}]),
    ("MATCH (p:Person) RETURN {n: p.name} AS x, p.id AS id", [{"name"}, set()]),
    ("MATCH (p:Person) RETURN collect(p.phone) AS c", [{"phone"}]),
    ("MATCH (p:Person) WITH p.id_card AS q RETURN q AS r", [{"id_card"}]),
    ("MATCH (p:Person) WITH p AS q RETURN q.name", [{"name"}]),
    ("MATCH (b:Building) RETURN b.name AS n", [set()]),
    ("MATCH (`p`:Person) RETURN `p`.`phone` AS `x`", [{"phone"}]),
    ("MATCH (a) RETURN a.address AS x", [{"address"}]),
    ("MATCH (p:Person) RETURN p.id AS x UNION ALL MATCH (p:Person) RETURN p.name AS x", [{"name"}]),
    ("MATCH (p:Person) RETURN p.name /* RETURN 1 */ AS x // , p.id", [{"name"}]),
])
def test_lineage_follows_aliases(cypher, expected):
    assert personal_columns(cypher) == expected


@pytest.mark.parametrize("statement", [
    "MATCH (p:Person) RETURN p.name, p.phone, p.id_card",
    "MATCH (p:Person) RETURN p.name AS x, p.phone AS y, p.id_card AS z",
    "MATCH (p:Person) RETURN {n: p.name, inner: {c: p.id_card, list: [p.phone]}} AS m",
    "MATCH (p:Person) RETURN collect(p.phone) AS c, collect(p.name) AS n, collect(p.id_card) AS i",
    "MATCH (p:Person) WITH p.id_card AS q, p.name AS nm RETURN q AS r, nm",
    "MATCH (p:Person) WITH p AS q RETURN q.name AS n, q.phone AS t",
    "MATCH (p:Person) RETURN p",
    "MATCH (p:Person)-[r:LIVES_IN]->(h:Household) RETURN p, r, h",
    "MATCH path = (p:Person)-[:LIVES_IN]->(h:Household) RETURN path",
    "MATCH (p:Person) RETURN p.name + '' AS x, lower(p.id_card) AS y, '电话' + p.phone AS z",
    "MATCH (a) RETURN a.name AS n, a.address AS ad",
    "MATCH (h:Household) RETURN h.address AS a, h.head_name AS b",
    "MATCH (p:Person) RETURN p.id AS x UNION ALL MATCH (p:Person) RETURN p.name AS x",
    "MATCH (p:Person) RETURN [p.name, p.phone] AS flat, [{x: p.id_card}] AS deep",
    "MATCH (p:Person) RETURN `p`.`name` AS `n`",
])
def test_the_console_masks_whatever_the_alias_or_nesting(mini, statement):
    rows = Scope(mini, Principal("li", "analyst")).console(statement)
    assert rows and not leaks(rows), leaks(rows)


def test_named_queries_mask_people_in_maps_and_lists(mini):
    scope = Scope(mini, Principal("li", "analyst"))
    path = scope.named("connection_path", {"person": "M1", "household": "H1"})
    assert path and not leaks(path)
    assert {n["label"] for n in path[0]["nodes"]} == {"Person", "Household"}  # ids and labels stay readable
    members = scope.named("unit_reported_members", {"organization": "E1"})
    assert members[0]["name"] == "李*" and not leaks(members)


def test_unmasking_needs_the_permission_and_is_audited(mini, tmp_path):
    log = AuditLog(tmp_path / "audit.jsonl")
    rows = Scope(mini, Principal("li", "analyst", unmask=True), log).named("unit_reported_members", {"organization": "E1"})
    assert rows[0]["name"] == "李四"
    assert [(r["event"], r["user"], r["rows"]) for r in log.read()] == [("unmask", "li", 1)]
    # a community role cannot unmask: the flag is ignored
    assert Principal("w", "community", area="C1", unmask=True).masked


def test_search_by_an_exact_id_number_needs_unmask(mini):
    masked = Scope(mini, Principal("li", "analyst")).named("search", {"q": "11010519491231002X"})
    assert masked == []
    assert Scope(mini, Principal("li", "analyst", unmask=True)).named("search", {"q": "11010519491231002X"})[0]["id"] == "M1"
    assert Scope(mini, Principal("li", "analyst")).named("search", {"q": "13800001111"}) == []


def test_a_rejects_workbook_keeps_no_full_id_or_phone(tmp_path, mini, _mini):
    from openpyxl import load_workbook

    from loaders.engine import load
    from ledgers import MINI, write_csvs

    ledgers = dict(MINI)
    ledgers["人员"] = MINI["人员"] + "M9,赵六,是,社区党员,O9,,H1,13900009999,110105194912310021\n"
    report = load(write_csvs(tmp_path / "in", ledgers), mini, skip_invalid=True, rejects=tmp_path / "rejects.xlsx")
    _mini.written()
    assert report.rejected >= 1
    cells = " ".join(str(c.value) for ws in load_workbook(report.rejects_file) for row in ws.iter_rows() for c in row)
    assert "13900009999" not in cells and "110105194912310021" not in cells and "139****9999" in cells
    assert stat.S_IMODE(os.stat(report.rejects_file).st_mode) == 0o600


def test_roles_without_console_are_refused(mini):
    for p in (Principal("w", "community", area="C1"), Principal("v", "viewer")):
        with pytest.raises(AccessDenied):
            Scope(mini, p).console("MATCH (n:Person) RETURN count(n)")


def test_the_cli_makes_the_database_owner_only(tmp_path):  # embedded only: file modes of the .kuzu file
    from click.testing import CliRunner

    from orgnet import cli

    db = mini_county_db(str(tmp_path / "perm.kuzu"), tmp_path)
    os.chmod(db, 0o644)
    r = CliRunner().invoke(cli, ["--db", db, "info"], env={"ORGNET_ACCESS": str(tmp_path / "acc")})
    assert r.exit_code == 0, r.output
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600


def test_downloads_are_audited_with_what_and_how_many_rows(mini, tmp_path):
    log = AuditLog(tmp_path / "audit.jsonl")
    scope = Scope(mini, Principal("wang", "community", area="C2"), log)
    rows = scope.violations("R08")
    scope.audit_export("R08-青羊社区.csv", len(rows), "csv")
    [rec] = log.read(event="download")
    assert (rec["user"], rec["area"], rec["what"], rec["rows"], rec["masked"]) == ("wang", "C2", "R08-青羊社区.csv", 1, True)


@pytest.mark.parametrize("ip, local", [("127.0.0.1", True), ("::1", True), ("::ffff:127.0.0.1", True),
                                       ("10.0.0.7", False), ("::ffff:10.0.0.7", False), ("fe80::1%eth0", False)])
def test_single_user_mode_answers_only_the_server_itself(monkeypatch, ip, local):
    import streamlit as st

    from views import _shared

    monkeypatch.setattr(type(st.context), "ip_address", property(lambda self: ip))
    assert _shared._local_request() is local


@pytest.mark.parametrize("header", ["X-Forwarded-For", "X-Real-Ip", "Forwarded"])
def test_single_user_mode_refuses_requests_through_a_reverse_proxy(monkeypatch, header):
    """Behind nginx every request comes from 127.0.0.1; the proxy's headers give it away."""
    import streamlit as st

    from views import _shared

    monkeypatch.setattr(type(st.context), "ip_address", property(lambda self: "127.0.0.1"))
    monkeypatch.setattr(type(st.context), "headers", property(lambda self: {header: "10.0.0.7"}))
    assert _shared._local_request() is False
    monkeypatch.setattr(type(st.context), "headers", property(lambda self: {}))
    assert _shared._local_request() is True


def test_case_lists_and_task_lists_are_masked_by_the_scope(mini, tmp_path):
    """Task lists mask through ``queries.scope`` (lineage by entity kind, and values), not by themselves."""
    from openpyxl import load_workbook

    from cases import tasklist

    case = {"id": "ZG-R08-H1", "rule": "R08", "entity_label": "Household", "entity_id": "H1",
            "entity_name": "和园小区1号楼1单元101", "owner_label": "Person", "owner_id": "M1", "owner_name": "张三",
            "notes": "已电话联系 13800001111", "checked_by": "李四", "problem": "住户无党员包联"}
    [masked] = tasklist.masked(Scope(mini, Principal("li", "analyst")), [case])
    assert masked["entity_name"] == "和园小区1号楼1单元***" and masked["owner_name"] == "张*"
    assert masked["notes"] == "已电话联系 138****1111" and masked["checked_by"] == "李*"  # by value
    assert masked["entity_id"] == "H1" and masked["problem"] == "住户无党员包联"
    path = tmp_path / "清单.xlsx"
    path.write_bytes(tasklist.task_list_xlsx([masked]))
    cells = json.dumps([[c.value for c in row] for row in load_workbook(path).active.iter_rows()], ensure_ascii=False)
    assert not leaks(cells) and "H1" in cells
    log = AuditLog(tmp_path / "audit.jsonl")
    [plain] = tasklist.masked(Scope(mini, Principal("li", "analyst", unmask=True), log), [case], what="cases:test")
    assert plain == case
    assert [(r["event"], r["what"], r["rows"]) for r in log.read()] == [("unmask", "cases:test", 1)]
