"""统计表: the figures work reports cite, computed from the graph for the county, each street and each
community, each with its counting basis stated.

A figure is declared as data (``FIGURES``): the named query it counts (``queries/stat_*.cypher``, each
row an entity ``id`` with the ``anchor`` entity that places it, of the query's ``entity`` label), an
optional filter on the row, and how it is counted (distinct ids, or a ratio of two figures). Figures
"by kind" (compounds, grids, owners' bodies, service sites) expand into one line per kind found.
Rule-based coverage (包联, the 15-minute circle) comes from the coverage rules' roll-ups.

An entity placed in two communities (a leader of buildings in both) counts once in each and once
in the county: the county figure is always the number of distinct entities.

Examples
--------
>>> table = statistics(store)                                   # doctest: +SKIP
>>> figure(table, "building_leaders")["county"]                 # doctest: +SKIP
1315
>>> to_xlsx(table)[:2]                                          # doctest: +SKIP
b'PK'
"""
from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graph.store import GraphStore, Row
from queries import coverage
from queries.registry import ParameterError, registry

COUNTY = "全县"


@dataclass(frozen=True)
class Figure:
    key: str
    zh: str
    en: str
    unit: str
    basis: str
    query: str = ""
    where: Callable[[Row], bool] | None = None
    #: expand into one line per value of the row's ``kind``
    by_kind: bool = False
    #: a ratio of two other figures' values: (numerator key, denominator key, factor)
    ratio: tuple[str, str, float] | None = None
    #: coverage of a rule (its roll-up), in %
    rule: str | None = None


F = Figure
FIGURES: tuple[Figure, ...] = (
    F("communities", "城市社区", "Communities", "个", "社区台账中的社区数", "stat_communities"),
    F("households", "住户", "Households", "户", "住户台账中的户数", "stat_households"),
    F("compounds", "小区", "Compounds", "个", "小区台账中的小区数", "stat_compounds"),
    F("compounds_by_kind", "小区", "Compounds", "个", "按小区类型计数", "stat_compounds", by_kind=True),
    F("grids", "网格", "Grids", "个", "所有层级的网格数", "stat_grids"),
    F("grids_by_level", "网格", "Grids", "个", "按网格层级名称计数", "stat_grids", by_kind=True),
    F("grid_branches", "网格党支部", "Grid branches", "个", "负责网格的党支部（含小区(网格)党支部），按组织计",
      "stat_grid_branches"),
    F("branch_secretaries", "网格党支部书记", "Grid branch secretaries", "名", "任网格党支部书记的人，按人计",
      "stat_branch_secretaries"),
    F("party_groups", "楼栋党小组", "Building party groups", "个", "负责楼栋的党小组，按组织计", "stat_party_groups"),
    F("party_centre", "党员中心户", "Party-centre households", "户", "标为党员中心户的住户", "stat_households",
      lambda r: r["party_centre"]),
    F("building_leaders", "楼长", "Building leaders", "名", "任楼长的人，按人计（一人任多栋楼只计一次）",
      "stat_building_leaders"),
    F("building_leaders_in_service", "在职楼长", "In-service building leaders", "名", "“是否在职”为是的楼长，按人计",
      "stat_building_leaders", lambda r: r["in_service"]),
    F("red_leaders", "红色楼长", "Red building leaders", "名", "“红色楼长”为是的楼长，按人计", "stat_building_leaders",
      lambda r: r["red"]),
    F("unit_leaders", "单元长", "Unit leaders", "名", "任单元长的人，按人计", "stat_unit_leaders"),
    F("full_time_workers", "专职网格员", "Full-time grid workers", "名", "“专职”为是的网格员，按人计",
      "stat_grid_workers", lambda r: r["full_time"]),
    F("households_per_worker", "每名专职网格员服务户数", "Households per full-time worker", "户",
      "住户数 ÷ 专职网格员数", ratio=("households", "full_time_workers", 1.0)),
    F("street_leaders", "联系网格的街道领导", "Street leaders contacting grids", "名",
      "直接联系网格的街道（乡镇）领导班子成员，按人计", "stat_street_leaders"),
    F("units_reported", "报到单位", "Reporting units", "个", "向社区报到且未注销的单位；按报到的社区计",
      "stat_reported_units"),
    F("reported_members", "报到在职党员", "Reported members", "名",
      "到社区报到且未注销的党员，按报到的社区计，不按其单位或所在支部重复计数", "stat_reported_members"),
    F("paired_units", "结对共建单位", "Paired units", "个", "与社区签订结对共建协议的单位", "stat_paired_units"),
    F("owners_bodies_by_kind", "业委会（物管会）", "Owners' bodies", "个", "按类型计：业主委员会、物业管理委员会",
      "stat_owners_bodies", by_kind=True),
    F("compounds_with_owners_body", "成立业委会（物管会）的小区", "Compounds with an owners' body", "个",
      "有业主委员会或物业管理委员会治理的小区", "stat_compounds", lambda r: r["has_owners_body"]),
    F("owners_body_coverage", "业委会（物管会）覆盖率", "Owners' body coverage", "%",
      "成立业委会（物管会）的小区 ÷ 小区数", ratio=("compounds_with_owners_body", "compounds", 100.0)),
    F("property_companies", "物业服务企业", "Property companies", "家", "物业企业台账中的企业", "stat_companies"),
    F("company_own_branches", "物业企业单独党支部", "Own branches of property companies", "个",
      "以“单独组建”方式覆盖物业企业的党组织，按组织计", "stat_company_branches", lambda r: r["kind"] == "单独组建"),
    F("company_joint_branches", "物业企业联合党支部", "Joint branches of property companies", "个",
      "以“联合组建”方式覆盖物业企业的党组织，按组织计", "stat_company_branches", lambda r: r["kind"] == "联合组建"),
    F("company_instructors", "物业企业党建工作指导员", "Instructors in property companies", "名",
      "派驻物业企业的党建工作指导员，按人计", "stat_company_instructors"),
    F("companies_covered", "党的组织或工作覆盖的物业企业", "Property companies covered", "家",
      "有单独党支部、在联合党支部或有指导员的企业", "stat_companies",
      lambda r: r["own_branch"] or r["joint_branch"] or r["instructor"]),
    F("sites_by_kind", "党群服务阵地", "Service sites", "个", "按阵地类型计", "stat_sites", by_kind=True),
    F("volunteer_teams", "志愿服务队", "Volunteer teams", "支", "志愿服务队台账中的服务队", "stat_volunteer_teams"),
    F("volunteers", "志愿者", "Volunteers", "名", "服务队的志愿者，按人计", "stat_volunteers"),
    F("service_circle_coverage", "15分钟党群服务圈覆盖率", "15-minute circle coverage", "%",
      "规则 R15：在服务阵地服务半径（默认参数）内的楼栋占比", rule="R15"),
    F("link_coverage", "住户包联覆盖率", "Household link (包联) coverage", "%", "规则 R08：有党员包联的住户占比",
      rule="R08"),
)


