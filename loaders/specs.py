"""Ledger specs: what each 台账 sheet holds, declared as data.

A spec maps Chinese column headers (English aliases accepted) to the model's properties and names
the columns that refer to other entities. Types, required flags and allowed values come from
``graph.model`` — a spec only says which column is which. One generic engine
(``loaders.engine``) reads, validates and writes every spec.

Two kinds of ledger:

* a **node ledger** writes one node per row (``label``) and, from its reference columns, the
  relationships to its parents (a building's compound, a grid's parent grid…);
* a **relationship ledger** writes one relationship per row between two existing (or co-loaded)
  nodes, with the relationship's properties (roles, 包联, 双报到…).

A reference column may allow several labels (a party organisation is responsible for a grid *or*
a building); the engine finds which one the id belongs to. ``many=True`` columns hold several ids
separated by 、 or commas.

Examples
--------
>>> spec = LEDGERS["buildings"]
>>> spec.zh, spec.label
('楼栋', 'Building')
>>> [c.header for c in spec.all_columns()][:3]
['楼栋编号', '楼栋名称', '地址']
"""
from __future__ import annotations

from dataclasses import dataclass, field

from graph.model import BOOKKEEPING, MODEL, Prop


@dataclass(frozen=True)
class Column:
    """A property column: header → model property."""

    header: str
    prop: str
    aliases: tuple[str, ...] = ()
    #: extra check beyond the type: "id_card", "mobile", "lat", "lon"
    check: str = ""
    required: bool | None = None  # None: as the model says
    note: str = ""


