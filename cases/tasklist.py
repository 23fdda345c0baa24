"""A community's task list (整改任务清单): what is wrong, where, how to fix, owner, deadline, status.

The workbook has one sheet, ``整改任务清单``. The first columns say what and where (they are for
reading; the loader ignores them), the last five are for the community to fill in and return:
状态, 不适用理由, 整改期限, 备注, 责任主体编号. Returned, it is an ordinary ledger
(``loaders.specs`` ``case_returns``): ``orgnet load 任务清单.xlsx`` or the 整改 page validates it
like every other ledger — an unknown case, a status outside the list, 不适用 without a reason, an
owner that does not exist, an impossible date: each is an error with file, sheet, row and column,
and nothing is written.

Examples
--------
>>> rows = [{"id": "ZG-R08-H-1", "rule": "R08", "problem": "住户无党员包联", "entity_label": "Household",
...          "entity_id": "H-1", "entity_name": "1号楼1单元101", "street": "田镇街道", "community": "富和社区",
...          "grid": "第一网格", "remedy": "安排党员包联", "status": "待整改", "reason": None,
...          "deadline": None, "notes": None, "owner_id": "C-1", "owner_name": "富和社区", "owner_label": "Community"}]
>>> data = task_list_xlsx(rows)
>>> data[:2]
b'PK'
"""
from __future__ import annotations

import io
from typing import Any

from queries.scope import Scope

SHEET = "整改任务清单"
#: (header, row key); the last five are read back (loaders.specs ``case_returns``)
COLUMNS = (
    ("案件编号", "id"), ("规则", "rule"), ("问题", "problem"), ("对象编号", "entity_id"), ("对象名称", "entity_name"),
    ("街道", "street"), ("社区", "community"), ("网格", "grid"), ("整改办法", "remedy"), ("责任主体", "owner_name"),
    ("发现日期", "opened_on"), ("缺口仍在", "gap_present"),
    ("状态", "status"), ("不适用理由", "reason"), ("整改期限", "deadline"), ("备注", "notes"),
    ("责任主体编号", "owner_id"),
)
EDITABLE = ("状态", "不适用理由", "整改期限", "备注", "责任主体编号")


#: a case's name columns and the columns saying what kind of entity each names (``Scope.mask_named``)
NAMES = {"entity_name": "entity_label", "owner_name": "owner_label"}


def masked(scope: Scope, rows: list[dict[str, Any]], what: str = "cases") -> list[dict[str, Any]]:
    """Cases as ``scope``'s principal may see them: masked by the query layer (``queries.scope``),
    a person's name as a name, a household's address as an address, every other value by value."""
    return scope.mask_named(rows, NAMES, what=what)


def task_list_xlsx(rows: list[dict[str, Any]]) -> bytes:
    """The task list as XLSX bytes (every cell text, so nothing can run as a formula); ``rows`` as the
    principal may see them (``masked``)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    from loaders.xlsx import append_safe

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    append_safe(ws, [h for h, _ in COLUMNS])
    fill = PatternFill("solid", fgColor="FFF2CC")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        if cell.value in EDITABLE:
            cell.fill = fill
            cell.comment = Comment("请填写后交回：状态 待整改/整改中/已整改待核验/不适用（不适用须写理由）", "orgnet")
    for r in rows:
        append_safe(ws, [_text(r.get(k)) for _, k in COLUMNS])
    for i, (h, _) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = 28 if h in ("问题", "整改办法") else 14
    ws.freeze_panes = "B2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "是" if v else "否"
    if hasattr(v, "isoformat"):
        return v.isoformat()[:10]
    return str(v)
