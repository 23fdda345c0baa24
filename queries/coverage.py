"""Coverage rules: which entities violate a rule (with where they are), and roll-ups by area.

A rule is a named query with a ``rule:`` header (``queries/r*.cypher``). It returns one row per
entity the rule applies to (its population: every building, the members, the reported units…)
with ``id``, a boolean ``violation`` and a few rule-specific columns. The detail is the rows where
``violation`` holds; roll-ups count, per street, community or grid, the population and the
violating entities, so they always add up to the detail. Where each entity lies (street,
community, grid, compound, building) comes from the context query of its label
(``queries/context_*.cypher``), written once per label instead of once per rule; its columns
``grid_ids*`` are merged into one list of covering grids.

Examples
--------
>>> from graph.config import open_store                 # doctest: +SKIP
>>> store = open_store()                                 # doctest: +SKIP
>>> rows = violations(store, "R15", {"radius_m": 800})   # doctest: +SKIP
>>> rollup(store, "R15", by="community")[0]              # doctest: +SKIP
{'area_id': 'C01', 'area': '和园社区', 'total': 210, 'violating': 6, 'coverage': 97.1}
"""
from __future__ import annotations

import difflib
from collections import defaultdict
from typing import Any

from .registry import NamedQuery, ParameterError, registry
from graph.store import GraphStore, Row

LEVELS = {"street": ("street_id", "street"), "community": ("community_id", "community"), "grid": ("grid_ids", None)}
CONTEXT_COLUMNS = ("name", "street", "community", "grid", "compound", "building", "lat", "lon")


def rules() -> dict[str, NamedQuery]:
    """Rule id → its detail query, in rule order."""
    return {q.rule: q for q in sorted(registry().values(), key=lambda q: q.rule or "") if q.rule}


def rule(rule_id: str) -> NamedQuery:
    found = rules().get(rule_id.upper())
    if found is None:
        raise ParameterError(f"unknown rule {rule_id!r}; rules: {', '.join(rules())}")
    return found


def _version(store: GraphStore) -> tuple:
    """Changes whenever a load commits (in any process) or this process commits a write: the
    caches of contexts and rule populations are keyed by it."""
    row = store.query("MATCH (l:Load) RETURN count(l) AS n, max(l.id) AS last")[0]
    return (store.location, row["n"], row["last"], store.commits)


_CONTEXT_CACHE: dict[tuple, dict[str, Row]] = {}


def context(store: GraphStore, label: str) -> dict[str, Row]:
    """id → where the entity is, for every entity of ``label`` (cached until the next load)."""
    key = (id(store), label, _version(store))
    cached = _CONTEXT_CACHE.get(key)
    if cached is None:
        q = next((q for q in registry().values() if q.context and q.entity == label), None)
        if q is None:
            raise KeyError(f"no context query for {label}")
        cols = store.query_columns(q.body, q.bind())
        names = list(cols)
        rows = [dict(zip(names, values)) for values in zip(*cols.values())]
        if "via_unit" in names:
            # where the entity's unit is (see context_household.cypher): the unit's place fills in
            # every column it knows; the entity keeps its own id and name, and its own values
            # where the unit has none
            fills = {uid: {k: v for k, v in u.items() if k not in ("id", "name") and v not in (None, [], "")}
                     for uid, u in context(store, "Unit").items()}
            for i, r in enumerate(rows):
                fill = fills.get(r.pop("via_unit"))
                if fill:
                    own = {k: v for k, v in r.items() if v is not None}
                    rows[i] = r = {**own, **fill}
                r.setdefault("grid_ids", [])
        for r in rows:
            # A context query may list covering grids in several columns (via the unit, the
            # building, the compound): merge them.
            if "grid" in r:  # merged already (taken from the unit's context)
                continue
            r["grid_ids"] = sorted({i for k in list(r) if k.startswith("grid_ids") for i in (r.pop(k) or []) if i})
        grid_names = _grid_names(store) if any(r["grid_ids"] for r in rows) else {}
        cached = {}
        for r in rows:
            r["grid"] = "、".join(grid_names.get(i, i) for i in r["grid_ids"]) or None
            cached[r["id"]] = r
        for k in [k for k in _CONTEXT_CACHE if k[:2] == key[:2]]:
            del _CONTEXT_CACHE[k]
        _CONTEXT_CACHE[key] = cached
    return cached


def _grid_names(store: GraphStore) -> dict[str, str]:
    return {r["id"]: r["name"] for r in store.query("MATCH (g:Grid) RETURN g.id AS id, g.name AS name")}


_AREA_LABELS = {"street": ("Street", "街道"), "community": ("Community", "社区"), "grid": ("Grid", "网格")}
_AREA_CACHE: dict[tuple, list[tuple[str, str]]] = {}


def _areas(store: GraphStore, level: str) -> list[tuple[str, str]]:
    """(id, name) of every street, community or grid (cached until the next load)."""
    key = (id(store), level, _version(store))
    if key not in _AREA_CACHE:
        label = _AREA_LABELS[level][0]
        _AREA_CACHE[key] = [(r["id"], r["name"] or r["id"])
                            for r in store.query(f"MATCH (a:{label}) RETURN a.id AS id, a.name AS name")]
    return _AREA_CACHE[key]


