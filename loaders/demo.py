"""The demo county: realistic, deterministic ledgers with planted coverage gaps.

``generate`` builds a whole county (streets, communities, compounds, multi-level grids, buildings,
units, households, party organisations along the county's own chain wording, people in every role,
双报到, 包联, property companies, owners' bodies, service sites) calibrated on a profile of
``../shared/domain/GLOSSARY.md`` §8, and writes it as ledgers in the loaders' template format
(one workbook with a sheet per ledger, or one CSV per ledger). Every coverage rule of
``docs/coverage-rules.md`` is violated by a few planted entities (``gap_rate`` of the rule's
population, at least one); the manifest JSON names exactly those entities, and everything else
satisfies every rule.

How the figures a report states are kept exact: the territory is built top-down with exact integer
apportionment (largest remainder, with minimums and caps) at every level: communities → grids
(level by level) → households per basic grid → buildings → units → households per unit; compounds
are cut from each community's buildings. Where leader counts are stated, the number of buildings
follows from the 双楼长 arithmetic (two leaders per building, none for the planted "no leader"
buildings, one for the planted "not a pair" buildings) and the number of units from the unit
leaders (one per unit, none for the planted "no unit leader" units).

``run_demo`` writes the ledgers and loads them through the real front door (``loaders.engine.load``);
``recompute`` evaluates every rule again, in plain Python, from the ledger files alone.

Examples
--------
>>> g = generate("gaoqing", scale=0.05, seed=1, out_dir="/tmp/orgnet-demo", fmt="csv")  # doctest: +SKIP
>>> sorted(recompute(g.paths)) == sorted(g.rules)                                       # doctest: +SKIP
True
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import random
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cells import id_check_char
from .specs import LEDGERS, Column, Ledger, Ref
from .templates import header_text

RULE_IDS = ("R01", "R02", "R03A", "R03B", "R04A", "R04B", "R05A", "R05B", "R06", "R07", "R08", "R09",
            "R10A", "R10B", "R11A", "R11B", "R12", "R13", "R14A", "R14B", "R15", "R16")
#: the default parameters of docs/coverage-rules.md
PARAMS = {"max_households": 300, "min_households": 1000, "min_links": 1, "max_links": 2, "radius_m": 1000}
EARTH_RADIUS_M = 6_371_000.0
#: fixed workbook timestamps, so the same profile, scale and seed give byte-identical files
FIXED_TIME = dt.datetime(2024, 1, 1, 8, 0, 0)
TODAY = dt.date(2024, 6, 30)


# --- profiles -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Profile:
    """A county's calibration: what its report states (kept exact at scale 1) and plausible rest."""

    key: str
    county: str
    province: str
    city: str
    seed_report: str
    #: first six digits of its residents' ID cards, and its telephone area code
    region_code: str
    area_code: str
    lat: float
    lon: float
    streets: tuple[tuple[str, str], ...]  # (name, kind 街道/镇/乡)
    street_org: tuple[str, str, str]  # (kind, function, tier name) of the street's party organisation
    community_org: tuple[str, str]  # (kind, tier name) of a community's party organisation
    grid_branch_tier: str  # tier name of a basic grid's branch
    group_tier: str  # tier name of a building party group
    chain: str  # the county's chain wording
    communities: int
    households: int
    compounds: int
    compound_kinds: tuple[tuple[str, int], ...]
    #: grid levels top-down: (level name, count); the last level holds the basic grids (COVERS)
    grid_levels: tuple[tuple[str, int], ...]
    #: stated number of basic-grid branches (then basic grids = branches + planted R01 grids)
    grid_branches: int | None = None
    #: a basic grid's branch is also the compound branch of big compounds in it (小区(网格)党支部)
    branch_is_compound_branch: bool = False
    building_leaders: int | None = None
    red_leaders: int | None = None
    unit_leaders: int | None = None
    buildings: int | None = None  # when building leaders are not stated
    units_per_building: float = 2.4
    full_time_workers: int | None = None
    branch_secretaries: int | None = None
    street_leaders: int = 8
    units_reported: int = 40
    reported_members: int = 1000
    owners_committees: int | None = None
    management_committees: int | None = None
    #: service sites besides one 党群服务中心 per community: (kind, count, where: compound|community)
    sites: tuple[tuple[str, int, str], ...] = ()
    volunteer_teams: int = 20
    volunteers: int = 1500
    buildings_per_group: int = 1
    party_groups: int | None = None  # stated number of building party groups
    party_centre: int | None = None  # stated number of party-centre households
    company_own_branches: int = 8
    company_joint_branches: int = 3
    company_instructors: int = 4
    self_managed: int = 3
    other_units: int = 12  # units that did not report (upper-level units, enterprises)
    notes: str = ""


PROFILES: dict[str, Profile] = {p.key: p for p in (
    Profile(
        "gaoqing", "高青县", "山东省", "淄博市", "003 (000)", "370322", "0533", 37.17, 117.83,
        (("芦湖街道", "街道"), ("田镇街道", "街道")),
        ("党工委", "街道", "街道党工委"), ("党总支", "社区党总支"), "网格党支部", "楼栋（单元）党小组",
        "街道党工委—社区党总支—网格党支部—楼栋（单元）党小组",
        communities=10, households=39_327, compounds=105,
        compound_kinds=(("大产权小区", 58), ("村建小区", 17), ("单位家属小区", 24), ("老旧小区", 6)),
        grid_levels=(("基础网格", 134),),
        building_leaders=1315, red_leaders=233, unit_leaders=1569, full_time_workers=138,
        branch_secretaries=118, street_leaders=15, units_reported=80, reported_members=2921,
        owners_committees=66, sites=(("红色驿站", 57, "compound"), ("青蜂驿站", 9, "community")),
        volunteer_teams=37, volunteers=3650, buildings_per_group=1, party_centre=380,
        company_own_branches=9, company_joint_branches=3, company_instructors=5, self_managed=3,
        other_units=14, notes="10个社区、105个小区、134个网格、楼长1315人（红色楼长233人）、单元长1569人、"
                              "专职网格员138人、80个单位2921名在职党员报到、业委会66个、千乘红驿站57个、青蜂驿站9个"),
    Profile(
        "pingshun", "平顺县", "山西省", "长治市", "002 (平顺)", "140425", "0355", 36.20, 113.43,
        (("青羊镇", "镇"),),
        ("党委", "乡镇", "镇党委"), ("党委", "社区党委"), "网格党支部", "楼栋党小组",
        "社区党委—网格党支部—楼栋党小组—党员单元长—党员中心户",
        communities=4, households=15_600, compounds=62,
        compound_kinds=(("大产权小区", 30), ("村建小区", 16), ("单位家属小区", 12), ("老旧小区", 4)),
        grid_levels=(("一级网格", 4), ("二级网格", 17), ("三级网格", 121)),
        buildings=390, units_per_building=2.5, street_leaders=5, units_reported=46, reported_members=1720,
        sites=(("网格驿站", 17, "community"), ("党群服务点", 26, "compound")),
        volunteer_teams=12, volunteers=900, buildings_per_group=3, party_centre=160,
        company_own_branches=4, company_joint_branches=2, company_instructors=3, self_managed=2, other_units=8,
        notes="三级网格4/17/121、网格党群服务站17个、服务点26个、1720名报到党员全部编入；每三个楼宇设立一个党小组"),
    Profile(
        "huguan", "壶关县", "山西省", "长治市", "002 (壶关)", "140427", "0355", 36.11, 113.21,
        (("龙泉镇", "镇"), ("城南街道", "街道")),
        ("党委", "乡镇", "镇党委"), ("党委", "社区党委"), "网格党支部", "楼栋党小组",
        "镇党委（街道党工委）—社区党委—网格党支部—楼栋党小组",
        communities=9, households=35_800, compounds=115,
        compound_kinds=(("大产权小区", 40), ("村建小区", 33), ("单位家属小区", 42)),
        grid_levels=(("一级网格", 9), ("二级网格", 150)),
        buildings=760, units_per_building=2.4, street_leaders=9, units_reported=52, reported_members=1900,
        owners_committees=16, management_committees=99,
        sites=(("党群服务站", 30, "compound"), ("城市驿站", 6, "community")),
        volunteer_teams=18, volunteers=1600, buildings_per_group=2, party_centre=300,
        company_own_branches=7, company_joint_branches=4, company_instructors=4, self_managed=4, other_units=10,
        notes="115个小区（大产权40、村建33、单位家属42）、业委会16个+物管会99个、物业企业单独党支部7个、"
              "联合党支部4个、党建指导员4名；4个无物业小区自管"),
    Profile(
        "wuxiang", "武乡县", "山西省", "长治市", "002 (武乡)", "140429", "0355", 36.84, 112.86,
        (("丰州镇", "镇"),),
        ("党委", "乡镇", "乡镇党委"), ("党委", "社区党委"), "小区(网格)党支部", "楼栋党小组",
        "乡镇党委—社区党委—小区(网格)党支部—楼栋党小组—党员中心户",
        communities=8, households=19_800, compounds=102,
        compound_kinds=(("大产权小区", 44), ("村建小区", 26), ("单位家属小区", 32)),
        grid_levels=(("一级网格", 8), ("二级网格", 32)), grid_branches=32, branch_is_compound_branch=True,
        buildings=430, units_per_building=2.3, street_leaders=5, units_reported=60, reported_members=2300,
        owners_committees=8, management_committees=94,
        sites=(("小区党群服务站", 38, "compound"), ("志愿服务站", 46, "community")),
        volunteer_teams=16, volunteers=1400, party_groups=241, party_centre=512,
        company_own_branches=5, company_joint_branches=2, company_instructors=3, self_managed=3, other_units=8,
        notes="102个小区、小区(网格)党支部32个、楼栋党小组241个、党员中心户500余户、小区党群服务站38个、"
              "2300名在职党员报到、业委会8个+物管会94个"),
)}


