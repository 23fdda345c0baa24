"""Party organisations along the county's chain wording, people (members and residents), and the
roles they hold (secretaries, grid workers, building and unit leaders, officers); plants the gaps of
R01, R02, R03A/R03B, R04A/R04B, R06 and R16 (grids, buildings, units, 1000-household compounds and
households left without their party organisation or leaders).

A mixin of ``demo.county._County`` (runs after ``demo.territory``)."""
from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable

from .common import PARAMS, TODAY, _HH, _Bld, _Person, _b, _cn_number, _d, apportion
from .profiles import ROADS


class _People:
    """Party organisations, people and their roles."""

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
        p = self.p
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
