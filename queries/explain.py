"""Each rule's gap in words: what is wrong with the entity, with its own figures, and how to fix it.

One table (:data:`TEXTS`) beside the rule queries holds, per rule, the problem as a template over
the rule's result columns and parameters, and the fix, in Chinese and English. Every place that
shows a gap — the gaps page and its XLSX/CSV, ``orgnet gaps``, the query page, the rectification
cases, the community brief — takes its words from here (:func:`annotate`, :func:`problem`,
:func:`fix`), never from a text of its own.

Rule R16 (a household's chain of responsibility does not reach the street) also says which link
of the chain is broken (:func:`broken_links`): no organisation looks after the household's unit,
building, compound, community or grid, or the organisations that do have a chain of superiors that
stops below the street, at a named organisation.

Examples
--------
>>> problem("R03B", {"in_service": 0, "not_in_service": 2})
'该楼栋在职楼长 0 名、非在职楼长 2 名，“双楼长”应各至少 1 名'
>>> problem("R05A", {"households": 912, "workers": 2, "per_worker": 456.0}, {"max_households": 300}, lang="en")
'912 households and 2 full-time grid workers: 456 per worker, over the limit of 300'
>>> fix("R05A", {"households": 912, "workers": 2}, {"max_households": 300})
'增配 2 名专职网格员（按每人不超过 300 户应配 4 名），或把部分楼栋调整到相邻网格（见 规划 → 网格员配置）'
"""
from __future__ import annotations

import math
import re
from typing import Any, Callable

from graph import derived
from graph.store import GraphStore, Row

Text = Callable[[dict[str, Any], dict[str, Any]], str]


def _n(v: Any) -> str:
    """A figure as a person writes it: whole numbers without .0, others to one place; none as 0."""
    if v is None:
        return "0"
    if isinstance(v, float):
        return str(round(v)) if abs(v - round(v)) < 0.05 else f"{v:.1f}"
    return str(v)


def _list(v: Any, sep: str = "、") -> str:
    return sep.join(str(x) for x in v) if isinstance(v, (list, tuple)) else str(v or "")


def _workers_needed(r: dict, p: dict) -> int:
    return max(1, math.ceil((r.get("households") or 0) / max(1, int(p.get("max_households") or 300))))