# --- small helpers ------------------------------------------------------------------------------
def apportion(total: int, weights: Sequence[float], minimum: int | Sequence[int] = 0,
              caps: Sequence[int] | None = None) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder), each at least
    ``minimum`` and at most its cap. Exact: the result always sums to ``total``."""
    n = len(weights)
    if n == 0:
        if total:
            raise ValueError("nothing to apportion to")
        return []
    mins = [minimum] * n if isinstance(minimum, int) else list(minimum)
    caps_ = [10 ** 12] * n if caps is None else list(caps)
    if sum(mins) > total or sum(caps_) < total:
        raise ValueError(f"cannot apportion {total} with minimums {sum(mins)} and caps {sum(caps_)}")
    out = list(mins)
    rest = total - sum(mins)
    free = [i for i in range(n) if out[i] < caps_[i]]
    while rest > 0:
        w = [max(weights[i], 1e-9) for i in free]
        sw = sum(w)
        shares = [rest * x / sw for x in w]
        add = [min(int(s), caps_[i] - out[i]) for s, i in zip(shares, free)]
        for a, i in zip(add, free):
            out[i] += a
        given = sum(add)
        if given < rest:
            order = sorted(range(len(free)), key=lambda k: (-(shares[k] - int(shares[k])), k))
            left = rest - given
            for k in order:
                i = free[k]
                if left == 0:
                    break
                if out[i] < caps_[i] and add[k] == int(shares[k]):
                    out[i] += 1
                    left -= 1
            given = rest - left
        rest -= given
        free = [i for i in free if out[i] < caps_[i]]
        if rest and not free:
            raise ValueError("caps exhausted")
    return out


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres on a sphere of radius 6 371 000 m (as rule R15)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin(math.radians(lat2 - lat1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


class SiteIndex:
    """Service sites sorted by latitude: "is there a site within r metres" without an all-pairs scan.
    Exact: a site within r metres is within r / R radians of latitude."""

    def __init__(self, sites: Iterable[tuple[float, float]]):
        self.sites = sorted(sites)
        self.lats = [s[0] for s in self.sites]

    def nearest_within(self, lat: float, lon: float, radius_m: float) -> float | None:
        """Distance to the nearest site within ``radius_m``, or None."""
        import bisect

        dlat = math.degrees(radius_m / EARTH_RADIUS_M) + 1e-9
        lo, hi = bisect.bisect_left(self.lats, lat - dlat), bisect.bisect_right(self.lats, lat + dlat)
        best = None
        for s_lat, s_lon in self.sites[lo:hi]:
            d = haversine(lat, lon, s_lat, s_lon)
            if d <= radius_m and (best is None or d < best):
                best = d
        return best


def _offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    return (lat + north_m / 111_320.0, lon + east_m / (111_320.0 * math.cos(math.radians(lat))))


CN_DIGITS = "零一二三四五六七八九十"


def _cn_number(n: int) -> str:
    if n <= 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + (CN_DIGITS[n - 10] if n > 10 else "")
    tens, ones = divmod(n, 10)
    return CN_DIGITS[tens] + "十" + (CN_DIGITS[ones] if ones else "")


SURNAMES = ("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
            "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
            "牛申郭焦霍侯")
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红海燕玉春梅俊峰晓东文博子涵雨轩浩然欣怡佳琪"
         "思远宇航梓萱一鸣鹏飞慧颖立新秀英振华德福永庆丽萍淑珍凤兰文斌宏伟学军爱国卫东金花瑞雪晨阳"
         "嘉怡子墨梦琪天佑雅静国强建平")
NAME_PREFIX = "和锦泰福康瑞盛华翠阳嘉祥鑫金丰安宁怡景绿荣兴富蓝明新御滨湖春秋恒信德润颐馨悦雅逸书"
NAME_SECOND = "园苑城府庭居馨湾郡邸苑轩阁林景汇都"
COMPOUND_SUFFIX = ("小区", "花园", "家园", "苑", "新城", "雅居", "佳苑", "名邸")
VILLAGES = ("东关", "西关", "南关", "北关", "前街", "后街", "大王庄", "李家庄", "张家营", "刘家屯", "马家寨", "新庄", "小河店",
            "东营", "西营", "南营", "北营", "高庄", "孙家村", "赵家庄", "陈家坊", "周家堡", "杨家湾", "吴家窑", "郭家沟",
            "石桥", "柳林", "枣园", "桃园", "杏林", "槐树庄", "榆树坪", "河东", "河西", "城关", "西坡", "东坡", "前进", "红旗")
ROADS = ("青城路", "黄河路", "高苑路", "鲁泰大道", "芦湖路", "花沟路", "府前街", "民安路", "文化路", "建设路", "人民路",
         "解放路", "新华街", "太行路", "漳河路", "龙泉路", "丰州路", "胜利街", "迎宾路", "东风路", "育才路", "振兴街",
         "朝阳路", "北环路", "南环路", "工业路", "滨河路", "体育路", "长安街", "和平路")
BUREAUS = (("县委组织部", "党政机关"), ("县委宣传部", "党政机关"), ("县政府办公室", "党政机关"), ("县发展和改革局", "党政机关"),
           ("县教育和体育局", "党政机关"), ("县公安局", "党政机关"), ("县民政局", "党政机关"), ("县司法局", "党政机关"),
           ("县财政局", "党政机关"), ("县人力资源和社会保障局", "党政机关"), ("县自然资源局", "党政机关"),
           ("县住房和城乡建设局", "党政机关"), ("县交通运输局", "党政机关"), ("县水利局", "党政机关"),
           ("县农业农村局", "党政机关"), ("县商务局", "党政机关"), ("县文化和旅游局", "党政机关"),
           ("县卫生健康局", "党政机关"), ("县退役军人事务局", "党政机关"), ("县应急管理局", "党政机关"),
           ("县审计局", "党政机关"), ("县市场监督管理局", "党政机关"), ("县统计局", "党政机关"), ("县医疗保障局", "党政机关"),
           ("县综合行政执法局", "党政机关"), ("县行政审批服务局", "党政机关"), ("县信访局", "党政机关"),
           ("县总工会", "群团组织"), ("团县委", "群团组织"), ("县妇联", "群团组织"), ("县残联", "群团组织"),
           ("县科协", "群团组织"), ("县人民医院", "事业单位"), ("县中医院", "事业单位"), ("县妇幼保健院", "事业单位"),
           ("县第一中学", "事业单位"), ("县第二中学", "事业单位"), ("县实验小学", "事业单位"), ("县职业中专", "事业单位"),
           ("县融媒体中心", "事业单位"), ("县图书馆", "事业单位"), ("县疾病预防控制中心", "事业单位"),
           ("县供电公司", "国有企业"), ("县自来水公司", "国有企业"), ("县热力公司", "国有企业"), ("县燃气公司", "国有企业"),
           ("县农商银行", "国有企业"), ("县邮政分公司", "国有企业"), ("县移动分公司", "国有企业"),
           ("县联通分公司", "国有企业"), ("县电信分公司", "国有企业"), ("县城投集团", "国有企业"),
           ("县公交公司", "国有企业"), ("县粮食储备库", "国有企业"), ("县烟草专卖局", "国有企业"),
           ("县税务局", "党政机关"), ("县气象局", "党政机关"), ("县人民法院", "党政机关"), ("县人民检察院", "党政机关"),
           ("县消防救援大队", "党政机关"))
ENTERPRISE_WORDS = "鑫源恒泰华盛宏达金诚永兴瑞丰博远天成广源昌盛德隆"
TEAM_KINDS = ("党员志愿服务队", "巾帼志愿服务队", "青年志愿服务队", "银龄志愿服务队", "平安志愿服务队", "文明实践志愿服务队")
SPECIAL_WEIGHTS = (("独居老人", 20), ("空巢老人", 18), ("高龄老人", 14), ("残疾人", 12), ("低保户", 12), ("特困人员", 4),
                   ("留守儿童", 5), ("困境儿童", 3), ("重病患者", 5), ("优抚对象", 4), ("困难户", 3))
PHONE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156",
                  "157", "158", "159", "176", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189",
                  "199")
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _d(x: dt.date | None) -> str:
    return x.isoformat() if x else ""


def _b(x: bool | None) -> str:
    return "" if x is None else ("是" if x else "否")


# --- the generated county, in memory ------------------------------------------------------------
class _Comm:
    __slots__ = ("i", "id", "name", "street", "weight", "lat", "lon", "new", "grids", "basic", "compounds",
                 "buildings", "org", "households", "road")


class _Grid:
    __slots__ = ("i", "id", "name", "level", "level_name", "comm", "parent", "basic", "h", "ft", "buildings",
                 "branch", "covers")


class _Compound:
    __slots__ = ("i", "id", "name", "kind", "comm", "buildings", "lat", "lon", "address", "built", "h", "branch",
                 "bodies", "company", "self_managed")


class _Bld:
    __slots__ = ("i", "id", "name", "address", "lat", "lon", "floors", "comm", "compound", "grid", "units", "h",
                 "group", "prefix")


class _Unit:
    __slots__ = ("i", "id", "name", "bld", "hh", "leader")


class _HH:
    __slots__ = ("i", "id", "address", "room", "unit", "bld", "special", "centre", "head", "phone", "residents",
                 "head_taken")


class _Person:
    __slots__ = ("i", "id", "name", "gender", "id_card", "phone", "birth", "member", "kind", "joined", "org", "work",
                 "post", "home", "head", "links", "quota")


@dataclass
class Generated:
    """What ``generate`` wrote."""

    profile: str
    seed: int
    scale: float
    fmt: str
    out_dir: Path
    #: the ledger files, to pass to ``loaders.engine.load``/``validate``
    paths: list[Path]
    manifest: Path
    #: rows per ledger (Chinese ledger name → rows)
    counts: dict[str, int]
    #: rule id → sorted ids of the planted violations (as in the manifest)
    rules: dict[str, list[str]]
    #: the figures reproduced (for reports and tests)
    figures: dict[str, int] = field(default_factory=dict)


class _County:
    """Builds one county in memory; ``rows`` then holds every ledger's rows (header → text)."""

    def __init__(self, profile: Profile, scale: float, seed: int, gap_rate: float):
        self.p = profile
        self.scale = float(scale)
        self.seed = int(seed)
        self.gap_rate = float(gap_rate)
        digest = hashlib.sha256(f"{profile.key}|{self.scale!r}|{self.seed}".encode()).digest()
        self.rng = random.Random(int.from_bytes(digest[:8], "big"))
        self.rows: dict[str, list[dict[str, str]]] = {spec.name: [] for spec in LEDGERS.values()}
        self.gaps: dict[str, set[str]] = {r: set() for r in RULE_IDS}
        self.people: list[_Person] = []
        self._phones: set[str] = set()
        self._cards: set[str] = set()
        self._names: set[str] = set()
        self._seq: dict[str, int] = defaultdict(int)
        self.figures: dict[str, int] = {}

    # --- basics ----------------------------------------------------------------------------------
    def n(self, x: float, lo: int = 1) -> int:
        return max(lo, int(math.floor(x * self.scale + 0.5)))

    def gap(self, population: int) -> int:
        if self.gap_rate <= 0 or population <= 0:
            return 0
        return min(population, max(1, int(math.floor(self.gap_rate * population + 0.5))))

    def new_id(self, prefix: str, width: int) -> str:
        self._seq[prefix] += 1
        return f"{prefix}-{self._seq[prefix]:0{width}d}"

    def pick(self, items: Sequence, k: int) -> list:
        """k distinct items, in their original order (deterministic)."""
        k = min(k, len(items))
        idx = sorted(self.rng.sample(range(len(items)), k))
        return [items[i] for i in idx]

    def unique_name(self, make: Callable[[], str]) -> str:
        for _ in range(200):
            name = make()
            if name not in self._names:
                self._names.add(name)
                return name
        base = make()
        k = 2
        while f"{base}{_cn_number(k)}期" in self._names:
            k += 1
        name = f"{base}{_cn_number(k)}期"
        self._names.add(name)
        return name

    def person_name(self) -> str:
        r = self.rng
        given = r.choice(GIVEN) if r.random() < 0.3 else r.choice(GIVEN) + r.choice(GIVEN)
        return r.choice(SURNAMES) + given

    def phone(self) -> str:
        while True:
            p = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10 ** 8):08d}"
            if p not in self._phones:
                self._phones.add(p)
                return p

    def id_card(self, birth: dt.date, male: bool) -> str:
        while True:
            seq = self.rng.randrange(500) * 2 + (1 if male else 0)
            first17 = f"{self.p.region_code}{birth:%Y%m%d}{seq:03d}"
            card = first17 + id_check_char(first17)
            if card not in self._cards:
                self._cards.add(card)
                return card

    def credit_code(self, kind: str) -> str:
        head = {"党政机关": "11", "事业单位": "12", "群团组织": "13", "社会组织": "52"}.get(kind, "91")
        body = head + self.p.region_code + "".join(self.rng.choice(CREDIT_CHARS) for _ in range(9))
        s = sum(CREDIT_CHARS.index(c) * w for c, w in zip(body, CREDIT_WEIGHTS))
        return body + CREDIT_CHARS[(31 - s % 31) % 31]

    def date_between(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randrange(max(1, (end - start).days)))

    def since(self, year: int) -> str:
        """A start date between the first of January of ``year`` and the end of 2023, as text."""
        return _d(self.date_between(dt.date(year, 1, 1), dt.date(2023, 12, 31)))

    def add(self, ledger: str, **cells: Any) -> None:
        """One ledger row; keyword names are the spec's column headers."""
        self.rows[ledger].append({k: v for k, v in cells.items() if v not in (None, "")})

    # --- build everything --------------------------------------------------------------------------
    def build(self) -> None:
        self.territory()
        self.party()
        self.roles()
        self.organisations()
        self.property()
        self.links()
        self.centre_households()
        self.sites()
        self.volunteers()
        self.emit()

    # --- territory -----------------------------------------------------------------------------------
    def territory(self) -> None:
        p, r = self.p, self.rng
        self.county_id = "CTY-1"
        nst = len(p.streets)
        self.streets = [(f"ST-{i + 1:02d}", name, kind) for i, (name, kind) in enumerate(p.streets)]
        nc = max(2 if self.gap_rate > 0 else 1, nst, self.n(p.communities))
        comm_street = apportion(nc, [1.0] * nst, 1)
        comms: list[_Comm] = []
        for si, k in enumerate(comm_street):
            for _ in range(k):
                c = _Comm()
                c.i, c.street = len(comms), si
                comms.append(c)
        # the last community is the newly founded one whose party org is not yet attached (R16)
        self.r16_comm = comms[-1] if self.gap_rate > 0 else None
        roads = list(ROADS)
        r.shuffle(roads)
        for c in comms:
            c.id = f"C-{c.i + 1:03d}"
            c.name = self.unique_name(lambda: r.choice(NAME_PREFIX) + r.choice(NAME_PREFIX) + "社区")
            c.new = c is self.r16_comm
            c.weight = 0.04 if c.new else r.uniform(0.75, 1.3)
            c.grids, c.basic, c.compounds, c.buildings = [], [], [], []
            c.road = roads[c.i % len(roads)]
        self.comms = comms
        # community centres on a square lattice around the county seat, 1.7 km apart
        side = math.ceil(math.sqrt(nc))
        spots = sorted(((x - (side - 1) / 2, y - (side - 1) / 2) for x in range(side) for y in range(side)),
                       key=lambda q: (q[0] ** 2 + q[1] ** 2, q))
        for c, (x, y) in zip(comms, spots):
            c.lat, c.lon = _offset(p.lat, p.lon, y * 1700 + r.uniform(-150, 150), x * 1700 + r.uniform(-150, 150))
        self.extent_m = max(haversine(p.lat, p.lon, c.lat, c.lon) for c in comms) + 800

        # grids, level by level
        grids: list[_Grid] = []
        levels = p.grid_levels
        total_levels = len(levels)
        upper_counts = [self.n(cnt) for _, cnt in levels[:-1]]
        est_grids = sum(upper_counts) + self.n(p.grid_branches or levels[-1][1])
        self.n_r01 = self.gap(est_grids)
        if p.grid_branches:
            basic_count = self.n(p.grid_branches) + self.n_r01
        else:
            basic_count = self.n(levels[-1][1])
        counts = upper_counts + [basic_count]
        parents: list[tuple[_Comm, _Grid | None]] = [(c, None) for c in comms]
        for li, ((lname, _), cnt) in enumerate(zip(levels, counts)):
            cnt = max(cnt, len(parents))
            w = []
            for c, _g in parents:
                siblings = sum(1 for cc, _ in parents if cc is c)
                w.append(c.weight / siblings)
            split = apportion(cnt, w, 1)
            level_grids = []
            for (c, parent), k in zip(parents, split):
                for _ in range(k):
                    g = _Grid()
                    g.i, g.comm, g.parent, g.level, g.level_name = len(grids), c, parent, li + 1, lname
                    g.basic = li == total_levels - 1
                    g.buildings, g.covers, g.branch, g.h, g.ft = [], [], None, 0, 0
                    grids.append(g)
                    level_grids.append(g)
                    c.grids.append(g)
                    if g.basic:
                        c.basic.append(g)
            parents = [(g.comm, g) for g in level_grids]
        # ids and names: communities' grids numbered within the community
        for c in comms:
            per_level: dict[int, int] = defaultdict(int)
            for g in c.grids:
                g.id = f"G-{g.i + 1:04d}"
                per_level[g.level] += 1
                k = per_level[g.level]
                short = c.name[:-2]
                g.name = f"{short}第{_cn_number(k)}网格" if total_levels == 1 else f"{short}{g.level_name}{k}"
        self.grids = grids
        basic = [g for g in grids if g.basic]
        self.basic = basic
        self.figures["grids"] = len(grids)

        # households per basic grid: R05 plants first, then an exact capped apportionment
        H = self.n(p.households, 50)
        normal = [g for g in basic if not g.comm.new]
        n05a = self.gap(len(basic))
        n05b = self.gap(len(basic))
        r05 = self.pick(normal, n05a + n05b)
        r.shuffle(r05)
        self.r05a, self.r05b = set(id(g) for g in r05[:n05a]), set(id(g) for g in r05[n05a:])
        fixed = 0
        for g in basic:
            if g.comm.new:
                g.h = r.randint(40, 110)
                fixed += g.h
            elif id(g) in self.r05a:
                g.h = r.randint(330, 430)
                g.ft = 1
                fixed += g.h
        rest_grids = [g for g in basic if not g.comm.new and id(g) not in self.r05a]
        if p.full_time_workers:
            F = self.n(p.full_time_workers)
            staffed = [g for g in rest_grids if id(g) not in self.r05b] + [g for g in basic if g.comm.new]
            extra = F - n05a - len(staffed)
            for g in staffed:
                g.ft = 1
            if extra > 0:
                weights = [g.comm.weight for g in staffed]
                for g, k in zip(staffed, apportion(extra, weights)):
                    g.ft += k
            caps = [300 * g.ft if g.ft else 300 for g in rest_grids]
            weights = [g.comm.weight * r.uniform(0.8, 1.2) * max(g.ft, 1) for g in rest_grids]
        else:
            caps = None
            weights = [g.comm.weight * r.uniform(0.6, 1.4) for g in rest_grids]
        for g, h in zip(rest_grids, apportion(H - fixed, weights, 20, caps)):
            g.h = h
        if not p.full_time_workers:
            for g in basic:
                if g.comm.new or id(g) not in self.r05a | self.r05b:
                    g.ft = max(1, math.ceil(g.h / 280)) + (1 if r.random() < 0.15 else 0)
        for g in basic:
            if id(g) in self.r05b:
                g.ft = 0
        self.gaps["R05A"] = {g.id for g in basic if id(g) in self.r05a}
        self.gaps["R05B"] = {g.id for g in basic if id(g) in self.r05b}
        for c in comms:
            c.households = sum(g.h for g in c.basic)
        self.H = H

        # buildings: from the 双楼长 arithmetic where building leaders are stated
        if p.building_leaders:
            L = self.n(p.building_leaders)
            B = math.ceil(L / 2)
            for _ in range(8):
                a, b = self.gap(B), self.gap(B)
                B = (L + 2 * a + b) // 2
            self.n03a, self.n03b = self.gap(B), self.gap(B)
            self.leaders_total = L
        else:
            B = self.n(p.buildings)
            self.n03a, self.n03b = self.gap(B), self.gap(B)
            self.leaders_total = None
        B = max(B, len(basic))
        b_split = apportion(B, [g.h for g in basic], 1, [g.h for g in basic])
        # units: one leader per unit except the planted ones
        if p.unit_leaders:
            UL = self.n(p.unit_leaders)
            U = UL
            for _ in range(8):
                U = UL + self.gap(U)
            self.unit_leaders_total = UL
        else:
            U = int(round(B * p.units_per_building))
            self.unit_leaders_total = None
        U = max(U, B)
        u_split = apportion(U, [g.h for g in basic], b_split, [g.h for g in basic])
        blds: list[_Bld] = []
        units: list[_Unit] = []
        hhs: list[_HH] = []
        for g, nb, nu in zip(basic, b_split, u_split):
            per_b = apportion(nu, [r.uniform(0.6, 1.4) for _ in range(nb)], 1,
                              [max(1, min(6, math.ceil(nu / nb) + 3))] * nb if nb * 6 >= nu else None)
            h_b = apportion(g.h, [k * r.uniform(0.8, 1.25) for k in per_b], per_b)
            for ku, hb in zip(per_b, h_b):
                bd = _Bld()
                bd.i, bd.grid, bd.comm, bd.compound, bd.units, bd.h, bd.group = len(blds), g, g.comm, None, [], hb, None
                bd.id = f"B-{bd.i + 1:05d}"
                blds.append(bd)
                g.buildings.append(bd)
                g.comm.buildings.append(bd)
                for uh in apportion(hb, [1.0] * ku, 1):
                    u = _Unit()
                    u.i, u.bld, u.hh, u.leader = len(units), bd, [], None
                    u.id = f"U-{u.i + 1:06d}"
                    bd.units.append(u)
                    units.append(u)
                    for _ in range(uh):
                        h = _HH()
                        h.i, h.unit, h.bld, h.special, h.centre, h.head_taken = len(hhs), u, bd, (), None, False
                        h.id = f"H-{h.i + 1:06d}"
                        u.hh.append(h)
                        hhs.append(h)
        self.blds, self.units, self.hhs = blds, units, hhs

        # compounds: cut from each community's buildings
        NC = max(len(comms), self.n(p.compounds))
        comp_split = apportion(NC, [c.households for c in comms], 1, [len(c.buildings) for c in comms])
        kinds = [k for k, _ in p.compound_kinds]
        kind_split = apportion(NC, [cnt for _, cnt in p.compound_kinds])
        kind_pool = [k for k, cnt in zip(kinds, kind_split) for _ in range(cnt)]
        compounds: list[_Compound] = []
        # big compounds (≥ 1000 households): at least 1 + the planted R06 ones, in the largest communities
        want_big = max(2 if self.gap_rate > 0 else 1, int(round(0.035 * NC)))
        big_comms = sorted((c for c in comms if not c.new), key=lambda c: -c.households)
        big_targets: dict[int, list[int]] = defaultdict(list)
        for k in range(want_big):
            c = big_comms[k % len(big_comms)]
            big_targets[c.i].append(r.randint(1060, 1500))
        for c, ncomp in zip(comms, comp_split):
            seq = list(c.buildings)
            n_scatter = min(len(seq) - ncomp, int(len(seq) * 0.05))
            scatter_idx = set(r.sample(range(len(seq)), n_scatter)) if n_scatter > 0 else set()
            inner = [bd for k, bd in enumerate(seq) if k not in scatter_idx]
            sizes: list[int] = []
            pos = 0
            for t in big_targets.get(c.i, []):
                if len(sizes) >= ncomp - 1 and ncomp > 1:
                    break
                got, k = 0, pos
                while k < len(inner) - (ncomp - len(sizes) - 1) and got < t:
                    got += inner[k].h
                    k += 1
                if got < PARAMS["min_households"]:
                    break
                sizes.append(k - pos)
                pos = k
            left = ncomp - len(sizes)
            if left:
                sizes += apportion(len(inner) - pos, [r.lognormvariate(0, 0.6) for _ in range(left)], 1)
            elif pos < len(inner):
                sizes[-1] += len(inner) - pos
            pos = 0
            for sz in sizes:
                cp = _Compound()
                cp.i, cp.comm = len(compounds), c
                cp.id = f"XQ-{cp.i + 1:04d}"
                cp.buildings = inner[pos:pos + sz]
                pos += sz
                cp.h = sum(bd.h for bd in cp.buildings)
                cp.branch, cp.bodies, cp.company, cp.self_managed = None, [], None, False
                for bd in cp.buildings:
                    bd.compound = cp
                compounds.append(cp)
                c.compounds.append(cp)
        # kinds: big compounds are commercial (大产权) where the profile has them
        order = sorted(compounds, key=lambda cp: -cp.h)
        big_first = [cp for cp in order if cp.h >= PARAMS["min_households"]]
        rest = [cp for cp in compounds if cp.h < PARAMS["min_households"]]
        r.shuffle(kind_pool)
        for cp in big_first:
            k = "大产权小区" if "大产权小区" in kind_pool else kind_pool[0]
            kind_pool.remove(k)
            cp.kind = k
        for cp, k in zip(rest, kind_pool):
            cp.kind = k
        self.compounds = compounds
        self.figures["compounds"] = len(compounds)

        # names, addresses, coordinates
        for c in comms:
            for cp in c.compounds:
                def make(cp=cp):
                    if cp.kind == "单位家属小区":
                        org = r.choice(BUREAUS)[0]
                        return f"{org[1:] if org.startswith('县') else org}家属院"
                    if cp.kind == "村建小区":
                        return r.choice(VILLAGES) + r.choice(("新村", "安置小区", "小区", "新苑", "佳园"))
                    if cp.kind == "老旧小区":
                        road = c.road.replace("大道", "").rstrip("路街")
                        return road + r.choice(("东", "西", "南", "北")) + r.choice(("院", "小区", "宿舍"))
                    return r.choice(NAME_PREFIX) + r.choice(NAME_SECOND) + r.choice(COMPOUND_SUFFIX)
                cp.name = self.unique_name(make)
                ang, rad = r.uniform(0, 2 * math.pi), 430 * math.sqrt(r.random())
                cp.lat, cp.lon = _offset(c.lat, c.lon, rad * math.sin(ang), rad * math.cos(ang))
                cp.address = f"{p.county}{c.road}{r.randint(1, 399)}号"
                cp.built = r.randint(1985, 2021) if cp.kind != "老旧小区" else r.randint(1978, 1999)
                for k, bd in enumerate(cp.buildings, start=1):
                    bd.name = f"{k}号楼"
                    bd.prefix = f"{cp.name}{k}号楼"
                    bd.address = f"{cp.address}{cp.name}{k}号楼"
                    ang, rad = r.uniform(0, 2 * math.pi), 160 * math.sqrt(r.random())
                    bd.lat, bd.lon = _offset(cp.lat, cp.lon, rad * math.sin(ang), rad * math.cos(ang))
            num = 0
            for bd in c.buildings:
                if bd.compound is None:
                    num += r.randint(2, 12)
                    bd.name = f"{c.road}{num}号楼"
                    bd.prefix = f"{c.road}{num}号楼"
                    bd.address = f"{p.county}{c.road}{num}号"
                    ang, rad = r.uniform(0, 2 * math.pi), 560 * math.sqrt(r.random())
                    bd.lat, bd.lon = _offset(c.lat, c.lon, rad * math.sin(ang), rad * math.cos(ang))
        for bd in blds:
            per_floor = 2 if len(bd.units) == 0 else (2 if bd.h / len(bd.units) <= 24 else 3)
            floors = 1
            for k, u in enumerate(bd.units, start=1):
                u.name = f"{k}单元"
                floors = max(floors, math.ceil(len(u.hh) / per_floor))
                for j, h in enumerate(u.hh):
                    fl, idx = divmod(j, per_floor)
                    h.room = f"{fl + 1}{idx + 1:02d}"
                    h.address = f"{bd.prefix}{k}单元{h.room}"
            bd.floors = floors
        # special groups at a few percent
        kinds_sg = [k for k, _ in SPECIAL_WEIGHTS]
        wts = [w for _, w in SPECIAL_WEIGHTS]
        for h in hhs:
            if r.random() < 0.045:
                first = r.choices(kinds_sg, wts)[0]
                if r.random() < 0.25:
                    second = r.choices(kinds_sg, wts)[0]
                    h.special = (first,) if second == first else (first, second)
                else:
                    h.special = (first,)
            h.head = self.person_name()
            h.phone = self.phone() if r.random() < 0.6 else ""
            h.residents = r.choices((1, 2, 3, 4, 5), (12, 30, 28, 20, 10))[0]
            if "独居老人" in h.special:
                h.residents = 1
        # grid coverage: a whole compound when the grid holds all of it, else its buildings
        for g in basic:
            seen: set[int] = set()
            for bd in g.buildings:
                cp = bd.compound
                if cp is None:
                    g.covers.append(bd.id)
                elif all(b2.grid is g for b2 in cp.buildings):
                    if cp.i not in seen:
                        seen.add(cp.i)
                        g.covers.append(cp.id)
                else:
                    g.covers.append(bd.id)
        # R15: a few buildings stand outside every service circle (placed later, once sites are known)
        self.figures.update(buildings=len(blds), units=len(units), households=len(hhs))

    # --- party organisations ---------------------------------------------------------------------------
    def org(self, name: str, kind: str, function: str, tier: str, parent: str | None, responsible: Iterable[str] = (),
            founded: dt.date | None = None, big: bool | None = None) -> str:
        oid = self.new_id("O", 5)
        self.add("party_orgs", **{
            "党组织编号": oid, "名称": name, "组织类别": kind, "设置方式": function, "层级称谓": tier,
            "大党委": _b(big), "成立日期": _d(founded or self.date_between(dt.date(1995, 1, 1), dt.date(2021, 12, 31))),
            "上级党组织编号": parent, "负责对象编号": "、".join(responsible)})
        self.org_resp[oid] = list(responsible)
        return oid

    def party(self) -> None:
        p, r = self.p, self.rng
        self.org_resp: dict[str, list[str]] = {}
        kind, function, tier = p.street_org
        self.street_orgs = []
        for sid, name, skind in self.streets:
            k, f, t = ("党工委", "街道", "街道党工委") if skind == "街道" else (kind, function, tier)
            self.street_orgs.append(self.org(f"中共{p.county}{name}{'工作委员会' if k == '党工委' else '委员会'}",
                                             k, f, t, None, [sid], dt.date(1990, 3, 1)))
        self.sector_org = self.org(f"中共{p.county}物业服务行业委员会", "党委", "行业", "物业服务行业党委", None, [],
                                   dt.date(2019, 7, 1))
        ckind, ctier = p.community_org
        # R01: basic grids without a branch (never in the new community)
        candidates = [g for g in self.basic if not g.comm.new]
        self.r01 = set(id(g) for g in self.pick(candidates, self.n_r01))
        self.gaps["R01"] = {g.id for g in self.basic if id(g) in self.r01}
        # R02: buildings without a party group
        n02 = self.gap(len(self.blds))
        self.r02 = set(id(b) for b in self.pick(self.blds, n02))
        self.gaps["R02"] = {b.id for b in self.blds if id(b) in self.r02}
        # R06: big compounds without their own branch
        big = [cp for cp in self.compounds if cp.h >= PARAMS["min_households"]]
        self.r06 = set(id(cp) for cp in self.pick(big, self.gap(len(big))))
        self.gaps["R06"] = {cp.id for cp in big if id(cp) in self.r06}
        # a big compound's branch is the branch of the grid holding its first building (武乡: 小区(网格)党支部);
        # make sure that grid has one
        if p.branch_is_compound_branch:
            for cp in big:
                g = cp.buildings[0].grid
                if id(g) in self.r01:
                    self.r01.discard(id(g))
                    self.gaps["R01"].discard(g.id)
                    alt = next(x for x in candidates if id(x) not in self.r01 and all(
                        cp2.buildings[0].grid is not x for cp2 in big) and x is not g)
                    self.r01.add(id(alt))
                    self.gaps["R01"].add(alt.id)
        groups_total = self.n(p.party_groups) if p.party_groups else None
        group_split = None
        if groups_total:
            oks = [[b for b in g.buildings if id(b) not in self.r02] for g in self.basic]
            group_split = apportion(groups_total, [len(x) for x in oks], [1 if x else 0 for x in oks],
                                    [len(x) for x in oks])
        self.groups: list[tuple[str, list[_Bld]]] = []
        for c in self.comms:
            cname = c.name
            founded = self.date_between(dt.date(2023, 9, 1), dt.date(2024, 5, 31)) if c.new else None
            resp = [c.id] + [g.id for g in c.grids if not g.basic]
            big_c = not c.new
            c.org = self.org(f"中共{cname}{'委员会' if ckind == '党委' else '总支部委员会'}", ckind,
                             "社区大党委" if big_c else "社区", ctier,
                             None if c.new else self.street_orgs[c.street], resp, founded, big_c)
            for g in c.basic:
                if id(g) in self.r01:
                    continue
                resp = [g.id]
                if p.branch_is_compound_branch:
                    resp += [cp.id for cp in c.compounds if cp.h >= PARAMS["min_households"] and id(cp) not in self.r06
                             and cp.buildings[0].grid is g]
                    for cp in c.compounds:
                        if cp.id in resp:
                            cp.branch = "grid"
                g.branch = self.org(f"中共{g.name}支部委员会", "党支部",
                                    "小区(网格)" if p.branch_is_compound_branch else "网格",
                                    p.grid_branch_tier, c.org, resp, founded)
            if not p.branch_is_compound_branch:
                for cp in c.compounds:
                    if cp.h >= PARAMS["min_households"] and id(cp) not in self.r06:
                        cp.branch = self.org(f"中共{cp.name}支部委员会", "党支部", "小区", "小区党支部", c.org, [cp.id],
                                             founded)
        # building party groups
        for gi, g in enumerate(self.basic):
            ok = [b for b in g.buildings if id(b) not in self.r02]
            if not ok:
                continue
            if group_split is not None:
                k = group_split[gi]
            else:
                k = math.ceil(len(ok) / p.buildings_per_group)
            if k == 0:
                continue
            sizes = apportion(len(ok), [1.0] * k, 1) if k <= len(ok) else [1] * len(ok)
            pos = 0
            parent = g.branch or g.comm.org
            for sz in sizes:
                members = ok[pos:pos + sz]
                pos += sz
                first = members[0]
                label = first.prefix if len(members) == 1 else f"{first.prefix}等{len(members)}栋楼"
                oid = self.org(f"{label}党小组", "党小组", "楼栋", p.group_tier, parent, [b.id for b in members],
                               self.date_between(dt.date(2019, 1, 1), dt.date(2023, 12, 31)))
                for b in members:
                    b.group = oid
                self.groups.append((oid, members))
        self.figures["party_groups"] = len(self.groups)
        self.figures["grid_branches"] = sum(1 for g in self.basic if g.branch)
        # R16: every household of the new community
        if self.r16_comm is not None:
            self.gaps["R16"] = {h.id for bd in self.r16_comm.buildings for u in bd.units for h in u.hh}

    # --- people ---------------------------------------------------------------------------------------
    def person(self, *, member: bool, kind: str | None = None, home: _HH | None = None, org: str | None = None,
               work: str | None = None, post: str | None = None, age: tuple[int, int] = (28, 62),
               quota: int | None = None) -> _Person:
        r = self.rng
        pe = _Person()
        pe.i = len(self.people)
        pe.id = f"P-{pe.i + 1:06d}"
        male = r.random() < 0.52
        pe.gender = "男" if male else "女"
        pe.name = self.person_name()
        pe.birth = self.date_between(dt.date(TODAY.year - age[1], 1, 1), dt.date(TODAY.year - age[0], 12, 31))
        pe.id_card = self.id_card(pe.birth, male)
        pe.phone = self.phone()
        pe.member = member
        pe.kind = kind if member else None
        if member:
            lo = pe.birth + dt.timedelta(days=365 * 19)
            hi = min(TODAY - dt.timedelta(days=200), pe.birth + dt.timedelta(days=365 * 45))
            if kind == "新发展党员":
                lo = TODAY - dt.timedelta(days=900)
            pe.joined = self.date_between(min(lo, hi - dt.timedelta(days=2)), hi)
        else:
            pe.joined = None
        pe.org = org if member else None
        pe.work, pe.post, pe.home = work, post, home
        pe.head = False
        if home is not None and r.random() < 0.5 and home.head_taken is False:
            home.head, home.head_taken, pe.head = pe.name, True, True
            if pe.phone and home.phone:
                home.phone = pe.phone
        pe.links = []
        # quota: None = a member who links 1–2 households; 0 = planted zero; 3 = planted too many
        pe.quota = quota if member else 0
        self.people.append(pe)
        return pe

    def home_org(self, h: _HH) -> str:
        """The party organisation a resident member belongs to: the grid branch, else the community's."""
        g = h.bld.grid
        return g.branch or g.comm.org

    def roles(self) -> None:
        p, r = self.p, self.rng
        # street offices (work units of street leaders)
        self.street_offices = []
        for sid, name, kind in self.streets:
            oid = self.new_id("E", 4)
            nm = f"{p.county}{name}{'办事处' if kind == '街道' else '人民政府'}"
            self.add("organizations", **{"单位编号": oid, "单位名称": nm, "单位性质": "党政机关", "隶属层级": "乡镇街道",
                                          "统一社会信用代码": self.credit_code("党政机关"),
                                          "地址": f"{p.county}{r.choice(ROADS)}{r.randint(1, 200)}号"})
            self.street_offices.append(oid)
        self.org_staff: dict[str, list[_Person]] = defaultdict(list)
        # organisations: the reported units plus others
        self.make_units()
        hh_by_comm = {c.i: [h for bd in c.buildings for u in bd.units for h in u.hh] for c in self.comms}
        self.hh_by_comm = hh_by_comm
        all_hh = self.hhs
        # street leaders contacting grids
        nsl = self.n(p.street_leaders, len(self.streets))
        split = apportion(nsl, [sum(len(c.basic) for c in self.comms if c.street == si)
                                for si in range(len(self.streets))], 1)
        self.figures["street_leaders"] = nsl
        for si, k in enumerate(split):
            grids = [g for c in self.comms if c.street == si for g in c.basic]
            homes = [h for c in self.comms if c.street == si for h in hh_by_comm[c.i]]
            leaders = []
            body = "党工委" if self.streets[si][2] == "街道" else "党委"
            for j in range(k):
                role = "书记" if j == 0 else "副书记" if j == 1 else "委员"
                pe = self.person(member=True, kind="在职党员", home=r.choice(homes), org=self.street_orgs[si],
                                 work=self.street_offices[si], post=body + role, age=(35, 56))
                self.officer(pe, self.street_orgs[si], role)
                leaders.append(pe)
            for gi, g in enumerate(grids):
                pe = leaders[gi % len(leaders)]
                self.add("grid_contacts", **{"人员编号": pe.id, "网格编号": g.id,
                                             "起始日期": _d(self.date_between(dt.date(2021, 1, 1), dt.date(2023, 6, 30)))})
        # community staff, party officers, grid branch secretaries, grid workers
        sec_total = self.n(p.branch_secretaries) if p.branch_secretaries else None
        branches_by_comm = [[g for g in c.basic if g.branch] for c in self.comms]
        if sec_total is not None:
            sec_total = min(sec_total, sum(len(x) for x in branches_by_comm))
            sec_split = apportion(sec_total, [len(x) for x in branches_by_comm],
                                  [1 if x else 0 for x in branches_by_comm], [len(x) for x in branches_by_comm])
        else:
            sec_split = [len(x) for x in branches_by_comm]
        secretaries = set()
        for c, branches, nsec in zip(self.comms, branches_by_comm, sec_split):
            homes = hh_by_comm[c.i]
            grade = lambda: f"{r.choice('一二三')}岗{_cn_number(r.randint(1, 18))}级"
            staff_posts = [("社区党组织书记", "书记"), ("社区党组织副书记", "副书记"), ("社区专职工作者", "委员"),
                           ("社区专职工作者", "委员")] + [("社区专职工作者", None)] * r.randint(1, 4)
            for post, role in staff_posts:
                member = role is not None or r.random() < 0.5
                pe = self.person(member=member, kind="社区党员", home=r.choice(homes), org=c.org, age=(25, 55))
                self.add("community_workers", **{"人员编号": pe.id, "社区编号": c.id, "岗位": post, "等级": grade(),
                                                 "起始日期": self.since(2015)})
                if role:
                    self.officer(pe, c.org, role)
            secs = []
            for _ in range(nsec):
                pe = self.person(member=True, kind="社区党员", home=r.choice(homes), org=c.org, age=(28, 58))
                self.add("community_workers", **{"人员编号": pe.id, "社区编号": c.id, "岗位": "网格党支部书记", "等级": grade(),
                                                 "起始日期": self.since(2016)})
                secs.append(pe)
                secretaries.add(pe.id)
            for k, g in enumerate(branches):
                pe = secs[k % len(secs)]
                pe.org = g.branch if k < len(secs) else pe.org
                self.officer(pe, g.branch, "书记")
            for g in c.basic:
                ghomes = [h for bd in g.buildings for u in bd.units for h in u.hh]
                for _ in range(g.ft):
                    member = r.random() < 0.45
                    pe = self.person(member=member, kind="社区党员", home=r.choice(ghomes), org=self.home_org(ghomes[0]),
                                     age=(23, 50))
                    self.add("community_workers", **{"人员编号": pe.id, "社区编号": c.id, "岗位": "专职网格员", "等级": grade(),
                                                     "起始日期": self.since(2017)})
                    self.add("grid_workers", **{"人员编号": pe.id, "网格编号": g.id, "是否专职": "是",
                                                "起始日期": self.since(2018)})
        self.figures["branch_secretaries"] = len(secretaries)
        self.figures["full_time_workers"] = sum(g.ft for g in self.basic)

        # building leaders: the 双楼长 pairs and the planted gaps
        blds = self.blds
        n03a, n03b = self.n03a, self.n03b
        chosen = self.pick(blds, n03a + n03b)
        r.shuffle(chosen)
        r03a, r03b = chosen[:n03a], chosen[n03a:]
        self.gaps["R03A"] = {b.id for b in r03a}
        self.gaps["R03B"] = {b.id for b in r03b}
        plan: dict[int, list[bool]] = {}  # building → in_service flags of its leaders
        ids_a, ids_b = set(id(b) for b in r03a), set(id(b) for b in r03b)
        for b in blds:
            if id(b) in ids_a:
                plan[b.i] = []
            elif id(b) in ids_b:
                plan[b.i] = [r.random() < 0.5]
            else:
                plan[b.i] = [True, False]
        if self.leaders_total is not None:
            extra = self.leaders_total - sum(len(v) for v in plan.values())
            for b in r03b:
                if extra <= 0:
                    break
                plan[b.i].append(plan[b.i][0])
                extra -= 1
            pairs = [b for b in blds if len(plan[b.i]) == 2]
            for b in pairs[:max(0, extra)]:
                plan[b.i].append(False)
        in_service_rows = [(b, k) for b in blds for k, s in enumerate(plan[b.i]) if s]
        n_red = self.n(p.red_leaders) if p.red_leaders else int(len(in_service_rows) * 0.18)
        n_red = min(n_red, len(in_service_rows))
        red = set((b.i, k) for b, k in self.pick(in_service_rows, n_red))
        self.leaders_by_grid: dict[int, list[_Person]] = defaultdict(list)
        gov_units = [o for o in self.units_all if o[2] in ("党政机关", "事业单位")]
        for b in blds:
            homes = [h for u in b.units for h in u.hh]
            for k, in_service in enumerate(plan[b.i]):
                is_red = (b.i, k) in red
                if in_service:
                    unit = r.choice(gov_units) if is_red else r.choice(self.units_all)
                    member = is_red or r.random() < 0.5
                    pe = self.person(member=member, kind="在职党员", home=r.choice(homes), org=unit[3], work=unit[0],
                                     post=r.choice(("科员", "副科长", "科长", "职员", "干部")), age=(26, 55))
                    self.org_staff[unit[0]].append(pe)
                else:
                    member = r.random() < 0.55
                    pe = self.person(member=member, kind="退休党员" if r.random() < 0.7 else "社区党员",
                                     home=r.choice(homes), org=self.home_org(homes[0]), age=(50, 75))
                    self.leaders_by_grid[b.grid.i].append(pe)
                self.add("building_leaders", **{"人员编号": pe.id, "楼栋编号": b.id, "是否在职": _b(in_service),
                                                "红色楼长": _b(is_red),
                                                "起始日期": self.since(2020)})
        self.figures["building_leaders"] = sum(len(v) for v in plan.values())
        self.figures["red_leaders"] = len(red)
        # part-time grid workers: non-in-service building leaders of the grid, or new residents
        for g in self.basic:
            pool = self.leaders_by_grid.get(g.i, [])
            k = r.randint(1, 3)
            chosen_pt = pool[:k]
            ghomes = [h for bd in g.buildings for u in bd.units for h in u.hh]
            while len(chosen_pt) < k:
                chosen_pt.append(self.person(member=False, home=r.choice(ghomes), age=(30, 68)))
            for pe in chosen_pt:
                self.add("grid_workers", **{"人员编号": pe.id, "网格编号": g.id, "是否专职": "否",
                                            "起始日期": self.since(2019)})

        # unit leaders: members living in their unit, except the planted gaps
        units = self.units
        n04a = self.gap(len(units))
        r04a = set(id(u) for u in self.pick(units, n04a))
        led = [u for u in units if id(u) not in r04a]
        n04b = self.gap(len(led))
        r04b = set(id(u) for u in self.pick(led, n04b))
        self.gaps["R04A"] = {u.id for u in units if id(u) in r04a}
        self.gaps["R04B"] = {u.id for u in units if id(u) in r04b}
        for u in led:
            home = r.choice(u.hh)
            member = id(u) not in r04b
            pe = self.person(member=member, kind=r.choice(("社区党员", "退休党员")), home=home, org=self.home_org(home),
                             age=(35, 72))
            u.leader = pe
            self.add("unit_leaders", **{"人员编号": pe.id, "单元编号": u.id,
                                        "起始日期": self.since(2020)})
        self.figures["unit_leaders"] = len(led)
        # party group leaders: a member unit leader of the group's buildings, else a new resident member
        for oid, members in self.groups:
            leader = next((u.leader for b in members for u in b.units
                           if u.leader is not None and u.leader.member), None)
            if leader is None:
                home = r.choice(members[0].units[0].hh)
                leader = self.person(member=True, kind="社区党员", home=home, org=oid, age=(35, 70))
            else:
                leader.org = oid
            self.officer(leader, oid, "组长")
        # compound branch secretaries
        for cp in self.compounds:
            if cp.branch and cp.branch != "grid":
                home = r.choice(cp.buildings[0].units[0].hh)
                pe = self.person(member=True, kind=r.choice(("社区党员", "退休党员")), home=home, org=cp.branch, age=(40, 68))
                self.officer(pe, cp.branch, "书记")

    def officer(self, pe: _Person, org: str, role: str, part_time: bool | None = None) -> None:
        self.add("officers", **{"人员编号": pe.id, "党组织编号": org, "职务": role, "是否兼职": _b(part_time),
                                "起始日期": self.since(2018)})

    # --- co-building units and dual reporting -----------------------------------------------------------
    def make_units(self) -> None:
        """Organisations with their party organisations: (id, name, kind, party org)."""
        p, r = self.p, self.rng
        n_rep = self.n(p.units_reported)
        n_other = self.n(p.other_units, 0)
        units = []
        names = list(BUREAUS)
        r.shuffle(names)
        total = n_rep + n_other
        for k in range(total):
            if k < len(names):
                name, kind = names[k]
                name = f"共青团{p.county}委员会" if name == "团县委" else p.county + name[1:]
            else:
                kind = r.choice(("非公企业", "非公企业", "社会组织", "国有企业"))
                word = ENTERPRISE_WORDS[k % len(ENTERPRISE_WORDS)] + ENTERPRISE_WORDS[(k * 7) % len(ENTERPRISE_WORDS)]
                name = self.unique_name(lambda: f"{p.county[:-1]}{word}{r.choice(('商贸', '建材', '食品', '物流', '科技', '纺织'))}"
                                                f"{'有限公司' if kind != '社会组织' else '协会'}")
            oid = self.new_id("E", 4)
            level = "上级驻县" if name.endswith(("供电公司", "税务局", "气象局", "分公司", "烟草专卖局")) else (
                "县直" if kind in ("党政机关", "事业单位", "群团组织", "国有企业") else "其他")
            self.add("organizations", **{"单位编号": oid, "单位名称": name, "单位性质": kind, "隶属层级": level,
                                          "统一社会信用代码": self.credit_code(kind),
                                          "地址": f"{p.county}{r.choice(ROADS)}{r.randint(1, 300)}号"})
            fn = {"党政机关": "机关", "事业单位": "事业单位", "群团组织": "机关", "社会组织": "社会组织"}.get(kind, "企业")
            big = r.random() < 0.2 and kind in ("党政机关", "国有企业")
            po = self.org(f"中共{name}{'委员会' if big else '支部委员会'}", "党委" if big else "党支部", fn,
                          "机关党委" if big and fn == "机关" else f"{fn}党支部" if not big else "党委", None, [])
            self.add("org_coverage", **{"党组织编号": po, "单位编号": oid, "组建方式": "单独组建"})
            units.append((oid, name, kind, po))
        self.units_reported = units[:n_rep]
        self.units_all = units

    def organisations(self) -> None:
        """单位报到, 个人报到, 编入, 结对共建, 大党委 seats."""
        p, r = self.p, self.rng
        rep = self.units_reported
        n11a, n11b = self.gap(len(rep)), self.gap(len(rep))
        chosen = self.pick(rep, n11a + n11b)
        r.shuffle(chosen)
        r11a, r11b = set(o[0] for o in chosen[:n11a]), set(o[0] for o in chosen[n11a:])
        self.gaps["R11A"], self.gaps["R11B"] = set(r11a), set(r11b)
        comms = [c for c in self.comms if not c.new] or self.comms
        unit_comm = {}
        for k, o in enumerate(rep):
            c = comms[k % len(comms)] if k < len(comms) else r.choice(comms)
            unit_comm[o[0]] = c
            d = self.date_between(dt.date(2019, 3, 1), dt.date(2023, 10, 31))
            self.add("reports", **{"报到主体编号": o[0], "社区编号": c.id, "报到日期": _d(d), "状态": "已报到"})
            if o[0] not in r11b:
                self.add("pairings", **{"单位编号": o[0], "社区编号": c.id, "签订日期": _d(d + dt.timedelta(days=r.randint(5, 90))),
                                        "需求清单": r.choice(("老旧小区改造", "文明城市创建", "助老服务", "环境整治", "矛盾调解")),
                                        "资源清单": r.choice(("志愿服务", "技术支持", "场地共享", "资金支持", "专业人才")),
                                        "项目清单": r.choice(("邻里节", "爱心义诊", "法律咨询进社区", "红色物业共建", "四点半课堂"))})
        # reported in-service members, living in the county, reporting to their own community
        n_members = self.n(p.reported_members)
        active = [o for o in rep if o[0] not in r11a]
        weights = [{"党政机关": 3.0, "事业单位": 4.0, "国有企业": 2.5}.get(o[2], 1.0) * r.uniform(0.6, 1.4) for o in active]
        split = apportion(n_members, weights, 1)
        reporters: list[_Person] = []
        for o, k in zip(active, split):
            for _ in range(k):
                home = r.choice(self.hhs)
                pe = self.person(member=True, kind="在职党员", home=home, org=o[3], work=o[0],
                                 post=r.choice(("科员", "副科长", "科长", "职员", "教师", "医生", "工程师", "干部")), age=(24, 58))
                self.org_staff[o[0]].append(pe)
                reporters.append(pe)
        for o in rep:
            if o[0] in r11a:
                for _ in range(r.randint(1, 3)):
                    pe = self.person(member=True, kind="在职党员", home=r.choice(self.hhs), org=o[3], work=o[0],
                                     post=r.choice(("科员", "职员", "干部")), age=(24, 58))
                    self.org_staff[o[0]].append(pe)
        self.figures["reported_members"] = len(reporters)
        self.figures["units_reported"] = len(rep)
        n10a, n10b = self.gap(len(reporters)), self.gap(len(reporters))
        chosen = self.pick(reporters, n10a + n10b)
        r.shuffle(chosen)
        r10a, r10b = set(id(x) for x in chosen[:n10a]), set(id(x) for x in chosen[n10a:])
        self.gaps["R10A"] = {x.id for x in reporters if id(x) in r10a}
        self.gaps["R10B"] = {x.id for x in reporters if id(x) in r10b}
        for pe in reporters:
            c = pe.home.bld.comm
            self.add("reports", **{"报到主体编号": pe.id, "社区编号": c.id,
                                   "报到日期": _d(self.date_between(dt.date(2019, 3, 1), dt.date(2024, 3, 31))),
                                   "状态": "已报到"})
            if id(pe) in r10a:
                continue
            b = pe.home.bld
            target = b.group if (b.group and r.random() < 0.5) else (b.grid.branch or b.group or c.org)
            self.add("assignments", **{"人员编号": pe.id, "党组织编号": target,
                                       "编入日期": _d(self.date_between(dt.date(2023, 4, 1), dt.date(2024, 4, 30)))})
            if id(pe) in r10b:
                pe.quota = 0
        # 大党委 seats: a few units per community, each with a part-time committee member
        for c in self.comms:
            if c.new:
                continue
            local = [o for o in rep if unit_comm[o[0]] is c and self.org_staff.get(o[0])]
            others = [o for o in self.units_all if self.org_staff.get(o[0]) and o not in local]
            seats = local[:r.randint(3, 6)]
            while len(seats) < 3 and others:
                o = others.pop(r.randrange(len(others)))
                seats.append(o)
            for o in seats:
                self.add("committee_seats", **{"单位编号": o[0], "党组织编号": c.org,
                                               "起始日期": self.since(2021)})
                staff = [x for x in self.org_staff[o[0]] if x.member]
                if staff:
                    self.officer(staff[0], c.org, "兼职委员", True)
        # units' branch secretaries: a member of their staff
        for o in self.units_all:
            staff = [x for x in self.org_staff.get(o[0], []) if x.member]
            if not staff:
                pe = self.person(member=True, kind="在职党员", home=r.choice(self.hhs), org=o[3], work=o[0],
                                 post="负责人", age=(35, 58))
                self.org_staff[o[0]].append(pe)
                staff = [pe]
            self.officer(staff[0], o[3], "书记")

    # --- property companies and owners' bodies -----------------------------------------------------------
    def property(self) -> None:
        p, r = self.p, self.rng
        own = self.n(p.company_own_branches)
        joint, instr = self.n(p.company_joint_branches, 0), self.n(p.company_instructors, 0)
        joint_sizes = [2 + (1 if k % 2 else 0) for k in range(joint)]
        base = own + sum(joint_sizes) + instr
        n13 = self.gap(base)
        n_comp = base + n13
        companies = []
        for k in range(n_comp):
            cid = self.new_id("WY", 3)
            name = self.unique_name(lambda: f"{p.county[:-1]}{r.choice(NAME_PREFIX)}{r.choice(NAME_PREFIX)}物业服务有限公司")
            self.add("property_companies", **{"物业企业编号": cid, "企业名称": name, "统一社会信用代码": self.credit_code("企业"),
                                              "联系电话": f"{p.area_code}-{r.randint(2000000, 8999999)}"})
            companies.append((cid, name))
        order = list(companies)
        r.shuffle(order)
        pos = 0
        for k in range(own):
            cid, name = order[pos]
            pos += 1
            po = self.org(f"中共{name}支部委员会", "党支部", "物业企业", "物业企业党支部", self.sector_org, [])
            self.add("org_coverage", **{"党组织编号": po, "单位编号": cid, "组建方式": "单独组建"})
            self.company_staff(cid, po, "书记")
        for k, sz in enumerate(joint_sizes):
            group = order[pos:pos + sz]
            pos += sz
            po = self.org(f"中共{p.county[:-1]}物业企业第{_cn_number(k + 1)}联合支部委员会", "党支部", "联合", "物业企业联合党支部",
                          self.sector_org, [])
            for j, (cid, _) in enumerate(group):
                self.add("org_coverage", **{"党组织编号": po, "单位编号": cid, "组建方式": "联合组建"})
                self.company_staff(cid, po, "书记" if j == 0 else "委员")
        housing = next((o for o in self.units_all if "住房" in o[1]), self.units_all[0])
        for k in range(instr):
            cid, _ = order[pos]
            pos += 1
            pe = self.person(member=True, kind="在职党员", home=r.choice(self.hhs), org=housing[3], work=housing[0],
                             post="党建工作指导员", age=(30, 58))
            self.org_staff[housing[0]].append(pe)
            self.add("instructors", **{"人员编号": pe.id, "指导对象编号": cid,
                                       "起始日期": self.since(2021)})
            self.company_staff(cid, None, None)
        r13 = order[pos:]
        for cid, _ in r13:
            self.company_staff(cid, None, None)
        self.gaps["R13"] = {cid for cid, _ in r13}
        self.figures["property_companies"] = n_comp

        # which compounds are served how
        comps = self.compounds
        n_self = min(self.n(p.self_managed), len(comps))
        n12, n14a = self.gap(len(comps)), self.gap(len(comps))
        small_first = sorted(comps, key=lambda cp: (cp.kind not in ("单位家属小区", "村建小区"), cp.h, cp.i))
        self_managed = small_first[:n_self]
        pool = [cp for cp in comps if cp not in self_managed]
        chosen = self.pick(pool, n12 + n14a)
        r.shuffle(chosen)
        r12, r14a = chosen[:n12], chosen[n12:]
        for cp in self_managed:
            cp.self_managed = True
        self.gaps["R12"] = {cp.id for cp in r12}
        self.gaps["R14A"] = {cp.id for cp in r14a}
        served = [cp for cp in comps if not cp.self_managed and cp not in r12]
        split = apportion(len(served), [r.uniform(0.5, 1.5) for _ in companies], 1) \
            if len(served) >= len(companies) else \
            [1] * len(served) + [0] * (len(companies) - len(served))
        pos = 0
        for (cid, _), k in zip(companies, split):
            for cp in served[pos:pos + k]:
                mode = "市场化" if cp.kind in ("大产权小区", "其他") else ("代管" if cp.kind == "单位家属小区" else
                                                                       r.choice(("市场化", "兜底")))
                self.add("property_service", **{"物业企业编号": cid, "小区编号": cp.id, "服务方式": mode,
                                                "起始日期": self.since(2012)})
            pos += k

        # owners' bodies: every compound but the planted ones; stated counts exact
        with_body = [cp for cp in comps if cp not in r14a]
        n_yw = self.n(p.owners_committees, 0) if p.owners_committees is not None else int(round(0.4 * len(with_body)))
        n_yw = min(n_yw, len(with_body))
        if p.management_committees is not None:
            n_wg = self.n(p.management_committees, 0)
        else:
            n_wg = len(with_body) - n_yw
        # owners' committees in commercial compounds first; self-managed compounds have a 物管会
        cands = sorted((cp for cp in with_body if not cp.self_managed),
                       key=lambda cp: (cp.kind != "大产权小区", -cp.h, cp.i))
        yw = cands[:n_yw]
        yw_set = set(id(cp) for cp in yw)
        bodies: list[tuple[_Compound, str]] = [(cp, "业主委员会") for cp in yw]
        wg_cps = [cp for cp in with_body if id(cp) not in yw_set]
        bodies += [(cp, "物业管理委员会") for cp in wg_cps[:n_wg]]
        surplus = n_wg - len(wg_cps)
        if surplus > 0:  # more bodies than compounds: committees in transition sit beside an owners' committee
            for cp in yw[:surplus]:
                bodies.append((cp, "物业管理委员会"))
        self.figures["owners_committees"] = sum(1 for _, k in bodies if k == "业主委员会")
        self.figures["management_committees"] = sum(1 for _, k in bodies if k == "物业管理委员会")
        bodies.sort(key=lambda x: (x[0].i, x[1]))
        n14b = self.gap(len(bodies))
        r14b = set(k for k in self.pick(range(len(bodies)), n14b))
        for k, (cp, kind) in enumerate(bodies):
            bid = self.new_id("YW", 4)
            total = r.randint(5, 9)
            with_group = k not in r14b
            pm = r.randint(2, min(5, total)) if with_group else r.randint(0, 1)
            self.add("owners_bodies", **{"业委会编号": bid, "名称": f"{cp.name}{kind}", "类型": kind, "成员数": str(total),
                                         "其中党员数": str(pm),
                                         "成立日期": self.since(2016),
                                         "所在小区编号": cp.id,
                                         "是否自管": _b(cp.self_managed and kind == "物业管理委员会")})
            if with_group:
                short = "业委会" if kind == "业主委员会" else "物管会"
                po = self.org(f"{cp.name}{short}党小组", "党小组", short, f"{short}党小组", cp.comm.org, [])
                self.add("org_coverage", **{"党组织编号": po, "单位编号": bid, "组建方式": "单独组建"})
                members = [u.leader for b in cp.buildings for u in b.units if u.leader is not None and u.leader.member]
                if members:
                    self.officer(members[0], po, "组长")
            else:
                self.gaps["R14B"].add(bid)

    def company_staff(self, cid: str, po: str | None, role: str | None) -> None:
        r = self.rng
        pe = self.person(member=po is not None, kind="在职党员", home=r.choice(self.hhs), org=po, work=cid,
                         post=r.choice(("项目经理", "客服主管", "总经理", "维修主管")), age=(26, 55))
        if po and role:
            self.officer(pe, po, role)

    # --- 包联 ----------------------------------------------------------------------------------------------
    def links(self) -> None:
        r = self.rng
        hhs = self.hhs
        special = [h for h in hhs if h.special]
        n07 = self.gap(len(special))
        r07 = self.pick(special, n07)
        n08 = max(self.gap(len(hhs)), n07)
        r07_ids = set(id(h) for h in r07)
        others = [h for h in hhs if id(h) not in r07_ids and not h.special]
        r08 = r07 + self.pick(others, n08 - n07)
        self.r08 = set(id(h) for h in r08)
        self.gaps["R07"] = {h.id for h in r07}
        self.gaps["R08"] = {h.id for h in r08}
        # R09: a few members who link nobody (away, 流动党员) and a few who link three households
        members_now = sum(1 for pe in self.people if pe.member)
        n09 = self.gap(members_now)
        n_zero = n09 // 2
        n_over = n09 - n_zero
        for _ in range(n_zero):
            home = r.choice(hhs)
            self.person(member=True, kind=r.choice(("流动党员", "流动党员", "社区党员")), home=home,
                        org=home.bld.grid.comm.org, age=(20, 45), quota=0)
        linked: dict[int, int] = defaultdict(int)  # household index → number of member links

        def link(pe: _Person, h: _HH, kind: str | None = None) -> None:
            pe.links.append((h, kind or ("特殊群体" if h.special else "普通住户")))
            linked[h.i] += 1

        by_grid: dict[int, list[_Person]] = defaultdict(list)
        for pe in self.people:
            if pe.member and pe.quota != 0:
                by_grid[pe.home.bld.grid.i].append(pe)
        for g in self.basic:
            ghh = [h for bd in g.buildings for u in bd.units for h in u.hh]
            pool = [h for h in ghh if id(h) not in self.r08]
            # 1. unit leaders look after the special households of their unit
            for bd in g.buildings:
                for u in bd.units:
                    ul = u.leader
                    if ul is None or not ul.member or ul.quota == 0:
                        continue
                    for h in u.hh:
                        if h.special and id(h) not in self.r08 and len(ul.links) < 2:
                            link(ul, h, "困难户" if ("低保户" in h.special or "困难户" in h.special) else "特殊群体")
            # 2. every other household: a member of the same building, else of the grid, else a new member
            members = by_grid.get(g.i, [])
            free0 = defaultdict(list)
            free1 = defaultdict(list)
            for pe in reversed(members):
                (free0 if not pe.links else free1)[pe.home.bld.i].append(pe)
            grid0 = [pe for pe in reversed(members) if not pe.links]
            grid1 = [pe for pe in reversed(members) if len(pe.links) == 1]

            def take(stack: list[_Person], need: int) -> _Person | None:
                while stack:
                    pe = stack.pop()
                    if len(pe.links) == need:
                        return pe
                return None

            for h in pool:
                if linked[h.i]:
                    continue
                b = h.bld.i
                pe = take(free0[b], 0) or take(grid0, 0) or take(free1[b], 1) or take(grid1, 1)
                if pe is None:
                    home = r.choice(h.unit.hh)
                    pe = self.person(member=True, kind=r.choices(("社区党员", "退休党员", "新发展党员", "流动党员"), (52, 36, 7, 5))[0],
                                     home=home, org=self.home_org(home), age=(22, 80))
                    free1[b].append(pe)
                else:
                    if len(pe.links) == 0:
                        free1[b].append(pe)
                link(pe, h)
            # 3. members left without a household: a neighbour already looked after
            for pe in members:
                if pe.links or pe.quota == 0:
                    continue
                near = [h for u in pe.home.bld.units for h in u.hh if id(h) not in self.r08] or pool
                if not near:
                    near = [h for h in hhs if id(h) not in self.r08]
                link(pe, r.choice(near))
        # members created after the grid pass (none expected) and anyone still without a link
        for pe in self.people:
            if pe.member and pe.quota != 0 and not pe.links:
                near = [h for u in pe.home.bld.units for h in u.hh if id(h) not in self.r08] or \
                       [h for h in hhs if id(h) not in self.r08]
                link(pe, r.choice(near))
        # 4. planted: some members look after three households
        two = [pe for pe in self.people if pe.member and pe.quota is None and len(pe.links) == 2]
        for pe in self.pick(two, n_over):
            have = {h.i for h, _ in pe.links}
            near = [h for bd in pe.home.bld.grid.buildings for u in bd.units for h in u.hh
                    if id(h) not in self.r08 and h.i not in have]
            link(pe, r.choice(near))
            pe.quota = 3
        self.gaps["R09"] = {pe.id for pe in self.people if pe.member and not 1 <= len(pe.links) <= 2}
        for pe in self.people:
            for h, kind in pe.links:
                self.add("links", **{"人员编号": pe.id, "住户编号": h.id, "包联类型": kind,
                                     "起始日期": _d(self.date_between(dt.date(2022, 1, 1), dt.date(2024, 3, 31)))})
        self.figures["members"] = sum(1 for pe in self.people if pe.member)
        self.figures["links"] = sum(len(pe.links) for pe in self.people)

    def centre_households(self) -> None:
        p, r = self.p, self.rng
        n = self.n(p.party_centre) if p.party_centre else self.n(self.H * 0.01)
        homes = {}
        for pe in self.people:
            if pe.member and pe.home is not None and pe.home.bld.group and pe.home.i not in homes:
                homes[pe.home.i] = pe.home
        cands = [homes[k] for k in sorted(homes)]
        for h in self.pick(cands, n):
            h.centre = h.bld.group
        self.figures["party_centre"] = min(n, len(cands))

    # --- service sites and the 15-minute circle -----------------------------------------------------------
    def sites(self) -> None:
        p, r = self.p, self.rng
        sites: list[tuple[float, float]] = []

        def site(kind: str, name: str, lat: float, lon: float, where: str, run_by: str | None, address: str) -> None:
            sid = self.new_id("SS", 4)
            self.add("service_sites", **{"阵地编号": sid, "名称": name, "阵地类型": kind, "地址": address,
                                         "纬度": f"{lat:.6f}", "经度": f"{lon:.6f}",
                                         "开放时间": r.choice(("8:00-18:00", "8:30-17:30", "全天", "9:00-21:00")),
                                         "所在社区编号": where, "运营主体编号": run_by})
            sites.append((round(lat, 6), round(lon, 6)))

        for c in self.comms:
            site("党群服务中心", f"{c.name}党群服务中心", c.lat, c.lon, c.id, c.org, f"{p.county}{c.road}{r.randint(1, 99)}号")
        weights = [max(c.households, 1) for c in self.comms]
        companies = [row["物业企业编号"] for row in self.rows["property_companies"]]
        for kind, count, where in p.sites:
            k_total = self.n(count)
            split = apportion(k_total, weights, 0)
            for c, k in zip(self.comms, split):
                if where == "compound":
                    comps = c.compounds
                    for j in range(k):
                        cp = comps[j % len(comps)] if k <= len(comps) else r.choice(comps)
                        lat, lon = _offset(cp.lat, cp.lon, r.uniform(-40, 40), r.uniform(-40, 40))
                        run_by = cp.branch if cp.branch and cp.branch != "grid" else (
                            cp.buildings[0].grid.branch or c.org)
                        if kind == "红色驿站" and r.random() < 0.3 and companies:
                            run_by = r.choice(companies)
                        suffix = {"红色驿站": "红色驿站", "党群服务点": "党群服务点", "小区党群服务站": "党群服务站",
                                  "党群服务站": "党群服务站"}.get(kind, kind)
                        site(kind, f"{cp.name}{suffix}" + (f"{j // len(comps) + 1}" if j >= len(comps) else ""),
                             lat, lon, cp.id, run_by, cp.address)
                else:
                    for j in range(k):
                        ang, rad = r.uniform(0, 2 * math.pi), 380 * math.sqrt(r.random())
                        lat, lon = _offset(c.lat, c.lon, rad * math.sin(ang), rad * math.cos(ang))
                        if kind == "网格驿站" and c.basic:
                            g = c.basic[j % len(c.basic)]
                            run_by, name = g.branch or c.org, f"{g.name}驿站"
                        elif kind == "青蜂驿站":
                            run_by = next((o[0] for o in self.units_all if "邮政" in o[1] or "团" in o[1]),
                                          self.units_all[0][0])
                            name = f"{c.name}青蜂驿站{j + 1}"
                        else:
                            run_by, name = c.org, f"{c.name}{kind}{j + 1}"
                        site(kind, name, lat, lon, c.id, run_by, f"{p.county}{c.road}{r.randint(1, 399)}号")
        self.figures["sites"] = len(sites)
        # R15: a few buildings far outside the town, beyond every circle
        n15 = self.gap(len(self.blds))
        scattered = [b for b in self.blds if b.compound is None]
        chosen = self.pick(scattered, n15) if len(scattered) >= n15 else scattered + self.pick(
            [b for b in self.blds if b.compound is not None], n15 - len(scattered))
        for b in chosen:
            ang = r.uniform(0, 2 * math.pi)
            dist = self.extent_m + 1800 + r.uniform(0, 1500)
            index = SiteIndex(sites)
            while True:
                lat, lon = _offset(p.lat, p.lon, dist * math.sin(ang), dist * math.cos(ang))
                lat, lon = round(lat, 6), round(lon, 6)
                if index.nearest_within(lat, lon, PARAMS["radius_m"] * 1.3) is None:
                    break
                dist += 500
            b.lat, b.lon = lat, lon
        self.gaps["R15"] = {b.id for b in chosen}
        radius = PARAMS["radius_m"]
        index = SiteIndex(sites)
        for b in self.blds:
            if b.id in self.gaps["R15"]:
                continue
            if index.nearest_within(round(b.lat, 6), round(b.lon, 6), radius * 0.95) is None:
                raise AssertionError(f"building {b.id} is outside every service circle")

    def volunteers(self) -> None:
        p, r = self.p, self.rng
        n_teams = self.n(p.volunteer_teams)
        split = apportion(n_teams, [max(c.households, 1) for c in self.comms], 0)
        teams_by_comm: dict[int, list[str]] = defaultdict(list)
        for c, k in zip(self.comms, split):
            for j in range(k):
                tid = self.new_id("VT", 3)
                kind = TEAM_KINDS[j % len(TEAM_KINDS)]
                more = f"{j // len(TEAM_KINDS) + 1}" if j >= len(TEAM_KINDS) else ""
                self.add("volunteer_teams", **{"服务队编号": tid, "名称": f"{c.name}{kind}{more}",
                                               "类型": kind, "所属社区编号": c.id})
                teams_by_comm[c.i].append(tid)
        n_vol = self.n(p.volunteers)
        people = [pe for pe in self.people if pe.home is not None and teams_by_comm.get(pe.home.bld.comm.i)]
        order = list(range(len(people)))
        r.shuffle(order)
        count = 0
        for k in order:
            if count >= n_vol:
                break
            pe = people[k]
            self.add("volunteers", **{"人员编号": pe.id, "志愿服务队编号": r.choice(teams_by_comm[pe.home.bld.comm.i])})
            count += 1
        self.figures["volunteer_teams"] = n_teams
        self.figures["volunteers"] = count

    # --- rows ------------------------------------------------------------------------------------------------
    def emit(self) -> None:
        p = self.p
        rows = self.rows
        rows["counties"].append({"县区编号": self.county_id, "名称": p.county, "省": p.province, "市": p.city})
        for sid, name, kind in self.streets:
            rows["streets"].append({"街道编号": sid, "名称": name, "类型": kind, "所属县区编号": self.county_id})
        for c in self.comms:
            rows["communities"].append({"社区编号": c.id, "名称": c.name,
                                        "地址": f"{p.county}{c.road}{self.rng.randint(1, 99)}号",
                                        "联系电话": f"{p.area_code}-{self.rng.randint(2000000, 8999999)}",
                                        "所属街道编号": self.streets[c.street][0]})
        for cp in self.compounds:
            rows["compounds"].append({"小区编号": cp.id, "名称": cp.name, "小区类型": cp.kind, "地址": cp.address,
                                      "纬度": f"{cp.lat:.6f}", "经度": f"{cp.lon:.6f}", "建成年份": str(cp.built),
                                      "所属社区编号": cp.comm.id})
        for b in self.blds:
            row = {"楼栋编号": b.id, "楼栋名称": b.name, "地址": b.address, "纬度": f"{b.lat:.6f}", "经度": f"{b.lon:.6f}",
                   "层数": str(b.floors)}
            if b.compound is not None:
                row["所属小区编号"] = b.compound.id
            else:
                row["所属社区编号"] = b.comm.id
            rows["buildings"].append(row)
        for u in self.units:
            rows["units"].append({"单元编号": u.id, "单元名称": u.name, "所属楼栋编号": u.bld.id})
        for h in self.hhs:
            row = {"住户编号": h.id, "门牌地址": h.address, "房号": h.room, "户主姓名": h.head, "常住人数": str(h.residents),
                   "党员中心户": "是" if h.centre else "否", "所属单元编号": h.unit.id}
            if h.phone:
                row["联系电话"] = h.phone
            if h.special:
                row["特殊群体"] = "、".join(h.special)
            if h.centre:
                row["中心户所属党组织编号"] = h.centre
            rows["households"].append(row)
        for g in self.grids:
            row = {"网格编号": g.id, "名称": g.name, "层级": str(g.level), "层级名称": g.level_name,
                   "多网合一": "是" if g.basic else "否", "所属社区编号": g.comm.id}
            if g.parent is not None:
                row["上级网格编号"] = g.parent.id
            rows["grids"].append(row)
            for t in g.covers:
                rows["grid_coverage"].append({"网格编号": g.id, "覆盖对象编号": t})
        for pe in self.people:
            row = {"人员编号": pe.id, "姓名": pe.name, "性别": pe.gender, "身份证号": pe.id_card, "手机号": pe.phone,
                   "出生日期": _d(pe.birth), "是否党员": _b(pe.member)}
            if pe.member:
                row["党员类别"] = pe.kind
                row["入党日期"] = _d(pe.joined)
                if pe.org:
                    row["组织关系所在党组织编号"] = pe.org
            if pe.work:
                row["工作单位编号"] = pe.work
                if pe.post:
                    row["职务"] = pe.post
            if pe.home is not None:
                row["居住户编号"] = pe.home.id
                row["是否户主"] = _b(pe.head)
            rows["people"].append(row)
        # rows sorted into a stable, readable order
        rows["party_orgs"].sort(key=lambda x: x["党组织编号"])
        rows["organizations"].sort(key=lambda x: x["单位编号"])

    def manifest_rules(self) -> dict[str, list[str]]:
        return {rid: sorted(self.gaps[rid]) for rid in RULE_IDS}


