"""Reading real 台账 files (loaders.reading): workbooks and CSV as Excel and WPS write them."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from loaders.cells import CellError, fix_id, to_date
from loaders.reading import ReadError, Row, Sheet, header_name, read_file

HEADER = ["小区名称*", "楼栋 号", "身份证号（必填）", "联系电话", "建成日期", "入住日期", "备注\n（选填，可写多项）", None, "数量"]


def building_workbook(path):
    """A sheet as communities keep them: merged title, a note row, merged 小区 names, a blank row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "楼栋"
    ws["A1"] = "XX社区楼栋台账"
    ws.merge_cells("A1:I1")
    ws["A2"] = "说明：带*为必填"
    ws.merge_cells("A2:I2")
    ws.append(HEADER)
    ws.append(["阳光小区  ", "１２３", 370102198801011234.0, 13800001111, dt.date(2023, 5, 1),
               "45047", " 加装电梯 ", "无表头的值", 3])
    ws.append([None, "2", "11010519491231002X", "138 0000 1111", dt.datetime(2020, 1, 2, 8, 30),
               "2023/5/1", None, None, 4.0])
    ws.append([None, "3号", 3.70102198801011e17, None, None, None, None, None, None])
    ws.merge_cells("A4:A6")
    ws.append([])  # row 7 left blank
    ws.append(["和谐家园", "1", None, None, None, None, None, None, 0])
    ws["F4"].number_format = "@"  # a serial number typed into a text column
    wb.save(path)


@pytest.fixture
def buildings(tmp_path):
    path = tmp_path / "upload-7f3a.xlsx"
    building_workbook(path)
    sheets = read_file(path, display_name="高青台账.xlsx")
    assert len(sheets) == 1
    return sheets[0]


def test_workbook_header_under_merged_title(buildings):
    assert (buildings.file, buildings.sheet, buildings.header_row) == ("高青台账.xlsx", "楼栋", 3)
    assert buildings.columns == ["小区名称", "楼栋号", "身份证号", "联系电话", "建成日期", "入住日期", "备注", "数量"]


def test_workbook_rows_keep_excel_numbers_and_skip_blank_rows(buildings):
    assert [r.number for r in buildings.rows] == [4, 5, 6, 8]


def test_workbook_vertical_merge_is_filled(buildings):
    assert [r.values["小区名称"] for r in buildings.rows] == ["阳光小区", "阳光小区", "阳光小区", "和谐家园"]


def test_workbook_values_are_cleaned(buildings):
    first, second, third, fourth = (r.values for r in buildings.rows)
    assert first["楼栋号"] == "123"
    assert first["联系电话"] == "13800001111"
    assert first["建成日期"] == "2023-05-01"
    assert first["备注"] == "加装电梯"
    assert first["数量"] == "3"
    assert second["建成日期"] == "2020-01-02T08:30:00"
    assert second["数量"] == "4"
    assert third["联系电话"] is None
    assert fourth["数量"] == "0"
    assert "无表头的值" not in first.values()


def test_workbook_serial_in_text_column(buildings):
    serial = buildings.rows[0].values["入住日期"]
    assert serial == "45047"
    assert to_date(serial) == dt.date(2023, 5, 1)
    assert to_date(buildings.rows[1].values["入住日期"]) == dt.date(2023, 5, 1)


def test_workbook_id_typed_as_number_is_reported(buildings):
    for row in (buildings.rows[0], buildings.rows[2]):
        assert row.values["身份证号"] == "3.70102198801011E+17"
        with pytest.raises(CellError) as info:
            fix_id(row.values["身份证号"])
        assert info.value.code == "scientific-id"
    assert fix_id(buildings.rows[1].values["身份证号"]) == "11010519491231002X"


def test_display_name_defaults_to_file_name(tmp_path):
    path = tmp_path / "高青台账.xlsx"
    building_workbook(path)
    assert read_file(str(path))[0].file == "高青台账.xlsx"


