"""Tables out of orgnet: CSV, XLSX and JSON that are safe to open (no cell becomes a formula).

Column names get their Chinese headers here, once, for every export and every page.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@")

COLUMN_ZH = {
    "rule": "规则", "id": "编号", "name": "名称", "street": "街道", "community": "社区", "grid": "网格",
    "compound": "小区", "building": "楼栋", "area": "区域", "area_id": "区域编号", "total": "应覆盖数",
    "violating": "缺口数", "coverage": "覆盖率%", "title": "规则名称", "title_en": "Rule", "entity": "对象",
    "households": "户数", "workers": "专职网格员", "per_worker": "每人户数", "links": "包联户数",
    "member_kind": "党员类别", "nearest_m": "最近阵地距离（米）", "lat": "纬度", "lon": "经度",
    "in_service": "在职楼长", "not_in_service": "非在职楼长", "non_members": "非党员单元长",
    "special_groups": "特殊群体", "staff": "在职人数", "compounds": "服务小区数", "compound_kind": "小区类型",
    "body_kind": "类型", "level_name": "网格层级", "address": "地址", "phone": "电话", "role": "角色",
    "via": "经由", "household": "住户编号", "head_name": "户主", "link_kind": "包联类型", "since": "起始日期",
    "same_unit": "同单元", "same_building": "同楼栋", "same_compound": "同小区", "member": "人员编号",
    "reported": "报到日期", "assigned_to": "编入党组织", "linked_households": "包联住户", "label": "类别", "detail": "说明",
}


def header(column: str, lang: str = "zh") -> str:
    return COLUMN_ZH.get(column, column) if lang == "zh" else column


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return "、".join("" if v is None else str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def to_csv(rows: list[dict], lang: str = "zh") -> bytes:
    """UTF-8 with BOM (Excel opens it as Chinese); text that starts like a formula gets a quote."""
    cols = list(rows[0]) if rows else []
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([header(c, lang) for c in cols])
    for r in rows:
        vals = [_plain(r.get(c)) for c in cols]
        w.writerow(["'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v for v in vals])
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx(rows: list[dict], sheet: str = "orgnet", lang: str = "zh") -> bytes:
    """A workbook whose text cells are all stored as text, so nothing evaluates as a formula."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    cols = list(rows[0]) if rows else []
    ws.append([header(c, lang) for c in cols])
    for r in rows:
        ws.append([_plain(r.get(c)) for c in cols])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                cell.data_type = "s"
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_json(rows: list[dict]) -> str:
    def default(v: Any) -> Any:
        if isinstance(v, (dt.date, dt.datetime)):
            return v.isoformat()
        return str(v)

    return json.dumps(rows, ensure_ascii=False, indent=2, default=default)