@dataclass(frozen=True)
class Ref:
    """A column naming other entities by id; it becomes a relationship."""

    header: str
    rel: str
    targets: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    required: bool = False
    many: bool = False
    #: the relationship points *to* the row's node instead of from it
    incoming: bool = False
    #: columns of this sheet that are properties of the relationship: header → property
    props: tuple[Column, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Ledger:
    name: str
    zh: str
    en: str
    doc: str
    #: node ledgers: the label written; relationship ledgers: None
    label: str | None = None
    key: Column | None = None
    columns: tuple[Column, ...] = ()
    refs: tuple[Ref, ...] = ()
    #: relationship ledgers: the type and its two ends
    rel: str | None = None
    start: Ref | None = None
    end: Ref | None = None
    #: groups of reference headers of which at least one must be filled
    one_of: tuple[tuple[str, ...], ...] = ()
    #: names of row rules in loaders.rules
    rules: tuple[str, ...] = ()
    aliases: tuple[str, ...] = field(default=())
    #: node ledgers that only update nodes already in the database (a returned task list): an
    #: unknown key is an error instead of a new node
    update_only: bool = False

    @property
    def is_node(self) -> bool:
        return self.label is not None

    def all_columns(self) -> list[Column | Ref]:
        """Every column in template order."""
        if self.is_node:
            out: list[Column | Ref] = [self.key, *self.columns]
            for r in self.refs:
                out += [r, *r.props]
            return out
        return [self.start, self.end, *self.columns]

    def prop_of(self, col: Column) -> Prop:
        """The model property a plain column fills (the node's, or for relationship ledgers the type's)."""
        if self.is_node:
            owner = MODEL.node(self.label)
            if col.prop in {p.name for p in owner.all_props}:
                return owner.prop(col.prop)
        for r in self.refs:
            if col in r.props:
                return MODEL.rel(r.rel).prop(col.prop)
        return MODEL.rel(self.rel).prop(col.prop)

    def is_required(self, col: Column | Ref) -> bool:
        if isinstance(col, Ref):
            return col.required
        if col.required is not None:
            return col.required
        return self.prop_of(col).required

    def rel_types(self) -> set[str]:
        return {self.rel} if self.rel else {r.rel for r in self.refs}


C = Column


def key(header: str) -> Column:
    return Column(header, "id", ("编号", "id", "ID", "代码"), required=True)


def name(header: str = "名称") -> Column:
    return Column(header, "name", ("名称", "name", "Name"))


LAT = Column("纬度", "lat", ("lat", "latitude", "Latitude"), check="lat")
LON = Column("经度", "lon", ("lon", "lng", "longitude", "Longitude"), check="lon")
ADDRESS = Column("地址", "address", ("address", "Address"))
SINCE = Column("起始日期", "since", ("since", "Since", "开始日期", "任职日期"))
PHONE = Column("联系电话", "phone", ("phone", "Phone", "电话", "手机号"), check="mobile")

NODE_LEDGERS = (
    Ledger("counties", "县区", "Counties", "the county (区) this deployment covers", "County", key("县区编号"),
           (name(), C("省", "province", ("province",)), C("市", "city", ("city",)))),
    Ledger("streets", "街道乡镇", "Streets", "streets (sub-districts) and townships", "Street", key("街道编号"),
           (name(), C("类型", "kind", ("kind", "街道类型"))),
           (Ref("所属县区编号", "PART_OF", ("County",), ("county_id", "县区编号")),)),
    Ledger("communities", "社区", "Communities", "urban residents' communities", "Community", key("社区编号"),
           (name(), ADDRESS, PHONE),
           (Ref("所属街道编号", "PART_OF", ("Street",), ("street_id", "街道编号"), required=True),)),
    Ledger("compounds", "小区", "Compounds", "residential compounds by kind (大产权/村建/单位家属)", "Compound",
           key("小区编号"),
           (name(), C("小区类型", "kind", ("kind", "类型")), ADDRESS, LAT, LON, C("建成年份", "built_year", ("built_year",))),
           (Ref("所属社区编号", "PART_OF", ("Community",), ("community_id", "社区编号"), required=True),)),
    Ledger("buildings", "楼栋", "Buildings", "buildings with WGS-84 coordinates; in a compound or directly in a community",
           "Building", key("楼栋编号"),
           (name("楼栋名称"), ADDRESS, LAT, LON, C("层数", "floors", ("floors",))),
           (Ref("所属小区编号", "PART_OF", ("Compound",), ("compound_id", "小区编号")),
            Ref("所属社区编号", "PART_OF", ("Community",), ("community_id", "社区编号"),
                note="不属于任何小区的散居楼栋填写所属社区")),
           one_of=(("所属小区编号", "所属社区编号"),), rules=("building_in_one_place",)),
    Ledger("units", "单元", "Units", "entrances / stairwells of a building", "Unit", key("单元编号"),
           (name("单元名称"),),
           (Ref("所属楼栋编号", "PART_OF", ("Building",), ("building_id", "楼栋编号"), required=True),)),
    Ledger("households", "住户", "Households", "households; special groups and party-centre households", "Household",
           key("住户编号"),
           (C("门牌地址", "address", ("address", "地址")), C("房号", "room", ("room",)),
            C("户主姓名", "head_name", ("head_name", "户主")), PHONE, C("常住人数", "residents", ("residents", "人数")),
            C("特殊群体", "special_groups", ("special_groups",), note="多个用顿号分隔，如：独居老人、低保户"),
            C("党员中心户", "party_centre", ("party_centre",), note="是/否")),
           (Ref("所属单元编号", "PART_OF", ("Unit",), ("unit_id", "单元编号"), required=True),
            Ref("中心户所属党组织编号", "CENTRE_HOUSEHOLD_OF", ("PartyOrg",), ("centre_org_id",),
                note="党员中心户所在的楼栋党小组（或网格党支部）")),
           rules=("centre_needs_flag",)),
    Ledger("grids", "网格", "Grids", "grids at every level, with their parent grid and community", "Grid",
           key("网格编号"),
           (name(), C("层级", "level", ("level",), note="1为最高一级"), C("层级名称", "level_name", ("level_name",)),
            C("多网合一", "merged", ("merged", "综合网格"))),
           (Ref("上级网格编号", "SUBGRID_OF", ("Grid",), ("parent_grid_id",)),
            Ref("所属社区编号", "GRID_OF", ("Community", "Street"), ("community_id", "社区编号", "所属社区（街道）编号"),
                note="一级网格可填所属街道编号")),
           one_of=(("上级网格编号", "所属社区编号"),), rules=("grid_not_its_own_parent",)),
    Ledger("party_orgs", "党组织", "Party organisations", "every party organisation, its parent and what it is responsible for",
           "PartyOrg", key("党组织编号"),
           (name(), C("组织类别", "kind", ("kind", "类别")), C("设置方式", "function", ("function",)),
            C("层级称谓", "tier_name", ("tier_name",), note="如：小区(网格)党支部、楼栋党小组"),
            C("大党委", "big_committee", ("big_committee",)), C("成立日期", "founded", ("founded",))),
           (Ref("上级党组织编号", "SUBORDINATE_TO", ("PartyOrg",), ("parent_org_id",)),
            Ref("负责对象编号", "RESPONSIBLE_FOR", ("County", "Street", "Community", "Grid", "Compound", "Building", "Unit"),
                ("responsible_for",), many=True, note="所负责的街道/社区/网格/小区/楼栋/单元编号，多个用顿号分隔")),
           rules=("org_not_its_own_parent",)),
    Ledger("people", "人员", "People", "party members of every kind and non-members in roles", "Person",
           key("人员编号"),
           (name("姓名"), C("性别", "gender", ("gender",)), C("身份证号", "id_card", ("id_card", "身份证"), check="id_card"),
            C("手机号", "phone", ("phone", "mobile", "联系电话"), check="mobile"),
            C("出生日期", "birth_date", ("birth_date",)), C("是否党员", "is_member", ("is_member", "党员")),
            C("党员类别", "member_kind", ("member_kind",)), C("入党日期", "joined_party", ("joined_party",))),
           (Ref("组织关系所在党组织编号", "MEMBER_OF", ("PartyOrg",), ("party_org_id", "所在党组织编号")),
            Ref("工作单位编号", "WORKS_AT", ("Organization", "PropertyCompany"), ("work_unit_id",),
                props=(C("职务", "post", ("post",)),)),
            Ref("居住户编号", "LIVES_IN", ("Household",), ("household_id", "住户编号"),
                props=(C("是否户主", "is_head", ("is_head",)),))),
           rules=("member_fields_need_member", "in_service_needs_work_unit", "joined_after_birth")),
    Ledger("organizations", "单位", "Organisations", "co-building and resident units", "Organization",
           key("单位编号"),
           (name("单位名称"), C("单位性质", "kind", ("kind",)), C("隶属层级", "level", ("level",)),
            C("统一社会信用代码", "credit_code", ("credit_code",)), ADDRESS)),
    Ledger("property_companies", "物业企业", "Property companies", "property service companies", "PropertyCompany",
           key("物业企业编号"),
           (name("企业名称"), C("统一社会信用代码", "credit_code", ("credit_code",)), PHONE)),
    Ledger("owners_bodies", "业委会物管会", "Owners' bodies", "owners' committees and property management committees",
           "OwnersBody", key("业委会编号"),
           (name(), C("类型", "kind", ("kind",)), C("成员数", "members", ("members",)),
            C("其中党员数", "party_members", ("party_members", "党员数")), C("成立日期", "founded", ("founded",))),
           (Ref("所在小区编号", "GOVERNS", ("Compound",), ("compound_id", "小区编号"), required=True,
                props=(C("是否自管", "self_managed", ("self_managed", "自管"), note="物管会自行管理小区填“是”"),)),),
           rules=("party_members_not_more_than_members",)),
    Ledger("service_sites", "服务阵地", "Service sites", "party-mass service centres, stations, posts and points",
           "ServiceSite", key("阵地编号"),
           (name(), C("阵地类型", "kind", ("kind", "类型")), ADDRESS,
            Column("纬度", "lat", LAT.aliases, check="lat"), Column("经度", "lon", LON.aliases, check="lon"),
            C("开放时间", "hours", ("hours",))),
           (Ref("所在社区编号", "PART_OF", ("Community", "Street", "Compound"), ("community_id", "所在区域编号")),
            Ref("运营主体编号", "RUN_BY", ("PartyOrg", "Organization", "PropertyCompany"), ("run_by",)))),
    Ledger("volunteer_teams", "志愿服务队", "Volunteer teams", "community volunteer teams", "VolunteerTeam",
           key("服务队编号"), (name(), C("类型", "kind", ("kind",))),
           (Ref("所属社区编号", "PART_OF", ("Community",), ("community_id",)),)),
)


# The rectification ledger (cases/): the full 整改台账 is written by orgnet itself when a load opens,
# fixes or reopens cases; a community returns its 整改任务清单 with the status columns filled in.
# Both go through the engine like every other ledger, so they are validated, archived and replayed
# by a rebuild.
_CASE_OWNER = Ref("责任主体编号", "CASE_OWNER", ("Person", "PartyOrg", "Organization", "Community", "Street", "Grid"),
                  ("owner_id", "责任人编号", "责任单位编号"),
                  note="负责整改的人员或组织的编号（人员、党组织、单位、社区、街道或网格）")
_CASE_STATUS = C("状态", "status", ("status", "整改状态"), note="待整改 / 整改中 / 已整改待核验 / 已销号 / 不适用")
_CASE_REASON = C("不适用理由", "reason", ("reason", "理由"), note="状态为“不适用”时必填")
_CASE_DEADLINE = C("整改期限", "deadline", ("deadline", "期限"))
_CASE_NOTES = C("备注", "notes", ("notes", "整改情况"))
CASE_LEDGERS = (
    Ledger("cases", "整改台账", "Rectification ledger",
           "every coverage gap as a case (written by orgnet when a load opens, fixes or reopens cases)", "Rectification",
           key("案件编号"),
           (C("规则", "rule", ("rule",)), C("对象类别", "entity_label", ("entity_label",)),
            C("对象编号", "entity_id", ("entity_id",)), C("对象名称", "entity_name", ("entity_name",)),
            C("问题", "problem", ("problem",)), C("整改办法", "remedy", ("remedy", "怎么整改")),
            C("街道编号", "street_id", ("street_id",)), C("街道", "street", ("street",)),
            C("社区编号", "community_id", ("community_id",)), C("社区", "community", ("community",)),
            C("网格", "grid", ("grid",)), _CASE_STATUS, _CASE_REASON, _CASE_DEADLINE, _CASE_NOTES,
            C("发现批次", "opened_load", ("opened_load",)), C("发现日期", "opened_on", ("opened_on",)),
            C("整改批次", "fixed_load", ("fixed_load",)), C("缺口仍在", "gap_present", ("gap_present",)),
            C("重开次数", "reopened", ("reopened",)), C("核验人", "checked_by", ("checked_by",))),
           (_CASE_OWNER,), rules=("not_applicable_needs_reason",)),
    Ledger("case_returns", "整改任务清单", "Rectification task list",
           "a community's task list returned with status, deadline, owner and notes filled in", "Rectification",
           key("案件编号"), (_CASE_STATUS, _CASE_REASON, _CASE_DEADLINE, _CASE_NOTES), (_CASE_OWNER,),
           rules=("not_applicable_needs_reason", "returned_case_not_closed"), aliases=("任务清单",),
           update_only=True),
)

def _person(header: str = "人员编号") -> Ref:
    return Ref(header, "", ("Person",), ("person_id", "人员编号", "党员编号"), required=True)


def rel_ledger(name: str, zh: str, en: str, doc: str, rel: str, start: Ref, end: Ref,
               columns: tuple[Column, ...] = (), rules: tuple[str, ...] = ()) -> Ledger:
    return Ledger(name, zh, en, doc, rel=rel, start=start, end=end, columns=columns, rules=rules)


def _end(header: str, targets: tuple[str, ...], *aliases: str) -> Ref:
    return Ref(header, "", targets, aliases, required=True)


REL_LEDGERS = (
    rel_ledger("grid_coverage", "网格覆盖", "Grid coverage", "which compounds, buildings or units a grid covers",
               "COVERS", _end("网格编号", ("Grid",), "grid_id"),
               _end("覆盖对象编号", ("Compound", "Building", "Unit"), "target_id", "楼栋编号", "小区编号")),
    rel_ledger("grid_workers", "网格员", "Grid workers", "grid workers, full-time (专职) or part-time (兼职)",
               "GRID_WORKER_OF", _person(), _end("网格编号", ("Grid",), "grid_id"),
               (C("是否专职", "full_time", ("full_time", "专职")), SINCE)),
    rel_ledger("building_leaders", "楼长", "Building leaders", "building leaders; 双楼长: one in service, one not",
               "BUILDING_LEADER_OF", _person(), _end("楼栋编号", ("Building",), "building_id"),
               (C("是否在职", "in_service", ("in_service", "在职")), C("红色楼长", "red", ("red",)), SINCE),
               rules=("red_leader_in_service",)),
    rel_ledger("unit_leaders", "单元长", "Unit leaders", "unit leaders", "UNIT_LEADER_OF", _person(),
               _end("单元编号", ("Unit",), "unit_id"), (SINCE,)),
    rel_ledger("officers", "党组织任职", "Party officers", "secretaries, group leaders, committee members",
               "OFFICER_OF", _person(), _end("党组织编号", ("PartyOrg",), "party_org_id"),
               (C("职务", "role", ("role",)), C("是否兼职", "part_time", ("part_time", "兼职")), SINCE)),
    rel_ledger("grid_contacts", "领导联系网格", "Leaders contacting grids", "street leaders directly linked to grids",
               "CONTACTS_GRID", _person(), _end("网格编号", ("Grid",), "grid_id"), (SINCE,)),
    rel_ledger("community_workers", "社区工作者", "Community workers", "paid community staff", "COMMUNITY_WORKER_OF",
               _person(), _end("社区编号", ("Community",), "community_id"),
               (C("岗位", "post", ("post",)), C("等级", "grade", ("grade",)), SINCE)),
    rel_ledger("instructors", "党建指导员", "Party-building instructors",
               "instructors dispatched to companies or owners' bodies without their own branch", "INSTRUCTOR_OF",
               _person(), _end("指导对象编号", ("PropertyCompany", "OwnersBody", "Organization"), "target_id", "物业企业编号"),
               (SINCE,)),
    rel_ledger("volunteers", "志愿者", "Volunteers", "volunteers and their teams", "VOLUNTEERS_IN", _person(),
               _end("志愿服务队编号", ("VolunteerTeam",), "team_id", "服务队编号")),
    rel_ledger("reports", "双报到", "Dual reporting", "单位报到 and 个人报到 to a community", "REPORTED_TO",
               _end("报到主体编号", ("Organization", "Person"), "reporter_id", "单位或人员编号"),
               _end("社区编号", ("Community",), "community_id"),
               (C("报到日期", "date", ("date",)), C("状态", "status", ("status",)))),
    rel_ledger("assignments", "编入", "Assignments", "reported members placed into a grid branch or party group",
               "ASSIGNED_TO", _person(), _end("党组织编号", ("PartyOrg",), "party_org_id"),
               (Column("编入日期", "since", ("since", "起始日期")),)),
    rel_ledger("pairings", "结对共建", "Co-building agreements", "signed agreements with the three lists", "PAIRED_WITH",
               _end("单位编号", ("Organization",), "organization_id"), _end("社区编号", ("Community",), "community_id"),
               (C("签订日期", "signed", ("signed",)), C("需求清单", "needs", ("needs",)),
                C("资源清单", "resources", ("resources",)), C("项目清单", "projects", ("projects",)))),
    rel_ledger("committee_seats", "大党委成员单位", "Joint-committee seats", "units seated on a community 大党委",
               "SEAT_ON", _end("单位编号", ("Organization",), "organization_id"),
               _end("党组织编号", ("PartyOrg",), "party_org_id"), (SINCE,)),
    rel_ledger("links", "包联", "Member-household links", "members and unit leaders looking after households",
               "LINKED_TO", _person(), _end("住户编号", ("Household",), "household_id"),
               (C("包联类型", "kind", ("kind",)), SINCE)),
    rel_ledger("property_service", "物业服务", "Property service", "which company serves which compound", "MANAGES",
               _end("物业企业编号", ("PropertyCompany",), "company_id"), _end("小区编号", ("Compound",), "compound_id"),
               (C("服务方式", "mode", ("mode",)), SINCE)),
    rel_ledger("org_coverage", "单位党组织", "Party coverage of units",
               "the party organisation of a unit, property company or owners' body (单建 or 联建)", "PARTY_ORG_OF",
               _end("党组织编号", ("PartyOrg",), "party_org_id"),
               _end("单位编号", ("Organization", "PropertyCompany", "OwnersBody"), "unit_id", "物业企业编号", "业委会编号"),
               (C("组建方式", "mode", ("mode",)),)),
)

LEDGERS: dict[str, Ledger] = {spec.name: spec for spec in NODE_LEDGERS + REL_LEDGERS + CASE_LEDGERS}


def _check() -> None:
    """Every spec column must name a real property and every reference a real relationship pair."""
    covered: set[str] = set()
    for spec in LEDGERS.values():
        headers = [c.header for c in spec.all_columns()]
        if len(headers) != len(set(headers)):
            raise ValueError(f"ledger {spec.name}: duplicate headers")
        for col in spec.all_columns():
            if isinstance(col, Column):
                spec.prop_of(col)  # raises KeyError on an unknown property
        if spec.is_node:
            for r in spec.refs:
                rel = MODEL.rel(r.rel)
                for t in r.targets:
                    pair = (t, spec.label) if r.incoming else (spec.label, t)
                    if not rel.allows(*pair):
                        raise ValueError(f"ledger {spec.name}: {r.rel} does not allow {pair}")
        else:
            rel = MODEL.rel(spec.rel)
            for a in spec.start.targets:
                for b in spec.end.targets:
                    if not rel.allows(a, b):
                        raise ValueError(f"ledger {spec.name}: {spec.rel} does not allow ({a}, {b})")
        covered |= spec.rel_types()
        if spec.is_node:
            covered.add(spec.label)
    missing = (set(MODEL.labels) - set(BOOKKEEPING) | set(MODEL.rel_types)) - covered
    if missing:
        raise ValueError(f"no ledger writes {sorted(missing)}")


_check()
