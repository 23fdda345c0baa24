"""Tables out of orgnet: CSV, XLSX and JSON that are safe to open (no cell becomes a formula).

Column names get their Chinese headers here, once, for every export and every page.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
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
    # rectification cases and planners (issue 14)
    "status": "状态", "overdue": "逾期", "deadline": "整改期限", "problem": "问题", "remedy": "整改办法",
    "entity_label": "对象类别", "entity_id": "对象编号", "entity_name": "对象名称", "owner_id": "责任主体编号",
    "owner_name": "责任主体", "owner_label": "责任主体类别", "reason": "不适用理由", "notes": "备注",
    "opened_load": "发现批次", "opened_on": "发现日期", "fixed_load": "整改批次", "gap_present": "缺口仍在",
    "reopened": "重开次数", "checked_by": "核验人", "community_id": "社区编号", "street_id": "街道编号",
    "open": "待整改", "awaiting_check": "待核验", "closed": "已销号", "not_applicable": "不适用", "case": "整改案件", "cases": "案件数",
    "case_status": "整改状态", "kind": "类型", "tier": "亲近程度", "cost": "代价", "metres": "距离（米）",
    "full_time": "专职网格员", "needed": "应配专职", "short": "缺专职", "households_after_moves": "调整后户数",
    "short_after_moves": "调整后缺专职", "building_id": "楼栋编号", "from_grid": "原网格编号", "from": "原网格",
    "to_grid": "新网格编号", "to": "新网格", "p": "新建阵地数", "covered": "覆盖户数", "before": "规划前", "after": "规划后",
    # history and diff (issue 15)
    "change_kind": "变化类别", "change": "变化", "what": "对象", "old_value": "原值", "new_value": "新值",
    "ended_on": "结束日期", "gap_change": "缺口较上次",
}


COLUMN_ZH.update({
    "kind": "类型", "tier_name": "层级", "top": "上级", "violation": "是否缺口", "label_zh": "类别",
    "problem": "问题说明", "fix": "整改建议", "room": "房号", "broken_link": "断在哪一环", "step": "环节",
    "members": "党员数", "leaders": "负责人", "buildings": "楼栋数", "units": "单元数",
    "reason": "原因", "hops": "步数", "path": "路径", "id_card": "身份证号", "head_phone": "户主电话",
    "started": "时间", "user": "操作人", "mode": "方式", "seconds": "耗时（秒）", "files": "文件",
})

COLUMN_ZH.update({"building_leader": "楼长职务数", "unit_leader": "单元长职务数", "grid_worker": "网格员职务数",
                  "officer": "党组织职务数", "head_name": "户主", "break_kind": "断链类别"})

COLUMN_ZH.update({"code": "错误类型", "file": "文件", "sheet": "工作表", "row": "行", "column": "列", "value": "值",
                  "message": "说明"})
COLUMN_ZH.update({"nodes": "途经对象", "rels": "途经关系"})

#: validation error codes (stable, English, for scripts) as a person reads them
ERROR_ZH = {
    "unreadable-file": "文件无法读取", "unknown-file": "不是台账", "unknown-ledger": "无法识别的台账",
    "missing-column": "缺少必填列", "missing-value": "必填项为空", "type-error": "格式不对", "bad-bool": "应为是/否",
    "bad-date": "日期无法识别", "bad-float": "应为数字", "bad-int": "应为整数", "bad-timestamp": "时间无法识别",
    "bad-id-card": "身份证号有误", "bad-mobile": "电话号码有误", "scientific-id": "编号被 Excel 改成了科学计数法",
    "forbidden-value": "取值不在允许范围内", "duplicate-key": "编号重复", "missing-reference": "引用的编号不存在",
    "ambiguous-reference": "引用的编号有歧义", "wrong-reference-kind": "引用了错误类别的对象",
    "out-of-china": "坐标不在中国境内", "rule-violation": "违反模型规则", "duplicate-pair": "关系重复",
    "empty-file": "文件是空的", "empty-ledger": "台账没有数据行", "empty": "此处为空", "bad-text": "含不可见字符", "too-long": "内容过长",
    "conflicting-columns": "同义列取值冲突", "hierarchy-cycle": "上下级形成循环", "implausible-value": "数值或日期不合理",
    "unknown-key": "编号在数据库中不存在",
}


def error_kind(code: str, lang: str = "zh") -> str:
    """An error code in words (``lang='zh'``), or the code itself for English."""
    return ERROR_ZH.get(code, code) if lang == "zh" else code


COLUMN_EN = {
    "id": "Id", "area_id": "Area id", "total": "Population", "violating": "Gaps", "coverage": "Coverage %",
    "title_en": "Rule", "per_worker": "Households per worker", "nearest_m": "Nearest site (m)", "lat": "Latitude",
    "lon": "Longitude", "in_service": "Serving leaders", "not_in_service": "Leaders not in service",
    "non_members": "Non-member unit leaders", "head_name": "Household head", "link_kind": "Link kind",
    "same_unit": "Same unit", "same_building": "Same building", "same_compound": "Same compound",
    "assigned_to": "Assigned to", "linked_households": "Linked households", "label_zh": "Kind",
    "nodes": "Passing through", "rels": "Relationships on the way",
    "broken_link": "Broken link", "fix": "How to fix", "problem": "What is wrong", "id_card": "ID number", "head_phone": "Head's phone",
}


def header(column: str, lang: str = "zh") -> str:
    """A result column's header: Chinese, or English words (never snake_case) for ``lang='en'``."""
    if lang == "zh":
        return COLUMN_ZH.get(column, column)
    return COLUMN_EN.get(column) or column.replace("_", " ").capitalize()