def test_workbook_sheets_hidden_empty_and_headerless(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "空表"
    notes = wb.create_sheet("说明")
    notes["A1"] = "本表由社区填写，每季度更新一次"
    hidden = wb.create_sheet("字典")
    hidden.append(["类型", "说明"])
    hidden.sheet_state = "hidden"
    people = wb.create_sheet("人员")
    people.append(["姓名", "电话"])
    people.append(["张三", "13800001111"])
    path = tmp_path / "多表.xlsm"
    wb.save(path)

    sheets = read_file(path)
    assert [s.sheet for s in sheets] == ["说明", "人员"]
    assert sheets[0].columns == [] and sheets[0].rows == []
    assert sheets[1].rows == [Row(2, {"姓名": "张三", "电话": "13800001111"})]


def test_custom_header_test_skips_form_fields(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["填报单位：XX社区", None, "填报日期：2023-05-01"])
    ws.append(["姓名", "性别", "电话"])
    ws.append(["张三", "男", "13800001111"])
    path = tmp_path / "人员.xlsx"
    wb.save(path)

    assert read_file(path)[0].header_row == 1  # the default rule only wants two cells
    seen = []

    def is_header(cells):
        seen.append(cells)
        return "姓名" in cells

    sheet = read_file(path, is_header=is_header)[0]
    assert sheet.header_row == 2 and sheet.columns == ["姓名", "性别", "电话"]
    assert seen[0] == ["填报单位：XX社区", None, "填报日期：2023-05-01"]
    assert read_file(path, is_header=lambda cells: False)[0].columns == []


def test_header_only_searched_in_first_20_rows(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A21"], ws["B21"] = "姓名", "电话"
    path = tmp_path / "深.xlsx"
    wb.save(path)
    [sheet] = read_file(path)
    assert sheet.columns == [] and sheet.rows == []


def test_horizontally_merged_header_gets_distinct_names(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "联系电话", None])
    ws.merge_cells("B1:C1")
    ws.append(["张三", "13800001111", "0533-1234567"])
    path = tmp_path / "电话.xlsx"
    wb.save(path)
    [sheet] = read_file(path)
    assert sheet.columns == ["姓名", "联系电话", "联系电话_2"]
    assert sheet.rows[0].values == {"姓名": "张三", "联系电话": "13800001111", "联系电话_2": "0533-1234567"}


@pytest.mark.parametrize(
    "raw, expected",
    [("姓名*", "姓名"), ("*姓名", "姓名"), ("姓名（必填）", "姓名"), ("姓名(必填)", "姓名"), ("姓名 * (必填)", "姓名"),
     ("出生\n日期", "出生"), ("身份证号\n(18位)", "身份证号"), ("联 系 电 话", "联系电话"), ("＊", None), (None, None)],
)
def test_header_name(raw, expected):
    assert header_name(raw) == expected


# --- CSV -------------------------------------------------------------------------------------

CSV_TEXT = "姓名,小区名称*,电话\r\n张三,阳光小区,13800001111\r\n,,\r\n李四 ,和谐家园,\r\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings(tmp_path, encoding):
    path = tmp_path / "人员.csv"
    path.write_bytes(CSV_TEXT.encode(encoding))
    assert read_file(path) == [
        Sheet("人员.csv", "", 1, ["姓名", "小区名称", "电话"], [
            Row(2, {"姓名": "张三", "小区名称": "阳光小区", "电话": "13800001111"}),
            Row(4, {"姓名": "李四", "小区名称": "和谐家园", "电话": None}),
        ])
    ]


def test_csv_title_line_and_multiline_cell(tmp_path):
    path = tmp_path / "楼栋.csv"
    path.write_text('XX社区楼栋台账,,\n\n小区,楼栋,备注\n阳光小区,1,"加装电梯\n外墙保温"\n阳光小区,2,\n', encoding="utf-8")
    [sheet] = read_file(path)
    assert sheet.header_row == 3
    assert [(r.number, r.values["备注"]) for r in sheet.rows] == [(4, "加装电梯\n外墙保温"), (5, None)]


@pytest.mark.parametrize("delimiter", ["\t", ";"])
def test_csv_delimiter_is_sniffed(tmp_path, delimiter):
    lines = ["姓名", "地址", "电话"], ["张三", "阳光小区1号楼,2单元", "13800001111"]
    path = tmp_path / "人员.txt"
    path.write_text("\n".join(delimiter.join(line) for line in lines), encoding="utf-8")
    [sheet] = read_file(path)
    assert sheet.columns == ["姓名", "地址", "电话"]
    assert sheet.rows[0].values["地址"] == "阳光小区1号楼,2单元"


def test_excel_unicode_text_is_utf16(tmp_path):
    path = tmp_path / "人员.txt"
    path.write_bytes("姓名\t电话\r\n张三\t13800001111\r\n".encode("utf-16"))
    assert read_file(path)[0].rows == [Row(2, {"姓名": "张三", "电话": "13800001111"})]


def test_csv_undecodable(tmp_path):
    path = tmp_path / "乱码.csv"
    path.write_bytes(b"\xff\x80,\x80\x80\n")
    with pytest.raises(ReadError) as info:
        read_file(path)
    assert info.value.file == "乱码.csv" and "CSV UTF-8" in info.value.message


def test_empty_csv_has_no_sheets(tmp_path):
    path = tmp_path / "空.csv"
    path.write_bytes(b"\xef\xbb\xbf\r\n,,\r\n")
    assert read_file(path) == []


# --- files that cannot be read ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["旧表.xls", "表.et", "表.numbers", "表"])
def test_unsupported_formats(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"whatever")
    with pytest.raises(ReadError) as info:
        read_file(path)
    assert info.value.file == name and ".xlsx" in info.value.message and "CSV" in info.value.message


@pytest.mark.parametrize("content", [b"name,phone\n", b"PK\x03\x04 not really a zip", b""])
def test_xlsx_that_is_not_a_workbook(tmp_path, content):
    path = tmp_path / "假的.xlsx"
    path.write_bytes(content)
    with pytest.raises(ReadError) as info:
        read_file(path, display_name="台账.xlsx")
    assert info.value.file == "台账.xlsx" and info.value.sheet == ""
    assert "台账.xlsx" in str(info.value)


def test_xls_renamed_to_xlsx(tmp_path):
    path = tmp_path / "改名.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    with pytest.raises(ReadError) as info:
        read_file(path)
    assert ".xls" in info.value.message


def test_missing_file(tmp_path):
    with pytest.raises(ReadError):
        read_file(tmp_path / "没有.xlsx")
