"""Blank ledger templates a community can fill in: one workbook, a sheet per ledger, and CSVs.

Header cells carry a note (what to write, type, allowed values); columns with allowed values get a
drop-down list; required columns are marked with ``*`` (the reader ignores the mark).
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from graph.model import MODEL

from .specs import LEDGERS, Column, Ledger, Ref

WORKBOOK_NAME = "orgnet台账模板.xlsx"
TYPE_ZH = {"STRING": "文本", "INT64": "整数", "DOUBLE": "小数", "BOOL": "是/否", "DATE": "日期，如 2023-05-01",
           "TIMESTAMP": "日期时间", "STRING[]": "多个值用顿号（、）分隔"}
CHECK_ZH = {"id_card": "18位身份证号，末位校验码须正确", "mobile": "11位手机号或带区号的固定电话",
            "lat": "WGS-84 纬度，如 37.17", "lon": "WGS-84 经度，如 117.83"}


def header_text(spec: Ledger, col: Column | Ref) -> str:
    return col.header + ("*" if spec.is_required(col) else "")


def column_note(spec: Ledger, col: Column | Ref) -> str:
    lines = []
    if isinstance(col, Ref):
        kinds = "、".join(MODEL.node(t).zh for t in col.targets)
        lines.append(f"填写{kinds}的编号" + ("，多个用顿号分隔" if col.many else ""))
    else:
        p = spec.prop_of(col)
        lines.append(f"{p.zh}：{TYPE_ZH[p.type]}")
        doc = re.sub(r"^e\.g\.\s*", "例如 ", p.doc or "")
        if doc and not re.search(r"[A-Za-z]{3,}", doc.replace("WGS-84", "")):
            lines.append(doc)  # the model's English notes are for developers, not for the ledger's users
        if p.values:
            lines.append("可选：" + "、".join(p.values))
        if col.check in CHECK_ZH:
            lines.append(CHECK_ZH[col.check])
    if col.note:
        lines.append(col.note)
    lines.append("必填" if spec.is_required(col) else "选填")
    return "\n".join(lines)


def _is_text(spec: Ledger, col: Column | Ref) -> bool:
    """Ids, references, ID-card and phone numbers: text, whatever digits they hold."""
    if isinstance(col, Ref):
        return True
    return spec.prop_of(col).type == "STRING" and (col.check in ("id_card", "mobile") or col.header.endswith("编号")
                                                   or spec.prop_of(col).name in ("id", "phone", "id_card"))


def _contents(spec: Ledger) -> str:
    """What a sheet holds, in Chinese: its columns."""
    return "列：" + "、".join(header_text(spec, c) for c in spec.all_columns())


def _allowed(spec: Ledger, col: Column | Ref) -> tuple[str, ...]:
    if isinstance(col, Ref):
        return ()
    p = spec.prop_of(col)
    if p.type == "BOOL":
        return ("是", "否")
    return p.values if p.type == "STRING" else ()


def write_templates(directory: str | Path) -> list[Path]:
    """Write ``orgnet台账模板.xlsx`` and ``csv/<台账>.csv`` (UTF-8 with BOM) into ``directory``."""
    out_dir = Path(directory)
    (out_dir / "csv").mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    guide = wb.active
    guide.title = "说明"
    guide.append(["orgnet 台账模板：每个工作表是一种台账。表头带 * 的列必填；把鼠标停在表头上可看填写说明。"])
    guide.append(["编号由各社区自定，但同一类对象的编号不能重复，不同类对象的编号最好也不相同（例如加前缀 B-、U-）。"])
    guide.append(["填好后在“数据导入”页上传：系统先逐格校验并列出所有错误（可下载），全部无误后再导入。"])
    guide.append(["编号、身份证号、手机号等列已设为文本格式，请不要改成数字格式，否则长号码会丢失末尾数字。"])
    guide.append([])
    guide.append(["工作表", "内容"])
    for spec in LEDGERS.values():
        guide.append([spec.zh, _contents(spec)])
    guide.column_dimensions["A"].width = 18
    guide.column_dimensions["B"].width = 80

    lists = wb.create_sheet("取值")
    lists.sheet_state = "hidden"
    list_col = 0
    written = []
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FDE2DD")
    optional_fill = PatternFill("solid", fgColor="EEEEEE")
    for spec in LEDGERS.values():
        ws = wb.create_sheet(spec.zh)
        cols = spec.all_columns()
        for j, col in enumerate(cols, start=1):
            cell = ws.cell(row=1, column=j, value=header_text(spec, col))
            cell.font = bold
            cell.fill = required_fill if spec.is_required(col) else optional_fill
            cell.alignment = Alignment(horizontal="center")
            cell.comment = Comment(column_note(spec, col), "orgnet", width=260, height=140)
            ws.column_dimensions[get_column_letter(j)].width = max(12, len(col.header) * 2 + 4)
            if _is_text(spec, col):
                # Excel would turn an 18-digit ID number into 3.70102E+17 and drop its last digits.
                ws.column_dimensions[get_column_letter(j)].number_format = "@"
                for row in range(2, 1002):
                    ws.cell(row=row, column=j).number_format = "@"
            values = _allowed(spec, col)
            if values:
                list_col += 1
                letter = get_column_letter(list_col)
                for i, v in enumerate(values, start=1):
                    lists.cell(row=i, column=list_col, value=v)
                ref = f"{quote_sheetname('取值')}!${letter}$1:${letter}${len(values)}"
                dv = DataValidation(type="list", formula1=ref, allow_blank=True, showErrorMessage=True,
                                    errorTitle="取值不在列表中", error="请从下拉列表中选择")
                ws.add_data_validation(dv)
                dv.add(f"{get_column_letter(j)}2:{get_column_letter(j)}5000")
        ws.freeze_panes = "A2"
        with open(out_dir / "csv" / f"{spec.zh}.csv", "w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f).writerow([header_text(spec, c) for c in cols])
        written.append(out_dir / "csv" / f"{spec.zh}.csv")
    path = out_dir / WORKBOOK_NAME
    wb.save(path)
    return [path, *written]
