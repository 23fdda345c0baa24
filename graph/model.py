"""The organisation-network model: the one source of truth.

Every node label and relationship type orgnet knows is declared here, with its key, typed
properties, Chinese and English display names and a one-line meaning. The Kùzu DDL, the Neo4j
constraints, ``docs/model.md``, the Cypher linter's schema and the loaders' validation are all
derived from this module (see ``graph.schema``); nothing about the model is written twice.

Conventions
-----------
* One label per node (Kùzu tables are single-label); a node's *kind* is a property.
* Every node has a ``STRING`` key ``id`` chosen by the ledgers (orgnet's own ids).
* Properties are snake_case; labels PascalCase; relationship types UPPER_SNAKE.
* Every node and relationship carries provenance (``src_*``): which load, file, sheet and row
  it came from, so the database can be audited and rebuilt from the archived ledgers.
* A relationship is identified by (type, start node, end node): at most one of each type
  between two nodes, so re-loading a ledger never duplicates it.

Examples
--------
>>> from graph.model import MODEL
>>> MODEL.node("Building").zh
'楼栋'
>>> sorted(MODEL.rel("LINKED_TO").starts), sorted(MODEL.rel("LINKED_TO").ends)
(['Person'], ['Household'])
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

#: Property types understood by both stores (Kùzu names; Neo4j accepts the values as they are).
TYPES = ("STRING", "INT64", "DOUBLE", "BOOL", "DATE", "TIMESTAMP", "STRING[]")
#: kinds of personal data a property can hold (``Prop.personal``); each has its own mask
PERSONAL_KINDS = ("name", "phone", "id_card", "address", "birth_date")


@dataclass(frozen=True)
class Prop:
    """One typed property of a node label or relationship type."""

    name: str
    type: str
    zh: str
    en: str
    doc: str = ""
    required: bool = False
    #: allowed values (for ``STRING`` or each element of ``STRING[]``); empty = free text
    values: tuple[str, ...] = ()
    #: what kind of personal data the value is ("name", "phone", "id_card", "address", "birth_date"),
    #: empty for non-personal data; ``access.masking`` masks every result by this mark
    personal: str = ""
    #: computed from the graph by the stores (``graph.derived``), never read from a ledger
    derived: bool = False

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"property {self.name}: unknown type {self.type!r}; use one of {TYPES}")
        if self.personal and self.personal not in PERSONAL_KINDS:
            raise ValueError(f"property {self.name}: unknown personal kind {self.personal!r}; use one of {PERSONAL_KINDS}")


class _HasProps:
    """Property lookup shared by node labels and relationship types."""

    all_props: tuple[Prop, ...]

    @property
    def name(self) -> str:
        return getattr(self, "label", None) or getattr(self, "type")

    def prop(self, name: str) -> Prop:
        for p in self.all_props:
            if p.name == name:
                return p
        raise KeyError(f"{self.name} has no property {name!r}")


@dataclass(frozen=True)
class NodeType(_HasProps):
    """A node label with its key property ``id`` and typed properties."""

    label: str
    zh: str
    en: str
    doc: str
    props: tuple[Prop, ...]
    key: str = "id"

    @cached_property
    def all_props(self) -> tuple[Prop, ...]:
        """Key, declared properties and provenance, in table order."""
        key = Prop(self.key, "STRING", "编号", "ID", "orgnet's own id, unique per label", required=True)
        return (key, *self.props, *PROVENANCE)


@dataclass(frozen=True)
class RelType(_HasProps):
    """A relationship type: the (start label, end label) pairs it may join, and its properties."""

    type: str
    zh: str
    en: str
    doc: str
    pairs: tuple[tuple[str, str], ...]
    props: tuple[Prop, ...] = ()

    @cached_property
    def all_props(self) -> tuple[Prop, ...]:
        return (*self.props, *PROVENANCE)

    @property
    def starts(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a for a, _ in self.pairs))

    @property
    def ends(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(b for _, b in self.pairs))

    def allows(self, start: str, end: str) -> bool:
        return (start, end) in self.pairs


@dataclass(frozen=True)
class Model:
    nodes: tuple[NodeType, ...]
    rels: tuple[RelType, ...]
    _by_label: dict = field(init=False, repr=False, compare=False)
    _by_type: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_label", {n.label: n for n in self.nodes})
        object.__setattr__(self, "_by_type", {r.type: r for r in self.rels})
        self.check()

    def node(self, label: str) -> NodeType:
        try:
            return self._by_label[label]
        except KeyError:
            raise KeyError(f"unknown node label {label!r}; the model has {', '.join(self._by_label)}") from None

    def rel(self, type_: str) -> RelType:
        try:
            return self._by_type[type_]
        except KeyError:
            raise KeyError(f"unknown relationship type {type_!r}; the model has {', '.join(self._by_type)}") from None

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self._by_label)

    @property
    def rel_types(self) -> tuple[str, ...]:
        return tuple(self._by_type)

    def property_keys(self) -> tuple[str, ...]:
        keys: dict[str, None] = {}
        for n in self.nodes:
            keys.update((p.name, None) for p in n.all_props)
        for r in self.rels:
            keys.update((p.name, None) for p in r.all_props)
        return tuple(keys)

    def personal_props(self) -> dict[tuple[str, str], str]:
        """(label or type, property) → personal kind, for every property marked personal."""
        out = {}
        for t in (*self.nodes, *self.rels):
            out.update({(t.name, p.name): p.personal for p in t.all_props if p.personal})
        return out

    def check(self) -> None:
        """Fail early on a model that could not be created in both stores."""
        for n in self.nodes:
            names = [p.name for p in n.all_props]
            if len(names) != len(set(names)):
                raise ValueError(f"{n.label}: duplicate property names")
        for r in self.rels:
            for a, b in r.pairs:
                if a not in self._by_label or b not in self._by_label:
                    raise ValueError(f"{r.type}: pair ({a}, {b}) names an unknown label")
            if len(set(r.pairs)) != len(r.pairs):
                raise ValueError(f"{r.type}: duplicate pairs")


def P(name: str, type_: str, zh: str, en: str, doc: str = "", *, required: bool = False,
      values: tuple[str, ...] = (), personal: str = "", derived: bool = False) -> Prop:
    return Prop(name, type_, zh, en, doc, required, tuple(values), personal, derived)


PROVENANCE = (
    P("src_load", "STRING", "导入批次", "Load", "id of the load that last wrote this"),
    P("src_file", "STRING", "来源文件", "Source file", "ledger file name"),
    P("src_sheet", "STRING", "来源工作表", "Source sheet", "sheet name (empty for CSV)"),
    P("src_row", "INT64", "来源行号", "Source row", "row number as Excel shows it (header = 1)"),
    P("src_hash", "STRING", "来源行指纹", "Row fingerprint",
      "fingerprint of the row's raw cells (graph.fingerprint): a re-load parses only rows whose fingerprint is new"),
)

# --- Allowed values, taken from the glossary and the seed reports --------------------------------
STREET_KINDS = ("街道", "镇", "乡")
COMPOUND_KINDS = ("大产权小区", "村建小区", "单位家属小区", "老旧小区", "其他")
GRID_LEVEL_NAMES = ("一级网格", "二级网格", "三级网格", "大网格", "中网格", "小网格", "微网格",
                    "基础网格", "专属网格")
SPECIAL_GROUPS = ("独居老人", "空巢老人", "高龄老人", "残疾人", "低保户", "特困人员", "留守儿童",
                  "困境儿童", "重病患者", "优抚对象", "困难户")
PARTY_ORG_KINDS = ("党工委", "党委", "党总支", "党支部", "党小组")
PARTY_ORG_FUNCTIONS = ("街道", "乡镇", "社区", "社区大党委", "小区", "网格", "小区(网格)", "楼栋",
                       "单元", "功能型", "联合", "行业", "机关", "事业单位", "企业", "物业企业",
                       "业委会", "物管会", "社会组织", "新业态", "其他")
MEMBER_KINDS = ("社区党员", "在职党员", "退休党员", "新发展党员", "流动党员")
ORG_KINDS = ("党政机关", "事业单位", "国有企业", "非公企业", "社会组织", "群团组织", "其他")
ORG_LEVELS = ("县直", "上级驻县", "乡镇街道", "社区", "其他")
OWNERS_BODY_KINDS = ("业主委员会", "物业管理委员会")
SITE_KINDS = ("党群服务中心", "党群服务站", "红色驿站", "青蜂驿站", "城市驿站", "网格驿站",
              "党群服务点", "小区党群服务站", "志愿服务站", "其他")
OFFICER_ROLES = ("书记", "副书记", "委员", "兼职委员", "组长", "副组长", "指导员")
LINK_KINDS = ("普通住户", "特殊群体", "困难户", "党员中心户联系户")
COVERAGE_MODES = ("单独组建", "联合组建")
REPORT_STATUS = ("已报到", "已注销")
#: the rectification ledger's case states, in the order a case normally moves through them
CASE_STATUS = ("待整改", "整改中", "已整改待核验", "已销号", "不适用")

N = NodeType
R = RelType
NODES: tuple[NodeType, ...] = (
    # --- territory -------------------------------------------------------------------------------
    N("County", "县（区）", "County", "top administrative area of one deployment", (
        P("name", "STRING", "名称", "Name", required=True),
        P("province", "STRING", "省", "Province"),
        P("city", "STRING", "市", "City"),
    )),
    N("Street", "街道（乡镇）", "Street / township", "sub-district or township below the county", (
        P("name", "STRING", "名称", "Name", required=True),
        P("kind", "STRING", "类型", "Kind", values=STREET_KINDS),
    )),
    N("Community", "社区", "Community", "urban residents' community (居委会 area)", (
        P("name", "STRING", "名称", "Name", required=True),
        P("address", "STRING", "地址", "Address"),
        P("phone", "STRING", "联系电话", "Phone"),
    )),
    N("Compound", "小区", "Compound", "residential compound; kind by ownership", (
        P("name", "STRING", "名称", "Name", required=True),
        P("kind", "STRING", "小区类型", "Kind", values=COMPOUND_KINDS),
        P("address", "STRING", "地址", "Address"),
        P("lat", "DOUBLE", "纬度", "Latitude", "WGS-84"),
        P("lon", "DOUBLE", "经度", "Longitude", "WGS-84"),
        P("built_year", "INT64", "建成年份", "Year built"),
    )),
    N("Building", "楼栋", "Building", "residential building, located by WGS-84 coordinates", (
        P("name", "STRING", "楼栋名称", "Name", "e.g. 3号楼", required=True),
        P("address", "STRING", "地址", "Address"),
        P("lat", "DOUBLE", "纬度", "Latitude", "WGS-84"),
        P("lon", "DOUBLE", "经度", "Longitude", "WGS-84"),
        P("floors", "INT64", "层数", "Floors"),
        P("households", "INT64", "户数", "Households",
          "derived: households in the building's units (rule R17A)", derived=True),
        P("grids", "INT64", "覆盖网格数", "Covering grids",
          "derived: whether grids cover this building, one of its units or its compound: 0 when none does (rule R17A)", derived=True),
        P("leaders_in_service", "INT64", "在职楼长数", "Leaders in service",
          "derived: building leaders in service (rules R03A/B)", derived=True),
        P("leaders_not_in_service", "INT64", "非在职楼长数", "Leaders not in service",
          "derived: building leaders not in service (rules R03A/B)", derived=True),
        P("nearest_site_m", "DOUBLE", "最近阵地距离（米）", "Nearest site (m)",
          "derived: great-circle distance to the nearest service site, empty without coordinates or sites (rule R15)", derived=True),
    )),
    N("Unit", "单元", "Unit (entrance)", "stairwell / entrance of a building", (
        P("name", "STRING", "单元名称", "Name", "e.g. 2单元", required=True),
        P("chain_ok", "BOOL", "责任链通达街道", "Chain reaches the street",
          "derived: an organisation whose chain reaches a street looks after this unit, its building, compound, "
          "community or a grid covering them (rule R16)", derived=True),
        P("households", "INT64", "户数", "Households",
          "derived: households in this unit (rules R05A/B, R17A)", derived=True),
        P("grids", "INT64", "覆盖网格数", "Covering grids",
          "derived: grids covering this unit, its building or its compound; -1 when the unit is in no building (rule R17B)", derived=True),
        P("leaders", "INT64", "单元长数", "Unit leaders",
          "derived: people who lead this unit (rule R04A)", derived=True),
        P("nonmember_leaders", "INT64", "非党员单元长数", "Non-member leaders",
          "derived: unit leaders who are not party members (rule R04B)", derived=True),
    )),
    N("Household", "户", "Household", "one dwelling; the leaf of the territorial tree", (
        P("address", "STRING", "门牌地址", "Address", "e.g. 和园小区3号楼2单元501", required=True,
          personal="address"),
        P("room", "STRING", "房号", "Room", personal="address"),
        P("head_name", "STRING", "户主姓名", "Head of household", personal="name"),
        P("phone", "STRING", "联系电话", "Phone", personal="phone"),
        P("residents", "INT64", "常住人数", "Residents"),
        P("special_groups", "STRING[]", "特殊群体", "Special groups",
          "categories of special-group residents; empty for an ordinary household", values=SPECIAL_GROUPS),
        P("party_centre", "BOOL", "党员中心户", "Party-centre household",
          "a trusted member's household that serves its neighbours"),
        P("chain_ok", "BOOL", "责任链通达街道", "Chain reaches the street",
          "derived: the household's unit has a chain reaching the street (Unit.chain_ok; rule R16)", derived=True),
        P("member_links", "INT64", "包联党员数", "Linked members",
          "derived: party members linked to this household (rule R08)", derived=True),
        P("carer_links", "INT64", "包联党员或单元长数", "Linked members or unit leaders",
          "derived: people linked to this household who are members or unit leaders (rule R07)", derived=True),
        P("grids", "INT64", "覆盖网格数", "Covering grids",
          "derived: Unit.grids of the household's unit; -1 when it is in no unit of a building (rule R17B)", derived=True),
    )),
    N("Grid", "网格", "Grid", "governance grid at any level (一级…微网格); merged grids included", (
        P("name", "STRING", "名称", "Name", required=True),
        P("level", "INT64", "层级", "Level", "1 = top; larger = finer"),
        P("level_name", "STRING", "层级名称", "Level name", "as the county words it", values=GRID_LEVEL_NAMES),
        P("merged", "BOOL", "多网合一", "Merged grid", "one grid for party-building, security, civil affairs"),
        P("households", "INT64", "户数", "Households",
          "derived: households the grid covers through units, buildings or compounds, each once (rules R05A/B)", derived=True),
        P("covering", "BOOL", "有覆盖范围", "Covers something",
          "derived: the grid covers at least one unit, building or compound (rule R05A)", derived=True),
        P("full_time_workers", "INT64", "专职网格员数", "Full-time workers",
          "derived: full-time grid workers (rules R05A/B)", derived=True),
        P("workers", "INT64", "网格员数", "Grid workers",
          "derived: grid workers, full- or part-time (rule R05B)", derived=True),
    )),
    # --- party organisations -----------------------------------------------------------------------
    N("PartyOrg", "党组织", "Party organisation",
      "党工委/党委/党总支/党支部/党小组, of a territory, grid, unit, company or owners' body", (
        P("name", "STRING", "名称", "Name", required=True),
        P("kind", "STRING", "组织类别", "Kind", required=True, values=PARTY_ORG_KINDS),
        P("function", "STRING", "设置方式", "Set up as", "where or how it is set up", values=PARTY_ORG_FUNCTIONS),
        P("tier_name", "STRING", "层级称谓", "Tier name", "the county's own wording, e.g. 小区(网格)党支部"),
        P("big_committee", "BOOL", "大党委", "Joint committee", "a community 大党委 seating part-time members"),
        P("founded", "DATE", "成立日期", "Founded"),
        P("chain_ok", "BOOL", "上级链通达街道", "Chain reaches the street",
          "derived: this organisation or a superior up to six levels up is responsible for a street", derived=True),
    )),
    # --- people --------------------------------------------------------------------------------------
    N("Person", "人员", "Person", "a party member of any kind or a non-member in a role", (
        P("name", "STRING", "姓名", "Name", required=True, personal="name"),
        P("gender", "STRING", "性别", "Gender", values=("男", "女")),
        P("id_card", "STRING", "身份证号", "ID card number", personal="id_card"),
        P("phone", "STRING", "手机号", "Mobile", personal="phone"),
        P("birth_date", "DATE", "出生日期", "Date of birth", personal="birth_date"),
        P("is_member", "BOOL", "是否党员", "Party member", required=True),
        P("member_kind", "STRING", "党员类别", "Member kind", values=MEMBER_KINDS),
        P("joined_party", "DATE", "入党日期", "Joined the party"),
        P("links", "INT64", "包联户数", "Linked households",
          "derived: households this person is linked to (rules R09, R10B)", derived=True),
        P("reported", "BOOL", "已到社区报到", "Reported to a community",
          "derived: the person reported to a community (rules R10A/B, R11A)", derived=True),
        P("assigned", "BOOL", "已编入党组织", "Assigned",
          "derived: the person is assigned to a party organisation (rules R10A/B)", derived=True),
    )),
    N("VolunteerTeam", "志愿服务队", "Volunteer team", "a community's volunteer team", (
        P("name", "STRING", "名称", "Name", required=True),
        P("kind", "STRING", "类型", "Kind"),
    )),
    # --- organisations -------------------------------------------------------------------------------
    N("Organization", "单位", "Organisation",
      "co-building / resident unit: office, public institution, enterprise, social organisation", (
        P("name", "STRING", "名称", "Name", required=True),
        P("kind", "STRING", "单位性质", "Kind", values=ORG_KINDS),
        P("level", "STRING", "隶属层级", "Level", values=ORG_LEVELS),
        P("credit_code", "STRING", "统一社会信用代码", "Credit code"),
        P("address", "STRING", "地址", "Address"),
        P("reported", "BOOL", "已到社区报到", "Reported to a community",
          "derived: the organisation reported to a community (rules R11A/B)", derived=True),
    )),
    N("PropertyCompany", "物业服务企业", "Property company", "company that manages compounds", (
        P("name", "STRING", "名称", "Name", required=True),
        P("credit_code", "STRING", "统一社会信用代码", "Credit code"),
        P("phone", "STRING", "联系电话", "Phone"),
    )),
    N("OwnersBody", "业委会（物管会）", "Owners' body",
      "owners' committee or property management committee of a compound", (
        P("name", "STRING", "名称", "Name", required=True),
        P("kind", "STRING", "类型", "Kind", required=True, values=OWNERS_BODY_KINDS),
        P("members", "INT64", "成员数", "Members"),
        P("party_members", "INT64", "其中党员数", "Of whom party members"),
        P("founded", "DATE", "成立日期", "Founded"),
    )),
    N("ServiceSite", "党群服务阵地", "Service site", "party-mass service centre, station, post or point", (
        P("name", "STRING", "名称", "Name", required=True),
        P("kind", "STRING", "阵地类型", "Kind", required=True, values=SITE_KINDS),
        P("address", "STRING", "地址", "Address"),
        P("lat", "DOUBLE", "纬度", "Latitude", "WGS-84", required=True),
        P("lon", "DOUBLE", "经度", "Longitude", "WGS-84", required=True),
        P("hours", "STRING", "开放时间", "Opening hours"),
    )),
    # --- rectification ---------------------------------------------------------------------------------
    N("Rectification", "整改案件", "Rectification case",
      "one coverage gap to fix (整改台账): opened by a load that reveals it, marked fixed by a load that no "
      "longer shows it, closed (销号) by a person; written only through the 整改台账 ledgers (cases/)", (
        P("rule", "STRING", "规则", "Rule", required=True),
        P("entity_label", "STRING", "对象类别", "Entity kind", required=True),
        P("entity_id", "STRING", "对象编号", "Entity id", required=True),
        P("entity_name", "STRING", "对象名称", "Entity name"),
        P("problem", "STRING", "问题", "Problem", "what is wrong, in words"),
        P("remedy", "STRING", "整改办法", "How to fix"),
        P("street_id", "STRING", "街道编号", "Street id"),
        P("street", "STRING", "街道", "Street"),
        P("community_id", "STRING", "社区编号", "Community id"),
        P("community", "STRING", "社区", "Community"),
        P("grid", "STRING", "网格", "Grid"),
        P("status", "STRING", "状态", "Status", required=True, values=CASE_STATUS),
        P("reason", "STRING", "不适用理由", "Reason (not applicable)"),
        P("deadline", "DATE", "整改期限", "Deadline"),
        P("notes", "STRING", "备注", "Notes"),
        P("opened_load", "STRING", "发现批次", "Opened by load"),
        P("opened_on", "DATE", "发现日期", "Opened on"),
        P("fixed_load", "STRING", "整改批次", "Fixed by load", "the load that no longer showed the gap"),
        P("gap_present", "BOOL", "缺口仍在", "Gap present", "whether the latest check still shows the gap"),
        P("reopened", "INT64", "重开次数", "Times reopened"),
        P("checked_by", "STRING", "核验人", "Closed by"),
    )),
    # --- bookkeeping ---------------------------------------------------------------------------------
    N("Load", "导入记录", "Load", "one load of ledgers: files, hashes, counts, who and when", (
        P("started_at", "TIMESTAMP", "开始时间", "Started (UTC)"),
        P("finished_at", "TIMESTAMP", "结束时间", "Finished (UTC)"),
        P("user", "STRING", "操作人", "User"),
        P("files", "STRING", "文件", "Files", "JSON list of {name, sha256, sheets}"),
        P("counts", "STRING", "数量", "Counts", "JSON map of rows written per ledger"),
        P("mode", "STRING", "方式", "Mode", values=("全部或不写", "跳过错误行", "替换", "重建")),
        P("seconds", "DOUBLE", "耗时（秒）", "Duration (s)"),
        P("as_of", "DATE", "数据截至", "As of", "the date the ledgers describe (e.g. a quarter's last day)"),
    )),
    N("RuleResult", "规则结果", "Rule result",
      "one coverage rule's population and gaps in one area, as recorded right after a load", (
        P("load_id", "STRING", "导入批次", "Load", required=True),
        P("as_of", "DATE", "数据截至", "As of"),
        P("rule", "STRING", "规则", "Rule", required=True),
        P("level", "STRING", "层级", "Level", values=("county", "street", "community", "grid")),
        P("area_id", "STRING", "区域编号", "Area id"),
        P("area", "STRING", "区域", "Area"),
        P("total", "INT64", "总数", "Population"),
        P("violating", "INT64", "缺口", "Gaps"),
        P("coverage", "DOUBLE", "覆盖率", "Coverage %"),
    )),
    N("EndedRel", "已结束关系", "Ended relationship",
      "a relationship a --replace load retired, kept as history with its end date and source row", (
        P("rel_type", "STRING", "关系类型", "Relationship type", required=True),
        P("start_label", "STRING", "起点类别", "Start label"),
        P("start_id", "STRING", "起点编号", "Start id"),
        P("end_label", "STRING", "终点类别", "End label"),
        P("end_id", "STRING", "终点编号", "End id"),
        P("props", "STRING", "属性", "Properties", "JSON of the relationship's properties when it ended"),
        P("started_load", "STRING", "写入批次", "Written by load"),
        P("ended_load", "STRING", "结束批次", "Ended by load"),
        P("ended_on", "DATE", "结束日期", "Ended on", "the as-of date of the load that retired it"),
    )),
)

#: labels that record orgnet's own bookkeeping, not the network: never written from a ledger
BOOKKEEPING = ("Load", "RuleResult", "EndedRel")

_TERRITORY_PAIRS = (
    ("Street", "County"), ("Community", "Street"), ("Compound", "Community"),
    ("Building", "Compound"), ("Building", "Community"), ("Unit", "Building"), ("Household", "Unit"),
    ("ServiceSite", "Community"), ("ServiceSite", "Street"), ("ServiceSite", "Compound"),
    ("VolunteerTeam", "Community"),
)
_PARTY_TARGETS = ("County", "Street", "Community", "Grid", "Compound", "Building", "Unit")
_ORG_LIKE = ("Organization", "PropertyCompany", "OwnersBody")
_SINCE = P("since", "DATE", "起始日期", "Since")

RELS: tuple[RelType, ...] = (
    # --- territory and grids -------------------------------------------------------------------------
    R("PART_OF", "隶属", "Part of",
      "territorial chain street → community → compound → building → unit → household; where a site or team sits",
      _TERRITORY_PAIRS),
    R("GRID_OF", "所属", "Grid of", "the community (or, for a top-level grid, the street) a grid belongs to",
      (("Grid", "Community"), ("Grid", "Street"))),
    R("SUBGRID_OF", "下级网格", "Sub-grid of", "a grid's parent grid", (("Grid", "Grid"),)),
    R("COVERS", "覆盖", "Covers", "which compounds, buildings or units a grid covers",
      (("Grid", "Compound"), ("Grid", "Building"), ("Grid", "Unit"))),
    # --- party organisations -------------------------------------------------------------------------
    R("SUBORDINATE_TO", "隶属上级党组织", "Subordinate to",
      "a party organisation's parent; any chain wording fits (党工委 → 党委/党总支 → 党支部 → 党小组)",
      (("PartyOrg", "PartyOrg"),)),
    R("RESPONSIBLE_FOR", "负责", "Responsible for",
      "the territory or grid a party organisation is set up over",
      tuple(("PartyOrg", t) for t in _PARTY_TARGETS)),
    R("PARTY_ORG_OF", "单位党组织", "Party organisation of",
      "the party organisation of a unit, property company or owners' body; joint branches cover several",
      tuple(("PartyOrg", t) for t in _ORG_LIKE), (
          P("mode", "STRING", "组建方式", "Set up", values=COVERAGE_MODES),)),
    R("CENTRE_HOUSEHOLD_OF", "党员中心户", "Party-centre household of",
      "a party-centre household and the party group it serves under", (("Household", "PartyOrg"),),
      (_SINCE,)),
    # --- people: membership and roles --------------------------------------------------------------
    R("MEMBER_OF", "组织关系", "Member of", "the party organisation holding a member's membership",
      (("Person", "PartyOrg"),), (_SINCE,)),
    R("OFFICER_OF", "任职", "Officer of",
      "secretary, group leader or committee member (incl. part-time 兼职委员 of a 大党委)",
      (("Person", "PartyOrg"),), (
          P("role", "STRING", "职务", "Role", required=True, values=OFFICER_ROLES),
          P("part_time", "BOOL", "兼职", "Part-time"), _SINCE)),
    R("LIVES_IN", "居住", "Lives in", "the household a person lives in", (("Person", "Household"),), (
        P("is_head", "BOOL", "户主", "Head of household"),)),
    R("WORKS_AT", "工作单位", "Works at", "an in-service person's work unit", (
        ("Person", "Organization"), ("Person", "PropertyCompany")), (
        P("post", "STRING", "职务", "Post"),)),
    R("GRID_WORKER_OF", "网格员", "Grid worker of", "grid worker (专职 full-time or 兼职 part-time)",
      (("Person", "Grid"),), (
          P("full_time", "BOOL", "专职", "Full-time", required=True), _SINCE)),
    R("BUILDING_LEADER_OF", "楼长", "Building leader of",
      "building leader; in_service marks the 在职 half of a 双楼长 pair, red a 红色楼长",
      (("Person", "Building"),), (
          P("in_service", "BOOL", "在职", "In service", required=True),
          P("red", "BOOL", "红色楼长", "Red building leader"), _SINCE)),
    R("UNIT_LEADER_OF", "单元长", "Unit leader of", "unit leader (平顺: a party member)",
      (("Person", "Unit"),), (_SINCE,)),
    R("CONTACTS_GRID", "联系网格", "Contacts grid", "a street leader directly linked to a grid",
      (("Person", "Grid"),), (_SINCE,)),
    R("COMMUNITY_WORKER_OF", "社区工作者", "Community worker of", "paid community staff (3岗18级)",
      (("Person", "Community"),), (
          P("post", "STRING", "岗位", "Post"),
          P("grade", "STRING", "等级", "Grade", "e.g. 二岗十级"), _SINCE)),
    R("INSTRUCTOR_OF", "党建工作指导员", "Instructor of",
      "party-building instructor dispatched to a property company without its own branch",
      (("Person", "PropertyCompany"), ("Person", "OwnersBody"), ("Person", "Organization")), (_SINCE,)),
    R("VOLUNTEERS_IN", "志愿者", "Volunteers in", "a volunteer's team", (("Person", "VolunteerTeam"),)),
    # --- dual reporting and co-building --------------------------------------------------------------
    R("REPORTED_TO", "双报到", "Reported to",
      "单位报到 of a unit or 个人报到 of an in-service member to a community",
      (("Organization", "Community"), ("Person", "Community")), (
          P("date", "DATE", "报到日期", "Date"),
          P("status", "STRING", "状态", "Status", values=REPORT_STATUS))),
    R("ASSIGNED_TO", "编入", "Assigned to",
      "a reported member placed into a grid branch or party group (明确到楼栋)", (("Person", "PartyOrg"),),
      (_SINCE,)),
    R("PAIRED_WITH", "结对共建", "Paired with", "signed co-building agreement with its three lists",
      (("Organization", "Community"),), (
          P("signed", "DATE", "签订日期", "Signed"),
          P("needs", "STRING", "需求清单", "Needs list"),
          P("resources", "STRING", "资源清单", "Resources list"),
          P("projects", "STRING", "项目清单", "Projects list"))),
    R("SEAT_ON", "大党委成员单位", "Seat on", "a unit's seat on a community 大党委",
      (("Organization", "PartyOrg"),), (_SINCE,)),
    # --- member-to-household links -------------------------------------------------------------------
    R("LINKED_TO", "包联", "Linked to", "a member (or unit leader) looks after a household",
      (("Person", "Household"),), (
          _SINCE, P("kind", "STRING", "包联类型", "Kind", values=LINK_KINDS))),
    # --- property management -------------------------------------------------------------------------
    R("MANAGES", "物业服务", "Manages", "a property company serves a compound", (("PropertyCompany", "Compound"),), (
        _SINCE, P("mode", "STRING", "服务方式", "Mode", values=("市场化", "代管", "兜底")))),
    R("GOVERNS", "业主自治", "Governs", "an owners' body of a compound; self_managed when it runs the compound itself",
      (("OwnersBody", "Compound"),), (
          P("self_managed", "BOOL", "自管", "Self-managed"),)),
    # --- rectification ---------------------------------------------------------------------------------
    R("CASE_OWNER", "整改责任主体", "Case owner", "who is responsible for fixing a case: a person or an organisation",
      tuple(("Rectification", t) for t in ("Person", "PartyOrg", "Organization", "Community", "Street", "Grid"))),
    # --- service sites ---------------------------------------------------------------------------------
    R("RUN_BY", "运营", "Run by", "who runs a service site", (
        ("ServiceSite", "PartyOrg"), ("ServiceSite", "Organization"), ("ServiceSite", "PropertyCompany")),),
)

MODEL = Model(NODES, RELS)