def natural_key(text: Any) -> tuple:
    """Sort key that orders numbers by value, Arabic or Chinese: 第二网格 before 第十网格, 2号楼 before 10号楼.

    >>> sorted(["第七网格", "第一网格", "第三网格", "第十一网格"], key=natural_key)
    ['第一网格', '第三网格', '第七网格', '第十一网格']
    """
    if text is None:
        return ((1, ""),)
    out = []
    for part in re.split(r"(\d+|[零〇一二两三四五六七八九十百千]+)", str(text)):
        if not part:
            continue
        if part.isdigit():
            out.append((0, int(part)))
        elif _CN_NUMBER.fullmatch(part):
            out.append((0, _cn_int(part)))
        else:
            out.append((1, part))
    return tuple(out)


_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千]+")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def _cn_int(text: str) -> int:
    total, digit = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:
            total += (digit or 1) * _CN_UNITS[ch]
            digit = 0
    return total + digit


#: the time zone times are shown in (the ledgers' and the users'); stored times are naive UTC
SHOW_TZ = dt.timezone(dt.timedelta(hours=8))


def display(column: str, value: Any) -> Any:
    """A value as a person reads it: local time to the minute, coordinates to 5 places (about a
    metre), distances to whole metres, other fractions to 2 places, lists joined with 、, empty as —."""
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, dt.datetime):
        when = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
        return when.astimezone(SHOW_TZ).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        if column in ("lat", "lon"):
            return round(value, 5)
        if column.endswith("_m") or column == "metres":
            return round(value)
        return round(value, 1) if column == "per_worker" else round(value, 2)
    if isinstance(value, list):
        return "、".join("—" if v is None else str(v) for v in value)
    return value


#: columns whose values are model labels or relationship types (shown by their Chinese names)
LABEL_COLUMNS = ("label", "src_label", "dst_label", "entity", "entity_label", "owner_label")
REL_COLUMNS = ("rel", "type")


