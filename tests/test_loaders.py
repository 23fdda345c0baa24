"""Ledger loading end to end: reading real files, every validation rule, atomicity, idempotency."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import openpyxl
import pytest
from click.testing import CliRunner

from graph.config import open_store
from ledgers import MINI, MINI_COUNTS, data_counts, write_csvs
from loaders.engine import LoadRefused, archived_loads, load, rebuild, validate
from loaders.specs import LEDGERS
from loaders.templates import write_templates
from orgnet import cli


def errors_of(result):
    return sorted((e.code, e.file, e.row, e.column, e.value) for e in result.errors)


def test_mini_county_loads_exactly(store, tmp_path):
    report = load(write_csvs(tmp_path / "in"), store)
    assert report.rejected == 0
    assert data_counts(store) == MINI_COUNTS
    row = store.query(
        "MATCH (p:Person {id: 'M2'})-[r:LINKED_TO]->(h:Household) "
        "RETURN p.phone AS phone, r.since AS since, h.party_centre AS centre, r.src_file AS file, r.src_row AS row")
    assert row == [{"phone": "13800002222", "since": __import__("datetime").date(2023, 5, 1), "centre": True,
                    "file": "包联.csv", "row": 3}]
    assert store.query("MATCH (h:Household {id: 'H1'}) RETURN h.special_groups AS g") == [{"g": ["独居老人", "低保户"]}]
    loads = store.query("MATCH (l:Load) RETURN l.id AS id, l.files AS files, l.mode AS mode")
    assert len(loads) == 1 and loads[0]["mode"] == "全部或不写"
    assert {f["name"] for f in json.loads(loads[0]["files"])} == {f"{n}.csv" for n in MINI}


def test_loading_twice_changes_nothing(store, tmp_path):
    paths = write_csvs(tmp_path / "in")
    load(paths, store)
    first = data_counts(store)
    load(paths, store)
    assert data_counts(store) == first


def test_a_changed_row_updates_its_node(store, tmp_path):
    load(write_csvs(tmp_path / "a"), store)
    changed = {"社区": MINI["社区"].replace("和园社区", "和园新社区")}
    load(write_csvs(tmp_path / "b", changed), store)
    assert store.query("MATCH (c:Community {id: 'C1'}) RETURN c.name AS n") == [{"n": "和园新社区"}]
    assert data_counts(store) == MINI_COUNTS


def test_references_may_point_into_the_database(store, tmp_path):
    first = {k: v for k, v in MINI.items() if k not in ("包联", "楼长")}
    load(write_csvs(tmp_path / "a", first), store)
    load(write_csvs(tmp_path / "b", {"包联": MINI["包联"], "楼长": MINI["楼长"]}), store)
    assert data_counts(store) == MINI_COUNTS


def test_gbk_csv_and_a_workbook_with_a_merged_title_and_mangled_ids(store, tmp_path):
    ledgers = dict(MINI)
    del ledgers["人员"], ledgers["楼长"], ledgers["包联"], ledgers["双报到"], ledgers["编入"]
    paths = write_csvs(tmp_path / "gbk", ledgers, encoding="gbk")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "人员"
    ws.append(["和园社区人员台账（2023年）"])
    ws.merge_cells("A1:F1")
    ws.append([])
    ws.append(["人员编号", "姓名 ", "是否党员", "党员类别", "居住户编号", "出生日期"])
    ws.append([1001.0, " 张三", "是", "社区党员", "H1", 18264])          # serial date, float id
    ws.append([1002, "李四", "ＹＥＳ", "退休党员", "H2", "1950年3月1日"])  # full-width, Chinese date
    ws.append([None, None, None, None, None, None])                       # blank row
    ws.append(["１００３", "王五", "否", None, "H3", "1960/1/2"])
    book = tmp_path / "人员台账.xlsx"
    wb.save(book)
    report = load(paths + [book], store)
    assert report.rejected == 0
    rows = store.query("MATCH (p:Person)-[:LIVES_IN]->(h:Household) RETURN p.id AS id, p.name AS name, "
                            "p.is_member AS m, p.birth_date AS b, h.id AS h ORDER BY id")
    import datetime as dt
    assert rows == [
        {"id": "1001", "name": "张三", "m": True, "b": dt.date(1950, 1, 1), "h": "H1"},
        {"id": "1002", "name": "李四", "m": True, "b": dt.date(1950, 3, 1), "h": "H2"},
        {"id": "1003", "name": "王五", "m": False, "b": dt.date(1960, 1, 2), "h": "H3"},
    ]
    person = store.query("MATCH (p:Person {id: '1003'}) RETURN p.src_file AS f, p.src_sheet AS s, p.src_row AS r")
    assert person == [{"f": "人员台账.xlsx", "s": "人员", "r": 7}]


BROKEN = {
    "街道乡镇": MINI["街道乡镇"],
    "社区": """社区编号,名称,所属街道编号,联系电话