# rule → {"zh": (problem, fix), "en": (problem, fix)}; each text a function of (row, parameters)
TEXTS: dict[str, dict[str, tuple[Text, Text]]] = {
    "R01": {
        "zh": (lambda r, p: f"该网格{'（' + r['level_name'] + '）' if r.get('level_name') else ' '}0 个党组织负责，应至少 1 个",
               lambda r, p: "明确负责该网格的党组织（网格党支部或小区(网格)党支部），在“党组织”台账的“负责对象编号”填写网格编号"),
        "en": (lambda r, p: f"0 party organisations are responsible for this grid{' (' + r['level_name'] + ')' if r.get('level_name') else ''}; at least 1 is required",
               lambda r, p: "Name the party organisation responsible for the grid (a grid branch) in the party-organisation ledger's 负责对象编号 column"),
    },
    "R02": {
        "zh": (lambda r, p: "该楼栋 0 个党小组负责，应至少 1 个",
               lambda r, p: "在楼栋建立党小组（或由相邻党小组负责），在“党组织”台账中把楼栋列为党小组的负责对象"),
        "en": (lambda r, p: "0 party groups are responsible for this building; at least 1 is required",
               lambda r, p: "Set up a party group for the building (or assign a neighbouring one) and list the building as its responsibility in the party-organisation ledger"),
    },
    "R03A": {
        "zh": (lambda r, p: "该楼栋 0 名楼长，应至少 1 名",
               lambda r, p: "选配楼长，在“楼长”台账添加一行"),
        "en": (lambda r, p: "This building has 0 building leaders; at least 1 is required",
               lambda r, p: "Appoint a building leader and add a row to the building-leader ledger"),
    },
    "R03B": {
        "zh": (lambda r, p: f"该楼栋在职楼长 {_n(r.get('in_service'))} 名、非在职楼长 {_n(r.get('not_in_service'))} 名，“双楼长”应各至少 1 名",
               lambda r, p: "按“双楼长”配齐：" + "、".join(
                   x for x, k in (("一名在职干部楼长", "in_service"), ("一名居民（非在职）楼长", "not_in_service")) if not r.get(k))
               + "，在“楼长”台账添加"),
        "en": (lambda r, p: f"{_n(r.get('in_service'))} serving and {_n(r.get('not_in_service'))} non-serving building leaders; "
                            "dual leaders need at least 1 of each",
               lambda r, p: "Complete the dual leaders: add " + " and ".join(
                   x for x, k in (("a serving official", "in_service"), ("a resident (not in service)", "not_in_service"))
                   if not r.get(k)) + " in the building-leader ledger"),
    },
    "R04A": {
        "zh": (lambda r, p: "该单元 0 名单元长，应至少 1 名",
               lambda r, p: "选配单元长，在“单元长”台账添加一行"),
        "en": (lambda r, p: "This unit has 0 unit leaders; at least 1 is required",
               lambda r, p: "Appoint a unit leader and add a row to the unit-leader ledger"),
    },
    "R04B": {
        "zh": (lambda r, p: f"该单元有 {len(r.get('non_members') or [])} 名单元长不是党员，应由党员担任",
               lambda r, p: "改由党员担任单元长，或为已是党员的单元长补全“人员”台账中的党员信息"),
        "en": (lambda r, p: f"{len(r.get('non_members') or [])} of this unit's leaders are not party members; members should lead units",
               lambda r, p: "Have a party member lead the unit, or complete the member details of a leader who is one in the person ledger"),
    },
    "R05A": {
        "zh": (lambda r, p: f"该网格 {_n(r.get('households'))} 户、专职网格员 {_n(r.get('workers'))} 名，每人 {_n(r.get('per_worker'))} 户，"
                            f"超过上限 {_n(p.get('max_households'))} 户",
               lambda r, p: f"增配 {_workers_needed(r, p) - (r.get('workers') or 0)} 名专职网格员（按每人不超过 "
                            f"{_n(p.get('max_households'))} 户应配 {_workers_needed(r, p)} 名），或把部分楼栋调整到相邻网格（见 规划 → 网格员配置）"),
        "en": (lambda r, p: f"{_n(r.get('households'))} households and {_n(r.get('workers'))} full-time grid workers: "
                            f"{_n(r.get('per_worker'))} per worker, over the limit of {_n(p.get('max_households'))}",
               lambda r, p: f"Add {_workers_needed(r, p) - (r.get('workers') or 0)} full-time grid workers ({_workers_needed(r, p)} "
                            f"needed at {_n(p.get('max_households'))} households each), or move buildings to a neighbouring grid (Planning → Grid staffing)"),
    },
    "R05B": {
        "zh": (lambda r, p: f"该网格 {_n(r.get('households'))} 户，专职网格员 0 名（兼职 {_n(r.get('workers'))} 名），应至少 1 名专职",
               lambda r, p: "为网格配备一名专职网格员（“1名专职＋N名兼职”），在“网格员”台账中标为专职"),
        "en": (lambda r, p: f"{_n(r.get('households'))} households and 0 full-time grid workers ({_n(r.get('workers'))} part-time); "
                            "at least 1 full-time worker is required",
               lambda r, p: "Give the grid one full-time worker (\"1 full-time + N part-time\"), marked full-time in the grid-worker ledger"),
    },
    "R06": {
        "zh": (lambda r, p: f"该小区 {_n(r.get('households'))} 户（门槛 {_n(p.get('min_households'))} 户），没有党支部、党总支或党委负责",
               lambda r, p: "千户以上小区单独建立党支部，在“党组织”台账中把小区列为其负责对象"),
        "en": (lambda r, p: f"{_n(r.get('households'))} households (threshold {_n(p.get('min_households'))}) and no party branch, "
                            "general branch or committee responsible",
               lambda r, p: "Set up a party branch for the compound and list the compound as its responsibility in the party-organisation ledger"),
    },
    "R07": {
        "zh": (lambda r, p: f"该户有特殊群体（{_list(r.get('special_groups'))}），0 名党员或单元长包联，应至少 1 名",
               lambda r, p: "为特殊群体户安排党员或单元长包联，在“包联”台账登记（见 规划 → 包联建议）"),
        "en": (lambda r, p: f"Household with special needs ({_list(r.get('special_groups'), ', ')}) linked to 0 members or unit leaders; "
                            "at least 1 is required",
               lambda r, p: "Link a member or the unit leader to the household in the link ledger (Planning → Link suggestions)"),
    },
    "R08": {
        "zh": (lambda r, p: "该户 0 名党员包联，应至少 1 名",
               lambda r, p: "安排党员包联该户，在“包联”台账登记（见 规划 → 包联建议）"),
        "en": (lambda r, p: "0 party members are linked to this household; at least 1 is required",
               lambda r, p: "Link a party member to the household in the link ledger (Planning → Link suggestions)"),
    },
    "R09": {
        "zh": (lambda r, p: f"该党员包联 {_n(r.get('links'))} 户，应为 {_n(p.get('min_links'))}—{_n(p.get('max_links'))} 户",
               lambda r, p: (f"再包联 {int(p.get('min_links') or 0) - int(r.get('links') or 0)} 户" if (r.get('links') or 0) < (p.get('min_links') or 0)
                             else f"减少 {int(r.get('links') or 0) - int(p.get('max_links') or 0)} 户包联，交给包联不足的党员")
                            + "，在“包联”台账调整"),
        "en": (lambda r, p: f"This member is linked to {_n(r.get('links'))} households; {_n(p.get('min_links'))}–{_n(p.get('max_links'))} required",
               lambda r, p: (f"Link {int(p.get('min_links') or 0) - int(r.get('links') or 0)} more households" if (r.get('links') or 0) < (p.get('min_links') or 0)
                             else f"Hand {int(r.get('links') or 0) - int(p.get('max_links') or 0)} households to members with too few")
                            + " in the link ledger"),
    },
    "R10A": {
        "zh": (lambda r, p: "该党员已到社区报到，但 0 个党组织编入，应编入 1 个",
               lambda r, p: "把报到党员编入网格党支部或楼栋党小组，在“编入”台账登记"),
        "en": (lambda r, p: "This member reported to the community but is assigned to 0 party organisations; 1 is required",
               lambda r, p: "Assign the member to a grid branch or building party group in the assignment ledger"),
    },
    "R10B": {
        "zh": (lambda r, p: "该党员已报到并编入，但包联 0 户，应至少联系 1 户",
               lambda r, p: "为编入的报到党员安排包联住户，做到“联系到户”，在“包联”台账登记"),
        "en": (lambda r, p: "This member reported and was assigned but is linked to 0 households; at least 1 is required",
               lambda r, p: "Link the member to households in the link ledger"),
    },
    "R11A": {
        "zh": (lambda r, p: f"该单位已到社区报到，在职 {_n(r.get('staff'))} 人中 0 人到居住地社区报到",
               lambda r, p: "督促单位在职党员到居住地社区报到，在“双报到”台账登记"),
        "en": (lambda r, p: f"The unit reported to a community, but 0 of its {_n(r.get('staff'))} staff did",
               lambda r, p: "Have the unit's members report to their home communities (dual-reporting ledger)"),
    },
    "R11B": {
        "zh": (lambda r, p: "该单位已到社区报到，但与 0 个社区结对共建，应至少 1 个",
               lambda r, p: "与报到单位签订结对共建协议（需求、资源、项目三张清单），在“结对共建”台账登记"),
        "en": (lambda r, p: "The unit reported to a community but is paired with 0 communities; at least 1 is required",
               lambda r, p: "Sign a pairing agreement (needs, resources, projects) and record it in the pairing ledger"),
    },
    "R12": {
        "zh": (lambda r, p: f"该小区{'（' + r['compound_kind'] + '）' if r.get('compound_kind') else ' '}0 家物业服务企业服务，0 个业委会/物管会自管",
               lambda r, p: "引入物业服务（市场化、代管或兜底），或由物管会组织自管，在“物业服务”台账登记"),
        "en": (lambda r, p: f"0 property companies serve this compound{' (' + r['compound_kind'] + ')' if r.get('compound_kind') else ''} "
                            "and 0 owners' bodies manage it themselves",
               lambda r, p: "Bring in property service (market, caretaker or fallback) or have the owners' body self-manage; record it in the property ledger"),
    },
    "R13": {
        "zh": (lambda r, p: f"该物业企业服务 {_n(r.get('compounds'))} 个小区，0 个党组织、0 名党建工作指导员",
               lambda r, p: "在物业企业单独或联合建立党组织，或选派党建工作指导员"),
        "en": (lambda r, p: f"The company serves {_n(r.get('compounds'))} compounds and has 0 party organisations and 0 party-building instructors",
               lambda r, p: "Set up a party organisation in the company (alone or jointly) or appoint a party-building instructor"),
    },
    "R14A": {
        "zh": (lambda r, p: f"该小区{'（' + r['compound_kind'] + '）' if r.get('compound_kind') else ' '}0 个业委会或物管会",
               lambda r, p: "指导小区成立业主委员会或物业管理委员会，在“业委会”台账登记"),
        "en": (lambda r, p: f"This compound{' (' + r['compound_kind'] + ')' if r.get('compound_kind') else ''} has 0 owners' committees or property management committees",
               lambda r, p: "Help the compound set up an owners' committee or property management committee"),
    },
    "R14B": {
        "zh": (lambda r, p: f"该{r.get('body_kind') or '业委会'} 0 个党组织，应至少 1 个",
               lambda r, p: "在业委会（物管会）建立党的工作小组，在“单位党组织”台账登记"),
        "en": (lambda r, p: "This owners' body has 0 party organisations; at least 1 is required",
               lambda r, p: "Set up a party working group in the owners' body"),
    },
    "R15": {
        "zh": (lambda r, p: (f"该楼栋离最近的党群服务阵地 {round(r['nearest_m'])} 米，超过服务半径 {_n(p.get('radius_m'))} 米"
                             if r.get("nearest_m") is not None else "全县没有登记党群服务阵地，该楼栋不在任何服务圈内"),
               lambda r, p: f"在 {_n(p.get('radius_m'))} 米内新建或指定党群服务阵地（见 规划 → 服务阵地选址）"),
        "en": (lambda r, p: (f"The nearest service site is {round(r['nearest_m'])} m away, beyond the {_n(p.get('radius_m'))} m radius"
                             if r.get("nearest_m") is not None else "No service site is registered, so no circle covers this building"),
               lambda r, p: f"Open or designate a service site within {_n(p.get('radius_m'))} m (Planning → Service sites)"),
    },
    "R16": {
        "zh": (lambda r, p: "责任链没有通到街道党组织：" + (r.get("chain_detail") or "—"),
               lambda r, p: _r16_fix(r, "zh")),
        "en": (lambda r, p: "The chain of responsibility does not reach the street: " + (r.get("chain_detail") or "—"),
               lambda r, p: _r16_fix(r, "en")),
    },
    "R17A": {
        "zh": (lambda r, p: f"该楼栋（{_n(r.get('households'))} 户）0 个网格覆盖：楼栋、所在小区和各单元都不在网格内",
               lambda r, p: "把楼栋（或其小区、单元）划入网格，在“网格覆盖”台账登记"),
        "en": (lambda r, p: f"0 grids cover this building ({_n(r.get('households'))} households), its compound or its units",
               lambda r, p: "Put the building (or its compound or units) into a grid in the grid-coverage ledger"),
    },
    "R17B": {
        "zh": (lambda r, p: "该户 0 个网格覆盖：所在单元、楼栋和小区都不在网格内",
               lambda r, p: "把住户所在的单元、楼栋或小区划入网格，在“网格覆盖”台账登记"),
        "en": (lambda r, p: "0 grids cover this household's unit, building or compound",
               lambda r, p: "Put the household's unit, building or compound into a grid in the grid-coverage ledger"),
    },
}