# --- writing ----------------------------------------------------------------------------------------------
def _ledger_table(spec: Ledger, rows: list[dict[str, str]]) -> tuple[list[str], list[list[str]]]:
    cols = spec.all_columns()
    header = [header_text(spec, c) for c in cols]
    keys = [c.header for c in cols]
    return header, [[row.get(k, "") for k in keys] for row in rows]


def _write_csv(path: Path, header: list[str], body: list[list[str]]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(body)
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))


def _col_letter(i: int) -> str:
    s, i = "", i + 1
    while i:
        i, rem = divmod(i - 1, 26)
        s = chr(65 + rem) + s
    return s


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _xml_text(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _write_xlsx(path: Path, tables: list[tuple[str, list[str], list[list[str]]]], title: str) -> None:
    """A plain workbook as Excel writes it: one sheet per ledger, every cell text from a shared-string
    table, a bold frozen header row, fixed document timestamps and fixed zip entry times, so the
    bytes depend on the content only. (openpyxl would write inline strings, which read slower, and
    stamps the save time into the package.)"""
    sst: dict[str, int] = {}
    strings: list[str] = []
    sheets: list[str] = []
    for _name, header, body in tables:
        letters = [_col_letter(i) for i in range(len(header))]
        widths = [max(10, 2 * len(h) + 4) for h in header]
        parts = [_XML, f'<worksheet xmlns="{_MAIN_NS}"><sheetViews><sheetView workbookViewId="0">'
                       '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
                       '<sheetFormatPr defaultRowHeight="15"/><cols>',
                 "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>'
                         for i, w in enumerate(widths)),
                 "</cols><sheetData>"]
        for rn, row in enumerate([header, *body], start=1):
            style = ' s="1"' if rn == 1 else ""
            cells = []
            for letter, v in zip(letters, row):
                if not v:
                    continue
                k = sst.get(v)
                if k is None:
                    k = sst[v] = len(strings)
                    strings.append(v)
                cells.append(f'<c r="{letter}{rn}"{style} t="s"><v>{k}</v></c>')
            parts.append(f'<row r="{rn}">{"".join(cells)}</row>')
        parts.append("</sheetData></worksheet>")
        sheets.append("".join(parts))
    n = len(sheets)
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    files: list[tuple[str, str]] = [
        ("[Content_Types].xml", _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
         '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
         '<Default Extension="xml" ContentType="application/xml"/>'
         f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
         + "".join(f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="{_CT}.worksheet+xml"/>'
                   for i in range(n))
         + f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
         f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
         '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
         '<Override PartName="/docProps/app.xml" '
         'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>'),
        ("_rels/.rels", _XML + f'<Relationships xmlns="{_PKG_REL_NS}">'
         f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
         '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
         'Target="docProps/core.xml"/>'
         f'<Relationship Id="rId3" Type="{_REL_NS}/extended-properties" Target="docProps/app.xml"/></Relationships>'),
        ("docProps/app.xml", _XML + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
         "<Application>orgnet</Application></Properties>"),
        ("docProps/core.xml", _XML + '<cp:coreProperties '
         'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
         'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
         'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
         f"<dc:title>{_xml_text(title)}</dc:title><dc:creator>orgnet demo</dc:creator>"
         "<cp:lastModifiedBy>orgnet demo</cp:lastModifiedBy>"
         f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
         f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>'),
        ("xl/workbook.xml", _XML + f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><bookViews><workbookView activeTab="0"/>'
         "</bookViews><sheets>"
         + "".join(f'<sheet name="{_xml_text(name)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                   for i, (name, _, _) in enumerate(tables))
         + "</sheets></workbook>"),
        ("xl/_rels/workbook.xml.rels", _XML + f'<Relationships xmlns="{_PKG_REL_NS}">'
         + "".join(f'<Relationship Id="rId{i + 1}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
                   for i in range(n))
         + f'<Relationship Id="rId{n + 1}" Type="{_REL_NS}/styles" Target="styles.xml"/>'
         f'<Relationship Id="rId{n + 2}" Type="{_REL_NS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
        ("xl/styles.xml", _XML + f'<styleSheet xmlns="{_MAIN_NS}">'
         '<fonts count="2"><font><sz val="11"/><name val="等线"/></font><font><b/><sz val="11"/><name val="等线"/></font></fonts>'
         '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
         '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
         '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
         '<cellXfs count="2"><xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
         '<xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1"/></cellXfs>'
         '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'),
        *((f"xl/worksheets/sheet{i + 1}.xml", xml) for i, xml in enumerate(sheets)),
        ("xl/sharedStrings.xml", _XML + f'<sst xmlns="{_MAIN_NS}" count="{len(strings)}" uniqueCount="{len(strings)}">'
         + "".join(f'<si><t xml:space="preserve">{_xml_text(s)}</t></si>' for s in strings) + "</sst>"),
    ]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name, text in files:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            archive.writestr(info, text.encode("utf-8"))
    path.write_bytes(buf.getvalue())


def generate(profile: str = "gaoqing", scale: float = 1.0, seed: int = 1, out_dir: str | Path | None = None,
             fmt: str = "xlsx", gap_rate: float = 0.02) -> Generated:
    """Generate a demo county and write its ledgers and manifest into ``out_dir``.

    Parameters
    ----------
    profile : str
        A key of ``PROFILES`` (gaoqing 高青, pingshun 平顺, huguan 壶关, wuxiang 武乡).
    scale : float
        Grows (or shrinks) every count; at 1 the figures the county's report states come out exactly.
    seed : int
        Same profile, scale, seed and gap rate → byte-identical files.
    fmt : "xlsx" or "csv"
        One workbook with a sheet per ledger, or one ``<台账>.csv`` per ledger (UTF-8 with BOM).
    gap_rate : float
        Share of each rule's population planted as violations (at least one per rule when > 0).
    """
    if profile not in PROFILES:
        raise KeyError(f"unknown profile {profile!r}; profiles: {', '.join(PROFILES)}")
    if fmt not in ("xlsx", "csv"):
        raise ValueError("fmt must be 'xlsx' or 'csv'")
    if scale <= 0:
        raise ValueError("scale must be positive")
    prof = PROFILES[profile]
    out = Path(out_dir) if out_dir is not None else Path("data") / "demo" / f"{profile}-s{seed}"
    out.mkdir(parents=True, exist_ok=True)
    county = _County(prof, scale, seed, gap_rate)
    county.build()
    tables = []
    counts: dict[str, int] = {}
    for spec in LEDGERS.values():
        header, body = _ledger_table(spec, county.rows.pop(spec.name))
        tables.append((spec.zh, header, body))
        counts[spec.zh] = len(body)
    rules = county.manifest_rules()
    figures = dict(county.figures)
    del county
    paths: list[Path] = []
    if fmt == "csv":
        for name, header, body in tables:
            path = out / f"{name}.csv"
            _write_csv(path, header, body)
            paths.append(path)
    else:
        path = out / f"orgnet-demo-{profile}.xlsx"
        _write_xlsx(path, tables, f"{prof.county}示范台账")
        paths.append(path)
    del tables
    manifest = out / "manifest.json"
    doc = {"profile": profile, "seed": int(seed), "scale": float(scale), "gap_rate": float(gap_rate),
           "params": PARAMS, "county": prof.county, "report": prof.seed_report, "chain": prof.chain,
           "figures": figures, "counts": counts, "rules": rules}
    manifest.write_text(json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    return Generated(profile, int(seed), float(scale), fmt, out, paths, manifest, counts, rules, figures)


def default_out_dir(store, profile: str, seed: int) -> Path:
    """``<directory of the Kùzu database>/demo/<profile>-s<seed>``, else ``data/demo/<profile>-s<seed>``."""
    if getattr(store, "backend", "") == "kuzu" and getattr(store, "location", ""):
        return Path(store.location).parent / "demo" / f"{profile}-s{seed}"
    return Path("data") / "demo" / f"{profile}-s{seed}"


def run_demo(store, profile: str = "gaoqing", scale: float = 1.0, seed: int = 1, out_dir: str | Path | None = None,
             progress=None, archive: Path | None = None, gap_rate: float = 0.02, fmt: str = "xlsx"):
    """Generate the demo county and load it into ``store`` through ``loaders.engine.load``."""
    from .engine import load

    out = Path(out_dir) if out_dir is not None else default_out_dir(store, profile, seed)
    if progress:
        progress("生成示范县 Generating", 0, 1)
    g = generate(profile, scale=scale, seed=seed, out_dir=out, fmt=fmt, gap_rate=gap_rate)
    return load(g.paths, store, archive=archive, progress=progress)


# --- recompute every rule from the ledger files -------------------------------------------------------------
def read_ledgers(paths: Iterable[str | Path]) -> dict[str, list[dict[str, str | None]]]:
    """Ledger name → rows keyed by the spec's column header, read with ``loaders.reading.read_file``."""
    from .reading import header_name, read_file

    by_zh = {spec.zh: spec for spec in LEDGERS.values()}
    out: dict[str, list[dict[str, str | None]]] = {spec.name: [] for spec in LEDGERS.values()}
    for path in paths:
        path = Path(path)
        for sheet in read_file(path):
            spec = by_zh.get(sheet.sheet or path.stem)
            if spec is None:
                continue
            known = {c.header: c.header for c in spec.all_columns()}
            cols = {c: known.get(header_name(c) or "", None) for c in sheet.columns}
            for row in sheet.rows:
                out[spec.name].append({cols[c]: v for c, v in row.values.items() if cols.get(c)})
    return out


def _yes(v: str | None) -> bool:
    return v is not None and v.strip() in ("是", "true", "True", "1", "Y", "y", "有", "√")


def _no(v: str | None) -> bool:
    return v is not None and v.strip() in ("否", "false", "False", "0", "N", "n", "无", "×")


def _ids(v: str | None) -> list[str]:
    if not v:
        return []
    return [x.strip() for x in v.replace(",", "、").replace("，", "、").split("、") if x.strip()]


def recompute(paths: Iterable[str | Path], params: dict[str, Any] | None = None) -> dict[str, list[str]]:
    """Every coverage rule, recomputed in plain Python from the ledger files alone (not from the
    generator's bookkeeping): rule id → sorted ids of the violating entities."""
    prm = {**PARAMS, **(params or {})}
    L = read_ledgers(paths)
    # territory
    unit_of = {r["住户编号"]: r.get("所属单元编号") for r in L["households"]}
    bld_of_unit = {r["单元编号"]: r.get("所属楼栋编号") for r in L["units"]}
    comp_of_bld = {r["楼栋编号"]: r.get("所属小区编号") for r in L["buildings"]}
    comm_of_bld = {r["楼栋编号"]: r.get("所属社区编号") for r in L["buildings"]}
    comm_of_comp = {r["小区编号"]: r.get("所属社区编号") for r in L["compounds"]}
    households = [r["住户编号"] for r in L["households"]]
    special = {r["住户编号"] for r in L["households"] if _ids(r.get("特殊群体"))}
    units = [r["单元编号"] for r in L["units"]]
    buildings = [r["楼栋编号"] for r in L["buildings"]]
    compounds = [r["小区编号"] for r in L["compounds"]]
    grids = [r["网格编号"] for r in L["grids"]]
    hh_of_unit: dict[str, list[str]] = defaultdict(list)
    for h, u in unit_of.items():
        hh_of_unit[u].append(h)
    units_of_bld: dict[str, list[str]] = defaultdict(list)
    for u, b in bld_of_unit.items():
        units_of_bld[b].append(u)
    blds_of_comp: dict[str, list[str]] = defaultdict(list)
    for b, cp in comp_of_bld.items():
        if cp:
            blds_of_comp[cp].append(b)

    def hh_under(kind: str, i: str) -> set[str]:
        if kind == "Unit":
            return set(hh_of_unit.get(i, []))
        if kind == "Building":
            return {h for u in units_of_bld.get(i, []) for h in hh_of_unit.get(u, [])}
        return {h for b in blds_of_comp.get(i, []) for u in units_of_bld.get(b, []) for h in hh_of_unit.get(u, [])}

    def kind_of(i: str) -> str:
        if i in unit_set:
            return "Unit"
        if i in bld_set:
            return "Building"
        if i in comp_set:
            return "Compound"
        return "?"

    unit_set, bld_set, comp_set = set(units), set(buildings), set(compounds)
    # party organisations
    org_kind = {r["党组织编号"]: r.get("组织类别") for r in L["party_orgs"]}
    parent = {r["党组织编号"]: r.get("上级党组织编号") for r in L["party_orgs"]}
    resp: dict[str, list[str]] = {r["党组织编号"]: _ids(r.get("负责对象编号")) for r in L["party_orgs"]}
    responsible_for: dict[str, set[str]] = defaultdict(set)  # target → orgs
    for o, ts in resp.items():
        for t in ts:
            responsible_for[t].add(o)
    # people
    is_member = {r["人员编号"]: _yes(r.get("是否党员")) for r in L["people"]}
    works_at: dict[str, set[str]] = defaultdict(set)
    for r in L["people"]:
        if r.get("工作单位编号"):
            works_at[r["工作单位编号"]].add(r["人员编号"])
    covers: dict[str, list[str]] = defaultdict(list)
    for r in L["grid_coverage"]:
        covers[r["网格编号"]].append(r["覆盖对象编号"])
    out: dict[str, set[str]] = {rid: set() for rid in RULE_IDS}
    # R01
    out["R01"] = {g for g in grids if not responsible_for.get(g)}
    # R02
    out["R02"] = {b for b in buildings if not any(org_kind.get(o) == "党小组" for o in responsible_for.get(b, ()))}
    # R03
    leaders: dict[str, list[str | None]] = defaultdict(list)
    for r in L["building_leaders"]:
        leaders[r["楼栋编号"]].append(r.get("是否在职"))
    for b in buildings:
        ls = leaders.get(b, [])
        if not ls:
            out["R03A"].add(b)
        elif not (any(_yes(x) for x in ls) and any(_no(x) for x in ls)):
            out["R03B"].add(b)
    # R04
    uleaders: dict[str, list[str]] = defaultdict(list)
    for r in L["unit_leaders"]:
        uleaders[r["单元编号"]].append(r["人员编号"])
    for u in units:
        ls = uleaders.get(u, [])
        if not ls:
            out["R04A"].add(u)
        elif any(not is_member.get(p, False) for p in ls):
            out["R04B"].add(u)
    # R05
    ft: dict[str, set[str]] = defaultdict(set)
    for r in L["grid_workers"]:
        if _yes(r.get("是否专职")):
            ft[r["网格编号"]].add(r["人员编号"])
    for g in grids:
        if not covers.get(g):
            continue
        hh = set()
        for t in covers[g]:
            hh |= hh_under(kind_of(t), t)
        workers = len(ft.get(g, ()))
        if workers and len(hh) > prm["max_households"] * workers:
            out["R05A"].add(g)
        if hh and not workers:
            out["R05B"].add(g)
    # R06
    for cp in compounds:
        if len(hh_under("Compound", cp)) >= prm["min_households"] and not any(
                org_kind.get(o) in ("党支部", "党总支", "党委") for o in responsible_for.get(cp, ())):
            out["R06"].add(cp)
    # R07–R09: 包联
    unit_leader_people = {r["人员编号"] for r in L["unit_leaders"]}
    linkers: dict[str, set[str]] = defaultdict(set)
    links_of: dict[str, set[str]] = defaultdict(set)
    for r in L["links"]:
        linkers[r["住户编号"]].add(r["人员编号"])
        links_of[r["人员编号"]].add(r["住户编号"])
    for h in households:
        ps = linkers.get(h, set())
        if not any(is_member.get(p) for p in ps):
            out["R08"].add(h)
            if h in special and not any(p in unit_leader_people for p in ps):
                out["R07"].add(h)
    for p, m in is_member.items():
        if m and not prm["min_links"] <= len(links_of.get(p, ())) <= prm["max_links"]:
            out["R09"].add(p)
    # R10, R11: 双报到
    comm_ids = {r["社区编号"] for r in L["communities"]}
    reported = {r["报到主体编号"] for r in L["reports"] if r.get("社区编号") in comm_ids}
    assigned = {r["人员编号"] for r in L["assignments"]}
    people_ids = set(is_member)
    for p in sorted(reported & people_ids):
        if p not in assigned:
            out["R10A"].add(p)
        elif not links_of.get(p):
            out["R10B"].add(p)
    paired = {r["单位编号"] for r in L["pairings"]}
    org_ids = {r["单位编号"] for r in L["organizations"]}
    for o in sorted(reported & org_ids):
        if not any(p in reported for p in works_at.get(o, ())):
            out["R11A"].add(o)
        if o not in paired:
            out["R11B"].add(o)
    # R12–R14: property and owners' bodies
    managed = {r["小区编号"] for r in L["property_service"]}
    governed = defaultdict(list)
    for r in L["owners_bodies"]:
        governed[r["所在小区编号"]].append(_yes(r.get("是否自管")))
    for cp in compounds:
        if cp not in managed and not any(governed.get(cp, [])):
            out["R12"].add(cp)
        if not governed.get(cp):
            out["R14A"].add(cp)
    covered = {r["单位编号"] for r in L["org_coverage"]}
    instructed = {r["指导对象编号"] for r in L["instructors"]}
    out["R13"] = {r["物业企业编号"] for r in L["property_companies"]
                  if r["物业企业编号"] not in covered and r["物业企业编号"] not in instructed}
    out["R14B"] = {r["业委会编号"] for r in L["owners_bodies"] if r["业委会编号"] not in covered}
    # R15
    sites = SiteIndex((float(r["纬度"]), float(r["经度"])) for r in L["service_sites"] if r.get("纬度") and r.get("经度"))
    for r in L["buildings"]:
        if r.get("纬度") and r.get("经度"):
            if sites.nearest_within(float(r["纬度"]), float(r["经度"]), prm["radius_m"]) is None:
                out["R15"].add(r["楼栋编号"])
    # R16: responsible organisations reaching a street's organisation in 0–6 hops
    streets = {r["街道编号"] for r in L["streets"]}
    street_orgs = {o for o, ts in resp.items() if any(t in streets for t in ts)}
    anchored = set()
    for o in resp:
        x, hops = o, 0
        seen = set()
        while x and x not in seen and hops <= 6:
            if x in street_orgs:
                anchored.add(o)
                break
            seen.add(x)
            x = parent.get(x)
            hops += 1
    covering_grids: dict[str, set[str]] = defaultdict(set)  # target → grids covering it
    for g, ts in covers.items():
        for t in ts:
            covering_grids[t].add(g)
    ok_target = lambda t: any(o in anchored for o in responsible_for.get(t, ()))  # noqa: E731
    for h in households:
        u = unit_of.get(h)
        b = bld_of_unit.get(u)
        cp = comp_of_bld.get(b) if b else None
        comm = comm_of_comp.get(cp) if cp else comm_of_bld.get(b)
        targets = [t for t in (u, b, cp, comm) if t]
        grids_here = set()
        for t in (u, b, cp):
            if t:
                grids_here |= covering_grids.get(t, set())
        if not any(ok_target(t) for t in targets) and not any(ok_target(g) for g in grids_here):
            out["R16"].add(h)
    return {rid: sorted(out[rid]) for rid in RULE_IDS}