C1,和园社区,S1,12345
C1,和园社区（重复）,S1,
C3,,S9,
""",
    "小区": """小区编号,名称,小区类型,所属社区编号,纬度,经度
P1,和园小区,大产权,C1,137.17,17.83
""",
    "楼栋": """楼栋编号,楼栋名称,所属小区编号,纬度
B1,1号楼,,37.1
B2,2号楼,C1,
""",
    "人员": """人员编号,姓名,是否党员,党员类别,身份证号,入党日期
M1,张三,否,社区党员,110105194912310021,2001-13-01
M2,李四,也许,,3.70102198801011E+17,
""",
    "楼长": """人员编号,楼栋编号,是否在职,红色楼长
M1,B1,否,是
M1,B1,是,
""",
}

EXPECTED = [
    ("bad-bool", "人员.csv", 3, "是否党员", "也许"),
    ("bad-date", "人员.csv", 2, "入党日期", "2001-13-01"),
    ("bad-id-card", "人员.csv", 2, "身份证号", "110105194912310021"),
    ("bad-mobile", "社区.csv", 2, "联系电话", "12345"),
    ("duplicate-key", "楼长.csv", 3, "楼栋编号", "B1"),
    ("duplicate-key", "社区.csv", 3, "社区编号", "C1"),
    ("forbidden-value", "小区.csv", 2, "小区类型", "大产权"),
    ("missing-reference", "社区.csv", 4, "所属街道编号", "S9"),
    ("missing-value", "楼栋.csv", 2, "所属小区编号", None),
    ("missing-value", "社区.csv", 4, "名称", None),
    ("out-of-china", "小区.csv", 2, "纬度", "137.17"),
    ("out-of-china", "小区.csv", 2, "经度", "17.83"),
    ("rule-violation", "人员.csv", 2, "党员类别", "社区党员"),
    ("rule-violation", "楼长.csv", 2, "红色楼长", "是"),
    ("scientific-id", "人员.csv", 3, "身份证号", "3.70102198801011E+17"),
    ("wrong-reference-kind", "楼栋.csv", 3, "所属小区编号", "C1"),
]


def test_broken_ledgers_give_exactly_these_errors(store, tmp_path):
    result = validate(write_csvs(tmp_path / "in", BROKEN), store)
    assert errors_of(result) == sorted(EXPECTED)
    by_code = {e.code: e for e in result.errors}
    assert "大产权小区" in by_code["forbidden-value"].message
    assert "文本" in by_code["scientific-id"].message
    assert "第 2 行" in by_code["duplicate-key"].message or "第 2 行" in str([e.message for e in result.errors])


def test_all_or_nothing_writes_nothing(store, tmp_path):
    load(write_csvs(tmp_path / "good", {"街道乡镇": MINI["街道乡镇"]}), store)
    before = store.counts()
    with pytest.raises(LoadRefused) as err:
        load(write_csvs(tmp_path / "bad", BROKEN), store)
    assert len(err.value.validation.errors) == len(EXPECTED)
    assert store.counts() == before


def test_skip_invalid_writes_valid_rows_and_every_rejected_row(store, tmp_path):
    report = load(write_csvs(tmp_path / "in", BROKEN), store, skip_invalid=True, rejects=tmp_path / "rej.xlsx")
    # only S1 is valid: every other row has an error or points at a rejected row
    assert data_counts(store) == {"Street": 1}
    wb = openpyxl.load_workbook(report.rejects_file)
    rejected = {(ws.title, row[2]) for ws in wb.worksheets for row in ws.iter_rows(min_row=2, values_only=True)}
    assert rejected == {("社区-社区", 2), ("社区-社区", 3), ("社区-社区", 4), ("小区-小区", 2), ("楼栋-楼栋", 2),
                        ("楼栋-楼栋", 3), ("人员-人员", 2), ("人员-人员", 3), ("楼长-楼长", 2), ("楼长-楼长", 3)}
    assert report.rejected == 10
    ws = wb["人员-人员"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["来源文件", "工作表", "原行号", "错误原因"] and "身份证号" in header
    m2 = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[2] == 3][0]
    # the row as it was, except that ID and phone numbers keep only their ends (issue 11)
    assert m2[header.index("身份证号")] == "3.701*******1011E+17"
    assert "是否党员" in m2[3]


def test_rejects_keep_formula_like_text_as_text(store, tmp_path):
    bad = {"街道乡镇": "街道编号,名称,类型\n=HYPERLINK(\"x\"),城关,不知道\n"}
    report = load(write_csvs(tmp_path / "in", bad), store, skip_invalid=True, rejects=tmp_path / "r.xlsx")
    cell = openpyxl.load_workbook(report.rejects_file).worksheets[0]["E2"]
    assert cell.value == '=HYPERLINK("x")' and cell.data_type == "s"


def test_replace_retires_only_when_asked(store, tmp_path):
    load(write_csvs(tmp_path / "a"), store)
    new_leaders = {"楼长": "人员编号,楼栋编号,是否在职\nM2,B1,是\nW1,B1,否\n"}
    load(write_csvs(tmp_path / "b", new_leaders), store)
    leaders = "MATCH (p:Person)-[:BUILDING_LEADER_OF]->(:Building {id: 'B1'}) RETURN p.id AS id ORDER BY id"
    assert [r["id"] for r in store.query(leaders)] == ["M1", "M2", "W1"]  # M1 not silently retired
    report = load(write_csvs(tmp_path / "c", new_leaders), store, replace=True)
    assert report.retired == 1
    assert [r["id"] for r in store.query(leaders)] == ["M2", "W1"]


def test_a_failure_in_the_middle_of_a_write_leaves_the_database_unchanged(store, tmp_path):
    load(write_csvs(tmp_path / "a", {"街道乡镇": MINI["街道乡镇"]}), store)
    before = store.counts()

    def fail(stage):
        if stage == "nodes-written":
            raise RuntimeError("injected failure")

    with pytest.raises(RuntimeError, match="injected"):
        load(write_csvs(tmp_path / "b"), store, _checkpoint=fail)
    assert store.counts() == before


def _killed_load(paths, target: dict[str, str], at: str) -> subprocess.CompletedProcess:
    """Run ``load`` in another process and kill -9 it at a checkpoint (`target`: the environment
    that makes ``open_store()`` open the database)."""
    script = textwrap.dedent(f"""
        import os, signal
        from graph.config import open_store
        from loaders.engine import load
        def kill(stage):
            if stage == {at!r}:
                os.kill(os.getpid(), signal.SIGKILL)
        load({[str(p) for p in paths]!r}, open_store(), _checkpoint=kill)
    """)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_") and k != "ORGNET_DB"}
    return subprocess.run([sys.executable, "-c", script], cwd=os.getcwd(), env={**env, **target},
                          capture_output=True, text=True, timeout=300)


def test_a_killed_load_leaves_the_database_as_before(store, tmp_path, neo4j_env_if):
    load(write_csvs(tmp_path / "a", {"街道乡镇": MINI["街道乡镇"]}), store)
    before = store.counts()
    target = neo4j_env_if(store) or {"ORGNET_DB": store.location}
    if store.backend == "kuzu":
        store.close()  # one process at a time on an embedded file
    paths = write_csvs(tmp_path / "b")
    proc = _killed_load(paths, target, "relationships-written")
    assert proc.returncode == -9, proc.stderr
    with open_store(env=target) as s:
        assert s.counts() == before
        load(paths, s)  # and running it again converges
        assert data_counts(s) == MINI_COUNTS


def test_templates_round_trip(store, tmp_path):
    paths = write_templates(tmp_path / "tpl")
    book = openpyxl.load_workbook(paths[0])
    assert {spec.zh for spec in LEDGERS.values()} <= set(book.sheetnames)
    ws = book["小区"]
    assert ws["A1"].value == "小区编号*" and "必填" in ws["A1"].comment.text
    kinds = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert kinds, "allowed values become a drop-down list"
    assert len(paths) == 1 + len(LEDGERS)
    # a filled-in template loads
    book["街道乡镇"].append(["S1", "城关街道", "街道"])
    book["社区"].append(["C1", "和园社区", None, None, "S1"])
    book.save(tmp_path / "filled.xlsx")
    report = load([tmp_path / "filled.xlsx"], store)
    assert report.written == {"Street": 1, "Community": 1, "PART_OF": 1}
    assert any("说明" in s for s in report.skipped)
    # an empty template validates clean
    assert validate(paths, store).ok


def test_rebuild_recreates_the_database_from_the_archive(store, tmp_path):
    """The archive of an embedded database replayed into each store (into Neo4j: a migration)."""
    archive = tmp_path / "archive"
    with open_store(str(tmp_path / "one.kuzu")) as s:
        s.create_schema()
        load(write_csvs(tmp_path / "a"), s, archive=archive)
        load(write_csvs(tmp_path / "b", {"楼长": "人员编号,楼栋编号,是否在职\nW1,B1,否\n"}), s, archive=archive,
             replace=True)
        expected = data_counts(s)
        leaders = s.query("MATCH (p:Person)-[r:BUILDING_LEADER_OF]->(b:Building) "
                          "RETURN p.id AS person, b.id AS building, r.in_service AS s ORDER BY person")
    assert len(archived_loads(archive)) == 2
    for p in (tmp_path / "a").iterdir():
        p.unlink()  # the originals are gone: only the archive remains
    rebuild(store, archive)
    assert data_counts(store) == expected
    assert store.query("MATCH (p:Person)-[r:BUILDING_LEADER_OF]->(b:Building) "
                       "RETURN p.id AS person, b.id AS building, r.in_service AS s ORDER BY person") == leaders


def test_cli_validate_load_and_rebuild(db_target, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ORGNET_ARCHIVE", str(tmp_path / "archive"))
    db = db_target
    runner = CliRunner()
    good = [str(p) for p in write_csvs(tmp_path / "good")]
    bad = [str(p) for p in write_csvs(tmp_path / "bad", BROKEN)]
    result = runner.invoke(cli, ["--db", db, "validate", "--json", *bad])
    assert result.exit_code == 1
    assert len(json.loads(result.output)["errors"]) == len(EXPECTED)
    result = runner.invoke(cli, ["--db", db, "validate", *bad])
    assert result.exit_code == 1 and "scientific-id" in result.output and f"共 {len(EXPECTED)} 处错误" in result.output
    result = runner.invoke(cli, ["--db", db, "load", *bad])
    assert result.exit_code == 1 and "未写入任何数据" in result.output
    result = runner.invoke(cli, ["--db", db, "load", *good])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["--db", db, "loads"])
    assert "全部或不写" in result.output
    result = runner.invoke(cli, ["--db", db, "rebuild", "--yes"])
    assert result.exit_code == 0, result.output
    with open_store(db) as s:
        assert data_counts(s) == MINI_COUNTS
    result = runner.invoke(cli, ["--db", db, "templates", str(tmp_path / "t")])
    assert result.exit_code == 0 and (tmp_path / "t" / "orgnet台账模板.xlsx").exists()


# --- issue 13, defects 1 and 2: which ledger a file is ------------------------------------------------
def test_a_file_that_is_no_ledger_is_an_error(kuzu_store, tmp_path):
    stray = tmp_path / "随便.csv"
    stray.write_text("hello,world\n1,2\n", encoding="utf-8")
    result = validate([stray], kuzu_store)
    assert not result.ok
    assert [(e.code, e.file) for e in result.errors] == [("unknown-file", "随便.csv")]
    with pytest.raises(LoadRefused):
        load([stray], kuzu_store)
    assert data_counts(kuzu_store) == {}
    runner = CliRunner()
    out = runner.invoke(cli, ["--db", str(tmp_path / "x.kuzu"), "validate", str(stray)])
    assert out.exit_code == 1 and "没有识别出任何台账" in out.output
    # a workbook with a note sheet beside a ledger is fine: only files without any ledger fail
    ok = write_csvs(tmp_path / "ok", {"街道乡镇": MINI["街道乡镇"]})
    assert validate(ok, kuzu_store).ok


@pytest.mark.parametrize("file_name, ledger, real", [
    ("柳湾社区包联台账", "包联", "包联"),
    ("和园社区住户台账", "住户", "住户"),
    ("和园社区楼长台账", "楼长", "楼长"),
    # the name says 社区 but the headers are a household ledger's: the headers decide
    ("和园社区台账", "住户", "住户"),
])
def test_a_ledger_named_after_its_community_is_matched_by_its_headers(kuzu_store, tmp_path, file_name, ledger, real):
    ledgers = dict(MINI)
    text = ledgers.pop(ledger)
    paths = write_csvs(tmp_path / "in", ledgers)
    renamed = tmp_path / "in" / f"{file_name}.csv"
    renamed.write_text(text, encoding="utf-8")
    result = validate([*paths, renamed], kuzu_store)
    assert result.ok, result.errors[:3]
    assert {sd.file: sd.spec.zh for sd in result.sheets}[renamed.name] == real
    assert load([*paths, renamed], kuzu_store).rejected == 0
    assert data_counts(kuzu_store) == MINI_COUNTS


def test_a_named_ledger_missing_its_columns_still_says_which(kuzu_store, tmp_path):
    path = tmp_path / "楼栋.csv"
    path.write_text("楼栋编号,所属小区编号\nB1,P1\n", encoding="utf-8")
    result = validate([path], kuzu_store)
    assert [(e.code, e.column) for e in result.errors] == [("missing-column", "楼栋名称")]


def test_templates_keep_long_numbers_as_text_and_speak_chinese(tmp_path):
    """Issue 13: ID-card and phone columns are text in the template; notes do not send users to the CLI."""
    import re

    book = openpyxl.load_workbook(write_templates(tmp_path)[0])
    people = book["人员"]
    formats = {c.value.rstrip("*"): people.cell(row=2, column=c.column).number_format for c in people[1]}
    assert formats["身份证号"] == "@" and formats["手机号"] == "@" and formats["人员编号"] == "@"
    guide = " ".join(str(v) for row in book["说明"].iter_rows(values_only=True) for v in row if v)
    assert not re.search(r"orgnet (validate|load|templates)", guide)
    for ws in book.worksheets:
        for cell in ws[1]:
            if cell.comment:
                assert not re.search(r"[A-Za-z]{4,}", cell.comment.text.replace("orgnet", "")), cell.comment.text


def test_rebuild_from_an_embedded_database_moves_the_county(db_target, tmp_path, monkeypatch):
    """`orgnet --db <target> rebuild --from county.kuzu`: how a county moves to Neo4j (or another file)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ORGNET_ARCHIVE", raising=False)
    source = str(tmp_path / "county.kuzu")
    runner = CliRunner()
    good = [str(p) for p in write_csvs(tmp_path / "good")]
    assert runner.invoke(cli, ["--db", source, "load", *good]).exit_code == 0
    leader = [str(p) for p in write_csvs(tmp_path / "later", {"楼长": "人员编号,楼栋编号,是否在职\nW1,B1,否\n"})]
    assert runner.invoke(cli, ["--db", source, "load", "--replace", *leader]).exit_code == 0
    with open_store(source) as s:
        expected = data_counts(s)
        loads = sorted(r["id"] for r in s.query("MATCH (l:Load) RETURN l.id AS id"))
    archived = archived_loads(tmp_path / "county.archive")  # the two loads and what they derived
    assert len(archived) >= 2
    result = runner.invoke(cli, ["--db", db_target, "rebuild", "--from", str(tmp_path / "nothing.kuzu"), "--yes"])
    assert result.exit_code == 1 and "no archived loads" in result.output
    result = runner.invoke(cli, ["--db", db_target, "rebuild", "--from", source, "--yes"])
    assert result.exit_code == 0, result.output
    assert f"from {len(archived)} loads" in result.output
    with open_store(db_target) as s:
        assert data_counts(s) == expected
        assert len(s.query("MATCH (l:Load) RETURN l.id AS id")) == len(loads)
    # the ledgers moved with the data: the target's own archive rebuilds it, and a second --from
    # would mix two histories, so it is refused
    result = runner.invoke(cli, ["--db", db_target, "rebuild", "--yes"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["--db", db_target, "rebuild", "--from", source, "--yes"])
    assert result.exit_code == 1 and "not mixed" in result.output
    with open_store(db_target) as s:
        assert data_counts(s) == expected