#: the part of the chain R16 names, per kind of break (see :func:`broken_links`)
_R16_FIX = {
    "no_unit": ("在“住户”台账填写该户所属单元", "Enter the household's unit in the household ledger"),
    "no_building": ("在“单元”台账填写该单元所属楼栋", "Enter the unit's building in the unit ledger"),
    "no_org": ("明确负责该户所在单元、楼栋、小区或网格的党组织（党小组、网格党支部），在“党组织”台账填写负责对象编号",
               "Name the party organisation responsible for the unit, building, compound or grid in the party-organisation ledger"),
    "stops": ("在“党组织”台账为链条止于的党组织填写上级党组织编号，直到街道党工委",
              "Enter the superior of the organisation where the chain stops in the party-organisation ledger, up to the street's working committee"),
}


def _r16_fix(r: dict, lang: str) -> str:
    zh, en = _R16_FIX.get(r.get("break_kind") or "no_org", _R16_FIX["no_org"])
    return zh if lang == "zh" else en


def _bound(rule_id: str, params: dict[str, Any] | None) -> dict[str, Any]:
    """The rule's parameters with their defaults filled in (an unknown one is refused)."""
    from .coverage import rule

    q = rule(rule_id)
    return q.bind(params) if q.params else {}


def problem(rule_id: str, row: dict[str, Any], params: dict[str, Any] | None = None, lang: str = "zh") -> str:
    """What is wrong with ``row`` (one of the rule's result rows), with its own figures."""
    return TEXTS[rule_id.upper()][lang][0](row, _bound(rule_id, params))


