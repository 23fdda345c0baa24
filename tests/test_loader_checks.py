"""Values that used to pass validation and then crash the write or store nonsense: each is now a
row error with a code, the Excel row, the column and a Chinese message (issue 12, item 6)."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from ledgers import MINI, write_csvs
from loaders.engine import load, validate


def with_(**changes: str) -> dict[str, str]:
    return {**MINI, **changes}


def errors_of(v):
    return sorted((e.code, e.file, e.row, e.column, e.value) for e in v.errors)


def test_values_that_would_crash_the_write_are_errors(tmp_path):
    ledgers = with_(
        楼栋="楼栋编号,楼栋名称,所属小区编号,所属社区编号,纬度,经度,层数\n"
             "B1,1号楼,P1,,37.1701,117.8301,99999999999999999999\n"
             "B2,2号楼,P1,,1e309,117.8302,6\n"
             "B3,散居3号楼,,C2,37.1801,117.8401,nan\n")
    v = validate(write_csvs(tmp_path, ledgers))
    assert errors_of(v) == [
        ("bad-float", "楼栋.csv", 3, "纬度", "1e309"),
        ("bad-int", "楼栋.csv", 2, "层数", "99999999999999999999"),
        ("bad-int", "楼栋.csv", 4, "层数", "nan"),
    ]
    assert "超出了可以保存的整数范围" in next(e.message for e in v.errors if e.code == "bad-int")


def test_xlsx_datetime_at_the_end_of_time_is_a_date_error_not_a_crash(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "人员"
    ws.append(["人员编号", "姓名", "是否党员", "出生日期"])
    ws.append(["M9", "赵六", "否", dt.datetime(9999, 12, 31, 23, 59, 59, 900000)])
    path = tmp_path / "人员.xlsx"
    wb.save(path)
    v = validate([path])
    assert errors_of(v) == [("implausible-value", "人员.xlsx", 2, "出生日期", "9999-12-31T23:59:59")]


def test_implausible_dates_and_counts(tmp_path):
    ledgers = with_(
        人员="人员编号,姓名,是否党员,党员类别,组织关系所在党组织编号,出生日期,入党日期\n"
             "M1,张三,是,社区党员,O3,2099-01-01,\n"
             "M2,李四,是,社区党员,O3,1980-05-01,1970-07-01\n"
             "W1,王五,否,,,1850-01-01,\n",
        楼栋="楼栋编号,楼栋名称,所属小区编号,所属社区编号,层数\nB1,1号楼,P1,,0\nB2,2号楼,P1,,-3\nB3,散居3号楼,,C2,6\n",
        住户="住户编号,门牌地址,所属单元编号,常住人数\nH1,a,U1,0\nH2,b,U2,3\nH3,c,U3,-1\n")
    ledgers.pop("楼长"), ledgers.pop("包联"), ledgers.pop("双报到"), ledgers.pop("编入")
    v = validate(write_csvs(tmp_path, ledgers))
    assert errors_of(v) == [
        ("implausible-value", "人员.csv", 2, "出生日期", "2099-01-01"),
        ("implausible-value", "人员.csv", 4, "出生日期", "1850-01-01"),
        ("implausible-value", "住户.csv", 2, "常住人数", "0"),
        ("implausible-value", "住户.csv", 4, "常住人数", "-1"),
        ("implausible-value", "楼栋.csv", 2, "层数", "0"),
        ("implausible-value", "楼栋.csv", 3, "层数", "-3"),
        ("rule-violation", "人员.csv", 3, "入党日期", "1970-07-01"),
    ]
    assert any("早于出生日期" in e.message for e in v.errors)


def test_building_in_a_compound_and_directly_in_a_community(tmp_path):
    ledgers = with_(楼栋="楼栋编号,楼栋名称,所属小区编号,所属社区编号\nB1,1号楼,P1,C1\nB2,2号楼,P1,\nB3,散居3号楼,,C2\n")
    v = validate(write_csvs(tmp_path, ledgers))
    assert errors_of(v) == [("rule-violation", "楼栋.csv", 2, "所属社区编号", "C1")]


def test_control_and_private_use_characters_in_names(tmp_path):
    ledgers = with_(单位="单位编号,单位名称,单位性质\nE1,县住建\x07局,党政机关\n",
                    街道乡镇="街道编号,名称,类型\nS1,城关\ue001街道,街道\n")
    v = validate(write_csvs(tmp_path, ledgers))
    assert [(e.code, e.file, e.row, e.column) for e in v.errors] == [
        ("bad-text", "街道乡镇.csv", 2, "名称"), ("bad-text", "单位.csv", 2, "单位名称")]
    assert "U+E001" in v.errors[0].message


def test_names_and_texts_longer_than_any_real_value_are_errors(tmp_path):
    long_name = "县住建局" * 26  # 104 characters
    ledgers = with_(单位="单位编号,单位名称,单位性质\nE1," + long_name + ",党政机关\nE2," + "县" * 100 + ",党政机关\n")
    v = validate(write_csvs(tmp_path, ledgers))
    assert [(e.code, e.file, e.row, e.column) for e in v.errors] == [("too-long", "单位.csv", 2, "单位名称")]
    assert "104" in v.errors[0].message and "100" in v.errors[0].message and len(str(v.errors[0].value)) < 30


def test_cycles_in_the_grid_hierarchy_and_the_party_chain(tmp_path):
    ledgers = with_(
        网格="网格编号,名称,层级,所属社区编号,上级网格编号\nG1,和园网格,1,C1,G3\nG2,和园一网格,2,,G1\nG3,三网格,3,,G2\n",
        党组织="党组织编号,名称,组织类别,上级党组织编号,负责对象编号\nO1,城关街道党工委,党工委,,S1\n"
               "O2,和园社区党委,党委,O3,C1\nO3,和园一网格党支部,党支部,O2,G2\nO4,1号楼党小组,党小组,O3,B1、B2\n")
    v = validate(write_csvs(tmp_path, ledgers))
    got = [(e.code, e.file, e.row, e.column, e.value) for e in v.errors]
    assert sorted(got) == [
        ("hierarchy-cycle", "党组织.csv", 3, "上级党组织编号", "O3"),
        ("hierarchy-cycle", "党组织.csv", 4, "上级党组织编号", "O2"),
        ("hierarchy-cycle", "网格.csv", 2, "上级网格编号", "G3"),
        ("hierarchy-cycle", "网格.csv", 3, "上级网格编号", "G1"),
        ("hierarchy-cycle", "网格.csv", 4, "上级网格编号", "G2"),
    ]
    assert "G1 → G3 → G2 → G1" in next(e.message for e in v.errors if e.row == 2 and e.file == "网格.csv")


def test_reparenting_an_organisation_under_its_own_child_by_a_later_load(store, tmp_path):
    load(write_csvs(tmp_path / "a"), store)
    later = tmp_path / "b" / "党组织.csv"
    later.parent.mkdir()
    later.write_text("党组织编号,名称,组织类别,上级党组织编号\nO2,和园社区党委,党委,O4\n", encoding="utf-8")
    v = validate([later], store)
    assert errors_of(v) == [("hierarchy-cycle", "党组织.csv", 2, "上级党组织编号", "O4")]
    assert "O2 → O4 → O3 → O2" in v.errors[0].message


def test_an_empty_file_is_an_error_and_hidden_sheets_are_reported(tmp_path):
    empty = tmp_path / "楼栋.csv"
    empty.write_bytes(b"")
    v = validate([empty])
    assert [(e.code, e.file) for e in v.errors] == [("empty-file", "楼栋.csv")]

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "街道乡镇"
    ws.append(["街道编号", "名称", "类型"])
    ws.append(["S1", "城关街道", "街道"])
    hidden = wb.create_sheet("社区")
    hidden.append(["社区编号", "名称", "所属街道编号"])
    hidden.sheet_state = "hidden"
    path = tmp_path / "台账.xlsx"
    wb.save(path)
    v = validate([path])
    assert v.ok
    assert v.skipped == ["台账.xlsx / 社区：隐藏的工作表，已跳过（如需导入，请在 Excel 中取消隐藏）"]


@pytest.mark.parametrize("text", ["inf", "-inf", "NaN"])
def test_nan_and_inf_cells_are_not_numbers(tmp_path, text):
    ledgers = {"小区": f"小区编号,名称,小区类型,所属社区编号,纬度,经度\nP1,和园小区,大产权小区,C1,{text},117.83\n",
               "社区": MINI["社区"], "街道乡镇": MINI["街道乡镇"]}
    v = validate(write_csvs(tmp_path, ledgers))
    assert errors_of(v) == [("bad-float", "小区.csv", 2, "纬度", text)]


def test_progress_names_every_step_with_rows_per_second(store, tmp_path):
    seen: list[tuple[str, int, int]] = []
    load(write_csvs(tmp_path / "in"), store, progress=lambda label, done, total: seen.append((label, done, total)))
    labels = [s[0] for s in seen]
    assert any(l.startswith("读取 Reading 住户.csv：") and "行/秒" in l for l in labels)
    assert any(l.startswith("校验 Validated：") and "行/秒" in l for l in labels)
    assert any(l.startswith("写入 户：3 行，") and l.endswith("行/秒") for l in labels)
    assert any(l.startswith("写入 包联（人员→户）：2 行，") for l in labels)
    assert labels[-1] == "完成 Done"
    # done never runs backwards within the writing steps, and ends at the total
    writes = [(d, t) for l, d, t in seen if l.startswith(("写入", "提交", "完成"))]
    assert [d for d, _ in writes] == sorted(d for d, _ in writes) and writes[-1][0] == writes[-1][1]


def test_the_cli_prints_progress_with_rates(db_target, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from orgnet import cli

    monkeypatch.setenv("ORGNET_ARCHIVE", str(tmp_path / "archive"))
    monkeypatch.setenv("ORGNET_ACCESS", str(tmp_path / "access"))
    result = CliRunner().invoke(cli, ["--db", db_target, "load", *map(str, write_csvs(tmp_path / "in"))])
    assert result.exit_code == 0, result.output
    out = result.output + (getattr(result, "stderr", "") or "")
    assert "… 读取 Reading 楼栋.csv：3 行，" in out and "行/秒" in out and "… 写入 户：3 行，" in out


def test_reloading_writes_only_the_rows_that_changed(store, tmp_path):
    first = load(write_csvs(tmp_path / "a"), store)
    again = load(write_csvs(tmp_path / "a"), store)
    assert again.unchanged == sum(again.written.values()) > 0
    assert {r["l"] for r in store.query("MATCH (h:Household) RETURN h.src_load AS l")} == {first.load_id}

    changed_ledgers = {**MINI, "住户": MINI["住户"].replace("H2,和园小区2号楼1单元101", "H2,和园小区2号楼1单元102")}
    third = load(write_csvs(tmp_path / "b", changed_ledgers), store)
    assert third.unchanged == sum(third.written.values()) - 1
    rows = {r["id"]: (r["a"], r["l"]) for r in store.query(
        "MATCH (h:Household) RETURN h.id AS id, h.address AS a, h.src_load AS l")}
    assert rows["H2"] == ("和园小区2号楼1单元102", third.load_id)
    assert rows["H1"][1] == rows["H3"][1] == first.load_id

    # a row that moved in its file is rewritten, so its provenance stays exact
    moved = {**MINI, "包联": "人员编号,住户编号,包联类型,起始日期\nM2,H2,普通住户,2023年5月1日\nM1,H1,特殊群体,2023/5/1\n"}
    fourth = load(write_csvs(tmp_path / "c", moved), store)
    assert store.query("MATCH (p:Person {id: 'M2'})-[r:LINKED_TO]->() RETURN r.src_row AS row, r.src_load AS l") == [
        {"row": 2, "l": fourth.load_id}]
    assert sum(fourth.written.values()) - fourth.unchanged == 2 + 1  # two LINKED_TO rows and H2 (new address)


def test_a_header_written_twice_with_conflicting_values(tmp_path):
    """The second 单元名称 column was renamed 单元名称_2 by the reader and then silently ignored."""
    ledgers = with_(单元="单元编号,单元名称,所属楼栋编号,单元名称\nU1,1单元,B1,2单元\nU2,1单元,B2,1单元\nU3,1单元,B3,\n")
    v = validate(write_csvs(tmp_path, ledgers))
    assert errors_of(v) == [("conflicting-columns", "单元.csv", 2, "单元名称（第 2 个）", "2单元")]
    assert "出现了 2 次" in v.errors[0].message


def test_a_header_and_its_alias_with_conflicting_values(tmp_path):
    ledgers = {"街道乡镇": "街道编号,名称,类型,name\nS1,城关街道,街道,城关街道\nS2,东城街道,街道,西城街道\nS3,南城街道,街道,\n"}
    v = validate(write_csvs(tmp_path, ledgers))
    assert errors_of(v) == [("conflicting-columns", "街道乡镇.csv", 3, "name", "西城街道")]
    assert "同一列" in v.errors[0].message


def test_a_ledger_with_only_its_header_is_reported_and_refused_under_replace(store, tmp_path):
    from loaders.engine import LoadRefused

    load(write_csvs(tmp_path / "a"), store)
    attached = "MATCH (:Building)-[r:PART_OF]->() RETURN count(r) AS n"
    before = store.query(attached)[0]["n"]
    header_only = with_(楼栋=MINI["楼栋"].splitlines()[0] + "\n")
    files = write_csvs(tmp_path / "b", header_only)

    v = validate(files, store)
    assert v.ok and v.skipped == ["楼栋.csv：只有表头，没有数据行，未导入任何内容"]
    # --replace would retire every PART_OF the building ledger wrote: refused, nothing written
    for skip_invalid in (False, True):
        with pytest.raises(LoadRefused) as refused:
            load(files, store, replace=True, skip_invalid=skip_invalid)
        assert [(e.code, e.file) for e in refused.value.validation.errors] == [("empty-ledger", "楼栋.csv")]
        assert "只有表头" in refused.value.validation.errors[0].message
        assert store.query(attached)[0]["n"] == before > 0
    # without --replace it is harmless: the other ledgers load, the buildings stay where they were
    report = load(files, store)
    assert report.skipped == v.skipped and store.query(attached)[0]["n"] == before


def test_birth_date_and_sex_must_agree_with_the_id_number(tmp_path):
    people = ("人员编号,姓名,是否党员,党员类别,组织关系所在党组织编号,工作单位编号,居住户编号,身份证号,出生日期,性别\n"
              "M1,张三,是,社区党员,O3,,H1,11010519491231002X,1949-12-31,女\n"   # agrees
              "M2,李四,是,在职党员,,E1,H2,11010519491231002X,1950-01-01,男\n"    # both wrong
              "W1,王五,否,,,,H3,110105194912310011,,男\n")                       # nothing to compare but sex
    v = validate(write_csvs(tmp_path, with_(人员=people)))
    assert [(e.code, e.row, e.column, e.value) for e in v.errors if e.code != "duplicate-key"] == [
        ("rule-violation", 3, "出生日期", "1950-01-01"), ("rule-violation", 3, "性别", "男")]
    assert "1949-12-31" in v.errors[0].message and "偶数，应为女" in v.errors[1].message