def check_areas(store: GraphStore, **areas: str | None) -> None:
    """Refuse a street, community or grid (id or name) that is not in the database.

    An area that does not exist would otherwise give an empty answer that looks like "no gaps".

    Raises
    ------
    ParameterError
        Naming the area and the closest existing names.
    """
    for level, value in areas.items():
        if not value:
            continue
        known = _areas(store, level)
        if any(value in (i, n) for i, n in known):
            continue
        zh = _AREA_LABELS[level][1]
        close = difflib.get_close_matches(value, [n for _, n in known] + [i for i, _ in known], n=3, cutoff=0.4)
        hint = f"相近的有：{'、'.join(close)}" if close else f"请检查名称或编号（共有 {len(known)} 个{zh}）"
        raise ParameterError(f"没有名为或编号为“{value}”的{zh}（no {level} {value!r}）。{hint}")


def _matches(ctx: Row, street: str | None, community: str | None, grid: str | None) -> bool:
    if street and street not in (ctx.get("street_id"), ctx.get("street")):
        return False
    if community and community not in (ctx.get("community_id"), ctx.get("community")):
        return False
    if grid and grid not in ctx.get("grid_ids", []) and grid not in (ctx.get("grid") or "").split("、"):
        return False
    return True


def _in_area(ctx: Row, level: str, area: str) -> bool:
    """Whether an entity (its context row) lies in a street, community or grid, by id."""
    if level == "grid":
        return area in (ctx.get("grid_ids") or [])
    return ctx.get(f"{level}_id") == area


_POPULATION_CACHE: dict[tuple, dict[str, list[Any]]] = {}
_POPULATION_LIMIT = 128


def _population(store: GraphStore, q: NamedQuery, params: dict[str, Any] | None) -> dict[str, list[Any]]:
    """The rule's whole population, column by column, cached per store, load and parameters (every
    principal filters it).

    The overview, the gaps page, the roll-ups and the CLI all start from a rule's population; a
    city's is hundreds of thousands of rows, so it is computed once per load (not once per view)
    and fetched columnar (no Python dict per row). Callers must not change the lists."""
    bound = q.bind(params)
    key = (id(store), _version(store), q.name, tuple(sorted(bound.items())))
    cached = _POPULATION_CACHE.get(key)
    if cached is None:
        cached = store.query_columns(q.body, bound)
        if q.entity == "Household":
            _add_household_details(store, cached)
        for k in [k for k in _POPULATION_CACHE if k[0] == key[0] and k[1] != key[1]]:
            del _POPULATION_CACHE[k]  # an older data version of this store
        while len(_POPULATION_CACHE) >= _POPULATION_LIMIT:
            del _POPULATION_CACHE[next(iter(_POPULATION_CACHE))]
        _POPULATION_CACHE[key] = cached
    return cached


# The household rules return (id, violation) and their own figures: a gap's head of household and
# room are looked up for the violating households only, once per load (reading two more strings
# for every household of a city doubled the rules' time).
_HOUSEHOLD_DETAILS = ("UNWIND $ids AS i MATCH (h:Household {id: i}) "
                      "RETURN h.id AS id, h.head_name AS head_name, h.room AS room")


def _add_household_details(store: GraphStore, population: dict[str, list[Any]]) -> None:
    ids = [rid for _, rid, _ in _rows(population, only_violating=True)]
    cols = store.query_columns(_HOUSEHOLD_DETAILS, {"ids": ids}) if ids else {}
    for k in ("head_name", "room"):
        found = dict(zip(cols.get("id", []), cols.get(k, [])))
        population[k] = [found.get(rid) if bad else None
                         for rid, bad in zip(population.get("id", []), population.get("violation", []))]


def _rows(population: dict[str, list[Any]], only_violating: bool = False):
    """(index, id, violation) over a columnar population."""
    ids, flags = population.get("id", []), population.get("violation", [])
    for i, (rid, bad) in enumerate(zip(ids, flags)):
        if bad or not only_violating:
            yield i, rid, bool(bad)


def violations(store: GraphStore, rule_id: str, params: dict[str, Any] | None = None, *,
               street: str | None = None, community: str | None = None, grid: str | None = None,
               area: tuple[str, str] | None = None, explain: str | None = None) -> list[Row]:
    """Every violating entity with its context, optionally within a street, community or grid (id or name).

    An area that does not exist raises ``ParameterError`` (with the closest names). ``area`` (level, id)
    confines the result to a principal's area (``queries.scope``). ``explain`` ("zh" or "en") adds
    what is wrong and how to fix it in words (``problem``, ``fix``; R16 also ``broken_link``:
    ``queries.explain``).
    """
    q = rule(rule_id)
    check_areas(store, street=street, community=community, grid=grid)
    ctx = context(store, q.entity)
    out = []
    population = _population(store, q, params)
    extra = [k for k in population if k not in ("id", "violation")]
    for i, rid, _ in _rows(population, only_violating=True):
        c = ctx.get(rid, {})
        if not _matches(c, street, community, grid) or (area and not _in_area(c, *area)):
            continue
        row = {"rule": q.rule, "id": rid, **{k: c.get(k) for k in CONTEXT_COLUMNS}}
        row.update({k: population[k][i] for k in extra})
        out.append(row)
    out.sort(key=lambda r: (r.get("street") or "", r.get("community") or "", r.get("grid") or "", str(r["id"])))
    if explain:
        from . import explain as words

        out = words.annotate(store, q.rule, out, params, lang=explain)
    return out