def fix(rule_id: str, row: dict[str, Any] | None = None, params: dict[str, Any] | None = None, lang: str = "zh") -> str:
    """How to fix the gap; without ``row``, the rule's fix in general (the brief, the case ledger)."""
    return TEXTS[rule_id.upper()][lang][1](row or {}, _bound(rule_id, params))


def generic_fixes(lang: str = "zh") -> dict[str, str]:
    """Rule id → its fix in general, for every rule (the rectification cases' 整改办法)."""
    return {rid: fix(rid, lang=lang) for rid in TEXTS}


# --- R16: which link of the chain is broken ------------------------------------------------------
_PLACE_ZH = {"Unit": "单元", "Building": "楼栋", "Compound": "小区", "Community": "社区", "Grid": "网格"}
_PLACE_EN = {"Unit": "unit", "Building": "building", "Compound": "compound", "Community": "community", "Grid": "grid"}
_CHAIN_CACHE: dict[tuple, tuple] = {}


def _responsible(store: GraphStore, units: list[str]) -> dict[str, list[tuple[str, str]]]:
    """unit id → [(place label, organisation id)] for every organisation responsible for the unit,
    its building, compound, community or a covering grid — the places of ``graph.derived``."""
    out: dict[str, set] = {}
    for pattern in derived._PLACES:
        place = re.search(r"RESPONSIBLE_FOR\]->\((?:\w*):(\w+)\)", pattern).group(1)
        # by key (UNWIND … {id: i}): Kùzu compares `u.id IN $ids` with every unit of the table
        anchored = pattern.replace("(a)", "(a:PartyOrg)", 1).replace("(u:Unit)", "(u:Unit {id: i})", 1)
        cypher = f"UNWIND $ids AS i MATCH {anchored} RETURN u.id AS unit, a.id AS org"
        for r in store.query(cypher, {"ids": units}):
            out.setdefault(r["unit"], set()).add((place, r["org"]))
    return {u: sorted(v) for u, v in out.items()}