def readable(rows: list[dict], lang: str = "zh", keep: tuple[str, ...] = ()) -> list[dict]:
    """Rows as a person reads them, on a page or in a terminal: model labels and relationship
    types by their Chinese names (``lang='zh'``), every value through :func:`display`. Columns in
    ``keep`` keep their raw values (a page's progress bars)."""
    from graph.model import MODEL

    rels = {r.name: r for r in MODEL.rels}
    out = []
    for r in rows:
        shown = {}
        for c, v in r.items():
            if c in LABEL_COLUMNS and isinstance(v, str) and v in MODEL.labels:
                v = MODEL.node(v).en if lang == "en" else MODEL.node(v).zh
            elif c in REL_COLUMNS and isinstance(v, str) and v in rels:
                v = rels[v].en if lang == "en" else rels[v].zh
            elif isinstance(v, list) and v and all(isinstance(x, dict) and "label" in x for x in v):
                # a path's nodes: "钟*涛（人员）→ 锦嘉三级网格10（网格）→ …"
                v = " → ".join(f"{x.get('name') or x.get('id')}（{_kind(x['label'], lang)}）" for x in v)
            elif isinstance(v, list) and v and all(isinstance(x, str) and x in rels for x in v):
                v = " → ".join(rels[x].en if lang == "en" else rels[x].zh for x in v)
            shown[c] = v if c in keep else display(c, v)
        out.append(shown)
    return out


def _kind(label: str, lang: str) -> str:
    from graph.model import MODEL

    if label not in MODEL.labels:
        return label
    return MODEL.node(label).en if lang == "en" else MODEL.node(label).zh


def _plain(value: Any) -> Any:
    if isinstance(value, list) and value and all(isinstance(x, dict) and "label" in x for x in value):
        return " → ".join(f"{x.get('name') or x.get('id')}（{_kind(x['label'], 'zh')}）" for x in value)
    if isinstance(value, list) and value and all(isinstance(x, str) for x in value):
        from graph.model import MODEL

        rels = {r.name: r.zh for r in MODEL.rels}
        if all(x in rels for x in value):
            return " → ".join(rels[x] for x in value)
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


def to_xlsx(rows: list[dict], sheet: str = "orgnet", lang: str = "zh", *, title: str | None = None,
            note: str | None = None, when: dt.datetime | None = None) -> bytes:
    """A workbook whose text cells are all stored as text, so nothing evaluates as a formula.

    With ``title`` the sheet opens with a title line, then the date it was made and ``note`` (the
    filters that produced it), then the table; the header row is frozen, the header bold and the
    columns as wide as their longest value (Chinese characters count double), capped at 60.
    """
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_title(sheet)
    cols = list(rows[0]) if rows else []
    if title:
        made = (when or dt.datetime.now(SHOW_TZ)).strftime("%Y-%m-%d %H:%M")
        ws.append([title])
        ws["A1"].font = Font(bold=True, size=14)
        ws.append([("生成时间：" if lang == "zh" else "Made: ") + made])
        if note:
            ws.append([note])
        ws.append([])
    header_row = ws.max_row + 1 if title else 1
    ws.append([header(c, lang) for c in cols])
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([_plain(r.get(c)) for c in cols])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                cell.data_type = "s"
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1).coordinate
    for i, c in enumerate(cols, start=1):
        longest = max([_text_width(header(c, lang))] + [_text_width(_plain(r.get(c))) for r in rows[:2000]])
        ws.column_dimensions[ws.cell(row=header_row, column=i).column_letter].width = min(60, longest + 2)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet_title(name: str) -> str:
    # Excel refuses these characters in a sheet name and names longer than 31.
    return re.sub(r"[\\/*?:\[\]]", "-", name)[:31] or "orgnet"


def _text_width(value: Any) -> int:
    import unicodedata

    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def to_json(rows: list[dict]) -> str:
    def default(v: Any) -> Any:
        if isinstance(v, (dt.date, dt.datetime)):
            return v.isoformat()
        return str(v)

    return json.dumps(rows, ensure_ascii=False, indent=2, default=default)
