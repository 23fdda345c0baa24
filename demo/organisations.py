"""The organisations of the demo county: co-building units (bureaus, enterprises, schools ...) and
their members' 双报到 dual reporting, property companies and owners' bodies (业委会, 物管会) of the
compounds, with their staff and branches; plants the gaps of R10A/R10B, R11A/R11B, R12, R13 and
R14A/R14B.

A mixin of ``demo.county._County`` (runs after ``demo.people``)."""
from __future__ import annotations

import datetime as dt

from .common import _Compound, _Person, _b, _cn_number, _d, apportion
from .profiles import BUREAUS, ENTERPRISE_WORDS, NAME_PREFIX, ROADS


class _Organisations:
    """Co-building units, dual reporting, property companies and owners' bodies."""

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