def _orgs(store: GraphStore) -> tuple[dict[str, Row], dict[str, list[str]], set[str]]:
    from .coverage import _version

    key = (id(store), _version(store))
    if key not in _CHAIN_CACHE:
        orgs = {r["id"]: r for r in store.query("MATCH (o:PartyOrg) RETURN o.id AS id, o.name AS name, o.kind AS kind")}
        up: dict[str, list[str]] = {}
        for r in store.query("MATCH (o:PartyOrg)-[:SUBORDINATE_TO]->(p:PartyOrg) RETURN o.id AS o, p.id AS p"):
            up.setdefault(r["o"], []).append(r["p"])
        street = {r["id"] for r in store.query("MATCH (o:PartyOrg)-[:RESPONSIBLE_FOR]->(:Street) RETURN DISTINCT o.id AS id")}
        for k in [k for k in _CHAIN_CACHE if k[0] == key[0]]:
            del _CHAIN_CACHE[k]
        _CHAIN_CACHE[key] = (orgs, up, street)
    return _CHAIN_CACHE[key]


def _tops(start: str, up: dict[str, list[str]]) -> tuple[list[str], bool]:
    """Where the chain of superiors from ``start`` stops: the organisations with no superior reached
    within ``derived.MAX_LEVELS`` levels, and whether the walk was cut by that limit."""
    seen, frontier, tops, cut = {start}, [start], [], False
    for _ in range(derived.MAX_LEVELS):
        nxt = []
        for o in frontier:
            parents = [p for p in up.get(o, []) if p not in seen]
            if not up.get(o):
                tops.append(o)
            seen.update(parents)
            nxt += parents
        frontier = nxt
        if not frontier:
            break
    else:
        tops += [o for o in frontier if not up.get(o)]
        cut = any(up.get(o) for o in frontier)
    return sorted(set(tops)), cut


