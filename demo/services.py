"""The service side of the demo county: 包联 (members linked to the households they serve), party-centre
households, service sites (one 党群服务中心 per community plus the profile's stations) checked against
the 15-minute circle, and volunteer teams; plants the gaps of R07, R08, R09 and R15.

A mixin of ``demo.county._County`` (runs after ``demo.organisations``)."""
from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

from .common import PARAMS, SiteIndex, _HH, _Person, _d, _offset, apportion
from .profiles import TEAM_KINDS


class _Services:
    """包联, centre households, service sites and volunteers."""

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
        p = self.p
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