def _places(store: GraphStore, label: str, communities: dict[str, Row]) -> dict[str, tuple[str | None, str | None]]:
    """anchor id → (street id, community id)."""
    if label == "Community":
        return {cid: (c["street_id"], cid) for cid, c in communities.items()}
    return {i: (c.get("street_id"), c.get("community_id")) for i, c in coverage.context(store, label).items()}


def statistics(store: GraphStore, community: str | None = None) -> list[Row]:
    """One row per figure (and per kind): ``key``, names, unit, basis, ``county``, ``areas`` (area id → value) and
    ``ids``: the entities counted (for a share: those of the whole not in it; for a rule: its gaps).

    With ``community`` (id or name) only that community's column is kept, beside the county's."""
    reg = registry()
    communities = {r["id"]: r for r in reg["stat_communities"].run(store)}
    streets = {c["street_id"]: c["street"] for c in communities.values() if c["street_id"]}
    if community is not None:
        match = [cid for cid, c in communities.items() if community in (cid, c["name"])]
        if not match:
            raise ParameterError(f"找不到社区“{community}”：可选 {'、'.join(c['name'] for c in communities.values())}")
    rows_of: dict[str, list[Row]] = {}
    places: dict[str, dict] = {}
    out: list[Row] = []
    values: dict[str, dict[str, Any]] = {}
    for f in FIGURES:
        if f.ratio or f.rule:
            continue
        q = reg[f.query]
        if f.query not in rows_of:
            rows_of[f.query] = q.run(store)
        if q.entity not in places:
            places[q.entity] = _places(store, q.entity, communities)
        where = places[q.entity]
        groups: dict[str | None, list[Row]] = defaultdict(list)
        for r in rows_of[f.query]:
            if f.where is None or f.where(r):
                groups[r.get("kind") if f.by_kind else None].append(r)
        if not groups:
            if f.by_kind:
                continue
            groups[None] = []
        for kind, rows in sorted(groups.items(), key=lambda x: str(x[0])):
            county: set = set()
            area: dict[str, set] = defaultdict(set)
            for r in rows:
                county.add(r["id"])
                street, comm = where.get(r.get("anchor"), (None, None)) if r.get("anchor") else (None, None)
                if street:
                    area[street].add(r["id"])
                if comm:
                    area[comm].add(r["id"])
            key = f"{f.key}:{kind}" if f.by_kind else f.key
            row = {"key": key, "figure": f"{f.zh}（{kind or '未填类型'}）" if f.by_kind else f.zh,
                   "figure_en": f"{f.en} ({kind})" if f.by_kind else f.en, "unit": f.unit, "basis": f.basis,
                   "county": len(county), "areas": {a: len(ids) for a, ids in area.items()}, "ids": sorted(county)}
            values[key] = row
            out.append(row)
    for f in FIGURES:
        if f.ratio:
            num, den, factor = f.ratio
            n, d = values.get(num), values.get(den)
            if not n or not d:
                continue
            ratio = lambda a, b: round(factor * a / b, 1) if b else None
            row = {"key": f.key, "figure": f.zh, "figure_en": f.en, "unit": f.unit, "basis": f.basis,
                   "county": ratio(n["county"], d["county"]),
                   "areas": {a: ratio(n["areas"].get(a, 0), v) for a, v in d["areas"].items()},
                   # behind a share: the entities of the whole that are not in the part
                   "ids": sorted(set(d["ids"]) - set(n["ids"])) if f.unit == "%" else []}
        elif f.rule:
            total, gaps = _rule_county(store, f.rule)
            areas = {r["area_id"]: r["coverage"] for by in ("street", "community")
                     for r in coverage.rollup(store, f.rule, by=by) if r["area_id"]}
            row = {"key": f.key, "figure": f.zh, "figure_en": f.en, "unit": f.unit, "basis": f.basis,
                   "county": total, "areas": areas, "ids": gaps}
        else:
            continue
        values[f.key] = row
        out.append(row)
    order = {f.key: i for i, f in enumerate(FIGURES)}
    out.sort(key=lambda r: order[r["key"].split(":")[0]])
    names = {**streets, **{cid: c["name"] for cid, c in communities.items()}}
    keep = list(streets) + list(communities)
    if community is not None:
        keep = match
    for r in out:
        r["areas"] = {a: r["areas"].get(a, 0 if r["unit"] != "%" else None) for a in keep}
        r["area_names"] = {a: names[a] for a in keep}
    return out