def _org_name(orgs: dict[str, Row], oid: str) -> str:
    o = orgs.get(oid) or {}
    return f"{o.get('name') or oid}（{o.get('kind')}）" if o.get("kind") else (o.get("name") or oid)


def _chain_stops(places: list[tuple[str, str]], orgs: dict[str, Row], up: dict[str, list[str]],
                 en: bool) -> tuple[str, str, str]:
    """Where the chains of the organisations responsible for a unit's places stop: grouped by the
    organisation each stops at (most share one, the community's), named with its kind."""
    stops: dict[tuple, list[tuple[str, str]]] = {}
    for place, oid in places:
        tops, cut = _tops(oid, up)
        stops.setdefault((tuple(tops), cut), []).append((place, oid))
    parts, short = [], []
    for (tops, cut), held in stops.items():
        where = ("/".join(dict.fromkeys(_PLACE_EN[p] for p, _ in held)) if en
                 else "、".join(dict.fromkeys(_PLACE_ZH[p] for p, _ in held)))
        who = "、".join(dict.fromkeys(_org_name(orgs, o) for _, o in held))
        top = "、".join(_org_name(orgs, t) for t in tops)
        if cut:
            parts.append(f"{where} → {who}: more than {derived.MAX_LEVELS} levels up without reaching the street" if en
                         else f"{where}由{who}负责，向上 {derived.MAX_LEVELS} 级仍未到街道")
            short.append(f"> {derived.MAX_LEVELS} levels" if en else f"超过 {derived.MAX_LEVELS} 级")
        elif en:
            parts.append(f"{where} → {who}: the chain stops at {top}, which has no superior and is not responsible "
                         "for a street")
            short.append(f"stops at {top}")
        elif tops == tuple(o for _, o in held):
            parts.append(f"{where}由{who}负责，该组织没有上级党组织，链条止于此，未到街道")
            short.append(f"止于{top}")
        else:
            parts.append(f"{where}由{who}负责，上级链条止于{top}（无上级党组织），未到街道")
            short.append(f"止于{top}")
    return "stops", ("; " if en else "；").join(parts), ("; " if en else "；").join(dict.fromkeys(short))