def rollup(store: GraphStore, rule_id: str, params: dict[str, Any] | None = None, *, by: str = "community",
           street: str | None = None, community: str | None = None, grid: str | None = None,
           area: tuple[str, str] | None = None) -> list[Row]:
    """Per area: the rule's population, the violating entities, and coverage %.

    ``total`` is the rule's population in that area — the entities the rule applies to (R09's
    members, R11A's reported units), not every entity of that kind — so ``violating`` always
    adds up to the detail. By grid, an entity covered by two grids counts in both; one covered
    by none is under ``(无网格)``. The street, community and grid filters work as in ``violations``.
    """
    if by not in LEVELS:
        raise ValueError(f"by must be one of {', '.join(LEVELS)}")
    q = rule(rule_id)
    check_areas(store, street=street, community=community, grid=grid)
    ctx = context(store, q.entity)
    names = _grid_names(store) if by == "grid" else {}
    total: dict[tuple, int] = defaultdict(int)
    violating: dict[tuple, int] = defaultdict(int)
    for _, rid, bad in _rows(_population(store, q, params)):
        c = ctx.get(rid, {})
        if not _matches(c, street, community, grid) or (area and not _in_area(c, *area)):
            continue
        if by == "grid":
            areas = [(g, names.get(g, g)) for g in c.get("grid_ids", [])] or [(None, "(无网格)")]
        else:
            id_col, name_col = LEVELS[by]
            areas = [(c.get(id_col), c.get(name_col) or "(未归属)")]
        for place in areas:
            total[place] += 1
            violating[place] += bad
    rows = [{"area_id": a[0], "area": a[1], "total": n, "violating": violating[a],
             "coverage": round(100.0 * (1 - violating[a] / n), 1) if n else None}
            for a, n in total.items()]
    rows.sort(key=lambda r: (-r["violating"], r["area"]))
    return rows


def summary(store: GraphStore, params: dict[str, dict[str, Any]] | None = None,
            area: tuple[str, str] | None = None, *, street: str | None = None, community: str | None = None,
            grid: str | None = None) -> list[Row]:
    """One line per rule: population, violating, coverage % (the overview's KPI table), optionally in
    a principal's ``area`` and in a street, community or grid (id or name; an unknown one raises
    ``ParameterError`` as in ``violations``)."""
    check_areas(store, street=street, community=community, grid=grid)
    narrowed = area is not None or any((street, community, grid))
    out = []
    for rid, q in rules().items():
        population = _population(store, q, (params or {}).get(rid))
        if narrowed:
            ctx = context(store, q.entity)
            flags = [bad for _, i, bad in _rows(population)
                     if _matches(c := ctx.get(i, {}), street, community, grid) and (not area or _in_area(c, *area))]
        else:
            flags = [bad for _, _, bad in _rows(population)]
        n, bad = len(flags), sum(flags)
        out.append({"rule": rid, "title": q.title_zh, "title_en": q.title_en, "entity": q.entity, "total": n,
                    "violating": bad, "coverage": round(100.0 * (1 - bad / n), 1) if n else None})
    return out


def split_params(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Parameters given without a rule (``orgnet gaps -p radius_m=800``) handed to every rule that
    has a parameter of that name; a name no rule has raises ``ParameterError``."""
    out: dict[str, dict[str, Any]] = {}
    used: set[str] = set()
    for rid, q in rules().items():
        mine = {k: v for k, v in values.items() if k in {p.name for p in q.params}}
        if mine:
            out[rid] = mine
            used |= set(mine)
    unknown = sorted(set(values) - used)
    if unknown:
        known = sorted({p.name for q in rules().values() for p in q.params})
        raise ParameterError(f"没有规则使用参数 {', '.join(unknown)}（no rule has parameter {', '.join(unknown)}）；"
                             f"规则参数有：{', '.join(known) or '无'}")
    return out


def warm(store: GraphStore, progress=None) -> None:
    """Compute what the pages need right after data changed — every rule's population with default
    parameters and its context, through the overview's roll-ups — so the first page view after a
    load (or after the first start's demo load) does not wait for it.

    ``progress(label, done, total)`` is called per rule.
    """
    ids = list(rules())
    for i, rid in enumerate(ids):
        if progress:
            progress(f"预先计算 {rid} Precomputing", i, len(ids))
        rollup(store, rid, by="community")
    if progress:
        progress("预先计算 Precomputing", len(ids), len(ids))
