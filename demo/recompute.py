"""The independent check of the planted gaps: ``recompute`` evaluates every coverage rule of
``docs/coverage-rules.md`` again, in plain Python, from the ledger files alone (read with
``loaders.reading``), never from the generator's bookkeeping; its answer must equal the manifest's
``rules``."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from loaders.specs import LEDGERS

from .common import PARAMS, RULE_IDS, SiteIndex


def read_ledgers(paths: Iterable[str | Path]) -> dict[str, list[dict[str, str | None]]]:
    """Ledger name → rows keyed by the spec's column header, read with ``loaders.reading.read_file``."""
    from loaders.reading import header_name, read_file

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
    # R17: no grid covers the unit, the building or its compound
    units_of_bld: dict[str, list[str]] = defaultdict(list)
    for u, b in bld_of_unit.items():
        units_of_bld[b].append(u)
    for b in buildings:
        cp = comp_of_bld.get(b)
        if not covering_grids.get(b) and not (cp and covering_grids.get(cp)) \
                and not any(covering_grids.get(u) for u in units_of_bld.get(b, ())):
            out["R17A"].add(b)
    for h in households:
        u = unit_of.get(h)
        b = bld_of_unit.get(u)
        cp = comp_of_bld.get(b) if b else None
        if not any(covering_grids.get(t) for t in (u, b, cp) if t):
            out["R17B"].add(h)
    return {rid: sorted(out[rid]) for rid in RULE_IDS}
