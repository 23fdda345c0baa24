"""The territory of the demo county, built top-down with exact apportionment: streets, communities,
multi-level grids, households per basic grid, buildings (from the 双楼长 arithmetic where leader
counts are stated), units, households per unit, and the compounds cut from each community's
buildings, with each household's special groups; plants the gaps of R05A/R05B (basic grids whose
full-time workers carry too many households, basic grids with no full-time worker) and, once every
other step is done, of R17A/R17B (buildings, and so their households, that no grid covers).

A mixin of ``demo.county._County``: it works on the county's state (``self.p``, ``self.rng``,
``self.rows``, ``self.gaps``, the id/name helpers) and leaves ``self.comms``, ``self.grids``,
``self.compounds``, ``self.blds``, ``self.units``, ``self.hhs`` for the steps after it."""
from __future__ import annotations

import math
import random
from collections import defaultdict

from .common import PARAMS, _Bld, _Comm, _Compound, _Grid, _HH, _Unit, _cn_number, _offset, apportion, haversine
from .profiles import BUREAUS, COMPOUND_SUFFIX, NAME_PREFIX, NAME_SECOND, ROADS, SPECIAL_WEIGHTS, VILLAGES


class _Territory:
    """Streets, communities, grids, compounds, buildings, units and households."""

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

    def ungridded(self) -> None:
        """R17A/R17B: a few buildings that no grid covers, taken out of their grid's coverage.

        Run after every other step, with its own random stream, so nothing else of the county
        changes. A building qualifies only when taking it out changes no other rule's answer: its
        grid keeps households (R05B), stays on the same side of 300 households per full-time
        worker (R05A), and its community's party chain is whole (R16 does not then rest on the grid).
        A compound its grid covered whole is covered building by building, without this one.
        """
        rng = random.Random(f"{self.p.key}|{self.scale!r}|{self.seed}|R17")
        limit = PARAMS["max_households"]

        def same_side(g, fewer: int) -> bool:
            if not g.ft:
                return g.h - fewer > 0
            return (g.h > limit * g.ft) == (g.h - fewer > limit * g.ft) and g.h - fewer > 0

        candidates = [bd for bd in self.blds if bd.h > 0 and bd.grid is not None and not bd.grid.comm.new
                      and (bd.compound is None or len(bd.compound.buildings) > 1) and same_side(bd.grid, bd.h)]
        chosen = []
        for bd in sorted(rng.sample(candidates, min(len(candidates), self.gap(len(self.blds)))), key=lambda b: b.i):
            g = bd.grid
            if not same_side(g, bd.h):  # an earlier pick took households from the same grid
                continue
            cp = bd.compound
            if cp is not None and cp.id in g.covers:
                at = g.covers.index(cp.id)
                g.covers[at:at + 1] = [b2.id for b2 in cp.buildings if b2 is not bd]
            elif bd.id in g.covers:
                g.covers.remove(bd.id)
            else:
                continue
            g.h -= bd.h
            chosen.append(bd)
        self.gaps["R17A"] = {bd.id for bd in chosen}
        self.gaps["R17B"] = {h.id for bd in chosen for u in bd.units for h in u.hh}

