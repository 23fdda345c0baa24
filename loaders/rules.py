"""Row rules of the model that a single column's type cannot express.

Each rule sees one parsed row — ``props`` (property → value) and ``refs`` (reference header →
ids) — and returns ``(column header, message)`` pairs, one per violation; the engine turns them
into ``rule-violation`` errors. Specs name the rules they need (``Ledger.rules``).
``existing_only`` is the one check that needs the database: an update-only ledger (a returned
task list) may only name nodes that exist.
"""
from __future__ import annotations

import datetime as dt

from collections.abc import Callable, Mapping
from typing import Any

Rule = Callable[[Mapping[str, Any], Mapping[str, list[str]], str], list[tuple[str, str]]]


def centre_needs_flag(props, refs, key):
    if refs.get("中心户所属党组织编号") and props.get("party_centre") is not True:
        return [("党员中心户", "填写了“中心户所属党组织编号”，但“党员中心户”不是“是”：请改为“是”，或清空所属党组织")]
    return []


def org_not_its_own_parent(props, refs, key):
    if key and key in refs.get("上级党组织编号", []):
        return [("上级党组织编号", "党组织不能是自己的上级：请填写上一级党组织的编号")]
    return []


def member_fields_need_member(props, refs, key):
    if props.get("is_member") is True:
        return []
    out = []
    if props.get("member_kind"):
        out.append(("党员类别", "填写了党员类别，但“是否党员”不是“是”：请改为“是”，或清空党员类别"))
    if props.get("joined_party"):
        out.append(("入党日期", "填写了入党日期，但“是否党员”不是“是”"))
    if refs.get("组织关系所在党组织编号"):
        out.append(("组织关系所在党组织编号", "非党员不能有组织关系：请改“是否党员”为“是”，或清空此列"))
    return out


def in_service_needs_work_unit(props, refs, key):
    if props.get("member_kind") == "在职党员" and not refs.get("工作单位编号"):
        return [("工作单位编号", "在职党员须填写工作单位编号（单位台账中的编号）")]
    return []


def party_members_not_more_than_members(props, refs, key):
    total, members = props.get("members"), props.get("party_members")
    if total is not None and members is not None and members > total:
        return [("其中党员数", f"党员数 {members} 大于成员数 {total}：请核对")]
    return []


def red_leader_in_service(props, refs, key):
    if props.get("red") is True and props.get("in_service") is not True:
        return [("红色楼长", "红色楼长是在职干部：“是否在职”应为“是”")]
    return []


def grid_not_its_own_parent(props, refs, key):
    if key and key in refs.get("上级网格编号", []):
        return [("上级网格编号", "网格不能是自己的上级网格")]
    return []


def not_applicable_needs_reason(props, refs, key):
    if props.get("status") == "不适用" and not props.get("reason"):
        return [("不适用理由", "状态为“不适用”时须写明理由：请填写“不适用理由”，或改为其他状态")]
    return []


def returned_case_not_closed(props, refs, key):
    # 销号 is the checker's act after a load no longer shows the gap, not the community's.
    if props.get("status") == "已销号":
        return [("状态", "社区回填的任务清单不能直接“已销号”：整改完成请填“已整改待核验”，"
                         "下次导入核验缺口消失后由核验人销号（`orgnet cases close` 或 整改 页面）")]
    return []


def existing_only(sheets, store) -> None:
    """Update-only ledgers (``Ledger.update_only``: a returned task list) may only name nodes the
    database already holds; any other key is an ``unknown-key`` error on its row."""
    from graph.model import MODEL

    for sd in sheets:
        if not sd.spec.update_only:
            continue
        keys = sorted({r.key for r in sd.records if r.key})
        known = {r["id"] for r in store.query(f"UNWIND $ids AS i MATCH (n:{sd.spec.label} {{id: i}}) RETURN n.id AS id",
                                              {"ids": keys})} if store is not None and keys else set()
        zh = MODEL.node(sd.spec.label).zh
        for rec in sd.records:
            if rec.key and rec.key not in known:
                rec.error("unknown-key", sd.spec.key.header, rec.key,
                          f"数据库中没有{zh}“{rec.key}”：这份{sd.spec.zh}只能更新已有的{zh}，"
                          "请核对编号（用 orgnet 导出的清单回填，不要新增行）")


RULES: dict[str, Rule] = {f.__name__: f for f in (
    centre_needs_flag, org_not_its_own_parent, member_fields_need_member, in_service_needs_work_unit,
    party_members_not_more_than_members, red_leader_in_service, grid_not_its_own_parent,
    not_applicable_needs_reason, returned_case_not_closed)}


# --- plausible values ---------------------------------------------------------------------------
# Values that have the right type but cannot be true: a floor count of 0, a birth in 2099. The
# bounds are per property name (the same name means the same thing on every label).
EARLIEST_DATE = "1900-01-01"