def broken_links(store: GraphStore, household_ids: list[str], lang: str = "zh") -> dict[str, tuple[str, str, str]]:
    """household id → (kind of break, which link of its chain is broken in a sentence, and in a few
    words) for R16's gaps.

    Kinds: ``no_unit`` (the household is in no unit), ``no_building`` (its unit in no building),
    ``no_org`` (no organisation looks after its unit, building, compound, community or grid),
    ``stops`` (the responsible organisations' chains of superiors stop below the street: named,
    with the organisation where each stops).
    """
    if not household_ids:
        return {}
    en = lang == "en"
    homes = {r["h"]: (r["u"], r["b"]) for r in store.query(
        "UNWIND $ids AS i MATCH (h:Household {id: i}) OPTIONAL MATCH (h)-[:PART_OF]->(u:Unit) "
        "OPTIONAL MATCH (u)-[:PART_OF]->(b:Building) RETURN h.id AS h, u.id AS u, b.id AS b", {"ids": household_ids})}
    units = sorted({u for u, b in homes.values() if u and b})
    responsible = _responsible(store, units) if units else {}
    orgs, up, street = _orgs(store)
    said: dict[str, tuple[str, str, str]] = {}
    out = {}
    for h in household_ids:
        u, b = homes.get(h, (None, None))
        if not u:
            out[h] = ("no_unit", "The household is in no unit, so no organisation can be traced" if en
                      else "该户没有归入任何单元，无法确定负责的党组织", "in no unit" if en else "未归入单元")
            continue
        if not b:
            out[h] = ("no_building", "The household's unit is in no building" if en else "该户所在单元没有归入楼栋",
                      "unit in no building" if en else "单元未归入楼栋")
            continue
        if u not in said:
            places = responsible.get(u, [])
            if not places:
                said[u] = ("no_org", "no party organisation is responsible for the household's unit, building, compound, "
                                     "community or grid" if en else "没有党组织负责该户所在的单元、楼栋、小区、社区或网格",
                           "no responsible organisation" if en else "无负责党组织")
            else:
                said[u] = _chain_stops(places, orgs, up, en)
        out[h] = said[u]
    return out


# --- the columns a gap carries ----------------------------------------------------------------------
def annotate(store: GraphStore, rule_id: str, rows: list[Row], params: dict[str, Any] | None = None,
             lang: str = "zh") -> list[Row]:
    """``rows`` (a rule's violating entities) with ``problem`` and ``fix`` after the entity's name
    (and R16's ``broken_link``: where the chain breaks, in a few words; the sentence is in ``problem``), in ``lang`` ("zh" or "en")."""
    from .coverage import rule

    q = rule(rule_id)
    bound = _bound(rule_id, params)
    breaks = broken_links(store, [r["id"] for r in rows], lang) if q.rule == "R16" else {}
    problem_of, fix_of = TEXTS[q.rule][lang]
    out = []
    for r in rows:
        if q.rule == "R16":
            kind, detail, link = breaks.get(r["id"], ("no_org", None, None))
            r = {**r, "break_kind": kind, "chain_detail": detail, "broken_link": link}
        first = {k: r[k] for k in ("rule", "id", "name", "head_name", "room") if k in r}
        words = {"problem": problem_of(r, bound), "fix": fix_of(r, bound)}
        if q.rule == "R16":
            words["broken_link"] = r["broken_link"]
        rest = {k: v for k, v in r.items() if k not in first and k not in ("break_kind", "chain_detail", "broken_link")}
        out.append({**first, **words, **rest})
    return out
