"""One demo county in memory: ``_County`` holds the state (profile, seeded random generator, ledger
rows, planted gaps, people, figures) and the helpers every step uses (ids, unique names, phones, ID
cards, credit codes, dates), runs the steps in order (territory → party and people → organisations
→ services), turns the in-memory county into ledger rows, and lists the planted gaps per rule (the
manifest's ``rules``). The steps themselves are the mixins of ``territory``, ``people``,
``organisations`` and ``services``."""
from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from loaders.cells import id_check_char
from loaders.specs import LEDGERS

from .common import RULE_IDS, _b, _cn_number, _d, _Person
from .organisations import _Organisations
from .people import _People
from .profiles import CREDIT_CHARS, CREDIT_WEIGHTS, GIVEN, PHONE_PREFIXES, SURNAMES, Profile
from .services import _Services
from .territory import _Territory


class _County(_Territory, _People, _Organisations, _Services):
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
        self.ungridded()
        self.emit()

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