_EARLIEST = dt.date.fromisoformat(EARLIEST_DATE)


def _max_date(name: str) -> dt.date:
    today = dt.date.today()
    # A birth or a founding is in the past; an appointment may be entered up to a year ahead.
    return today if name in ("birth_date", "joined_party", "founded", "date", "signed") else today + dt.timedelta(days=366)


INT_RANGES: dict[str, tuple[int, int, str]] = {
    "floors": (1, 200, "层数应为 1–200 的整数"),
    "residents": (1, 100, "常住人数应为 1–100 的整数（没有人住的户请不要填写，或留空）"),
    "members": (0, 10_000, "成员数不能为负数"),
    "party_members": (0, 10_000, "党员数不能为负数"),
    "level": (1, 10, "网格层级应为 1–10 的整数"),
    "built_year": (1900, 2100, "建成年份应为 1900 年以后的四位年份"),
}


def plausible(name: str, type_: str, value: Any) -> str | None:
    """Why a parsed value cannot be true, or None. ``name`` is the model property."""
    if type_ in ("DATE", "TIMESTAMP"):
        d = value.date() if isinstance(value, dt.datetime) else value
        if d < _EARLIEST:
            return f"日期 {d.isoformat()} 早于 1900 年：请核对年份"
        latest = _max_date(name)
        if d > latest:
            return f"日期 {d.isoformat()} 在未来（晚于 {latest.isoformat()}）：请核对年份"
    elif type_ == "INT64" and name in INT_RANGES:
        lo, hi, why = INT_RANGES[name]
        if not lo <= value <= hi:
            return f"{value} 不合理：{why}"
    return None


def joined_after_birth(props, refs, key):
    born, joined = props.get("birth_date"), props.get("joined_party")
    if born and joined and joined < born:
        return [("入党日期", f"入党日期 {joined.isoformat()} 早于出生日期 {born.isoformat()}：请核对两个日期")]
    return []


RULES["joined_after_birth"] = joined_after_birth


def building_in_one_place(props, refs, key):
    if refs.get("所属小区编号") and refs.get("所属社区编号"):
        return [("所属社区编号", "楼栋已填写所属小区，又直接填写了所属社区：小区内的楼栋只填“所属小区编号”，"
                 "不属于任何小区的散居楼栋才填“所属社区编号”，请清空其中一项")]
    return []


RULES["building_in_one_place"] = building_in_one_place


#: For each rule, the properties and reference headers of which at least one must be filled in a
#: row for the rule to have anything to say: the loader runs a rule only on those rows (a city's
#: households ledger has a million rows and a few thousand party-centre households).
TRIGGERS: dict[str, tuple[str, ...]] = {
    "centre_needs_flag": ("中心户所属党组织编号",),
    "org_not_its_own_parent": ("上级党组织编号",),
    "member_fields_need_member": ("member_kind", "joined_party", "组织关系所在党组织编号"),
    "in_service_needs_work_unit": ("member_kind",),
    "party_members_not_more_than_members": ("members",),
    "red_leader_in_service": ("red",),
    "grid_not_its_own_parent": ("上级网格编号",),
    "not_applicable_needs_reason": ("status",),
    "returned_case_not_closed": ("status",),
    "joined_after_birth": ("joined_party",),
    "building_in_one_place": ("所属小区编号",),
}


def id_card_agrees(values: Mapping[str, list]) -> list[tuple[int, str, str]]:
    """An ID number says when its holder was born (digits 7–14) and their sex (the 17th digit is odd
    for men): a row whose 出生日期 or 性别 says otherwise has one of them wrong. ``values`` is a
    ledger's parsed columns; returns ``(row index, column header, message)``."""
    cards = values.get("id_card")
    if cards is None:
        return []
    births = values.get("birth_date") or [None] * len(cards)
    sexes = values.get("gender") or [None] * len(cards)
    out = []
    for i, card in enumerate(cards):
        if card is None:
            continue
        born, sex = births[i], sexes[i]
        if born is not None and born.isoformat().replace("-", "") != card[6:14]:
            out.append((i, "出生日期", f"出生日期 {born.isoformat()} 与身份证号中的出生日期 "
                                       f"{card[6:10]}-{card[10:12]}-{card[12:14]} 不一致：请核对其中一项"))
        if sex is not None and card[16].isdigit() and sex != ("男" if int(card[16]) % 2 else "女"):
            out.append((i, "性别", f"性别“{sex}”与身份证号不一致（第 17 位 {card[16]} 是"
                                   f"{'奇数，应为男' if int(card[16]) % 2 else '偶数，应为女'}）：请核对其中一项"))
    return out


#: Rules over whole columns, run on every ledger that has their first column (cheaper than a row
#: rule when every row has the input: a city's people ledger has a million ID numbers).
COLUMN_RULES = (id_card_agrees,)