def _rule_county(store: GraphStore, rule_id: str) -> tuple[float | None, list[str]]:
    """(county coverage %, the rule's gaps)."""
    rows = coverage.rule(rule_id).run(store)
    gaps = sorted(str(r["id"]) for r in rows if r["violation"])
    return (round(100.0 * (1 - len(gaps) / len(rows)), 1) if rows else None), gaps


def figure(table: list[Row], key: str) -> Row:
    """The row of one figure (``compounds_by_kind:村建小区`` for a kind); unknown keys are errors."""
    for r in table:
        if r["key"] == key:
            return r
    raise ParameterError(f"统计表没有“{key}”：可选 {', '.join(r['key'] for r in table)}")


def flat(table: list[Row]) -> list[Row]:
    """The table as report rows: figure, unit, county, then one column per street and community, and the basis."""
    out = []
    for r in table:
        row = {"统计项": r["figure"], "单位": r["unit"], COUNTY: r["county"]}
        for a, v in r["areas"].items():
            row[r["area_names"][a]] = v
        row["统计口径"] = r["basis"]
        out.append(row)
    return out


def to_xlsx(table: list[Row], title: str = "统计表") -> bytes:
    """A report table: a title row, a header, one row per figure; numbers as numbers, text as text."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    rows = flat(table)
    headers = list(rows[0]) if rows else ["统计项", "单位", COUNTY, "统计口径"]
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(headers)
    thin = Side(style="thin", color="999999")
    for c in ws[2]:
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="F2DCDB")
    for r in rows:
        # text cells that look like formulas are written as text; figures are numbers
        ws.append([("'" + v if isinstance(v, str) and v[:1] in "=+-@" else v) for v in r.values()])
    for row in ws.iter_rows(min_row=2):
        for c in row:
            c.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions[ws.cell(2, len(headers)).column_letter].width = 60
    ws.freeze_panes = "D3"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
