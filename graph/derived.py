"""Derived properties: facts computed from the graph, stored on it, and kept current by the stores.

Some answers need a walk that is cheap once and costly per view: whether a household's chain of
responsibility reaches the street (rule R16), how many party members are linked to a household
(R08), how many households a grid covers (R05A/B), which service site is nearest to a building
(R15). Computed per view those walks and anti-joins grow with the city (R15 with its square);
computed once per write they are a handful of set-based statements, and each rule becomes a scan.

The derived properties are declared in the model (``Prop.derived``; no ledger fills them) and
computed in groups (:data:`GROUPS`), each with the inputs that change it:

* ``chain`` — ``PartyOrg.chain_ok`` (the organisation, or a superior up to six levels up, is
  responsible for a street) and ``Unit.chain_ok`` (such an organisation looks after the unit, its
  building, compound, community or a grid covering them); ``household_chain`` — ``Household.chain_ok``;
* ``links`` — members (``Household.member_links``) and members or unit leaders
  (``carer_links``) linked to a household, households linked to a person (``Person.links``);
* ``reported`` / ``assigned`` — a person or organisation reported to a community, a person
  assigned to an organisation;
* ``grid_cover`` / ``household_grids`` — grids covering a unit, building or household
  (``grids``; -1: not in a unit of a building), whether a grid covers anything;
* ``households`` — households per unit, building and grid (a grid counts a household once);
* ``grid_workers`` — grid workers and full-time ones per grid; ``leaders`` — unit and building
  leaders (non-members, in service or not);
* ``nearest_site`` — ``Building.nearest_site_m``, found with a k-d tree in Python.

Both stores call :func:`refresh` inside every write transaction, just before it commits, with the
groups whose inputs the transaction wrote (:func:`touched`; a free-form statement counts when it
writes and names an input) and the labels that only gained nodes (given the values of a node with
nothing around it, without recomputing the group). The derived values commit with the data they
come from: a reader never sees one without the other. ``create_schema`` computes them all for a
database written before they existed (:func:`missing_check`). A load into an empty database is
the exception: its batches are the whole graph, so the loader computes every derived value from
them (:mod:`graph.derived_batch`, held equal to these statements by ``tests/test_derived_batch.py``),
writes them in the same COPY as the data, and nothing is recomputed before commit.

Examples
--------
>>> touches("RESPONSIBLE_FOR", "PartyOrg", "Unit"), touches("PART_OF", "Household", "Unit")
(True, True)
>>> sorted(touched("PART_OF", "Household", "Unit")[0])
['household_chain', 'household_grids', 'households']
>>> touched("Household"), touched("ServiceSite")
((set(), {'Household'}), ({'nearest_site'}, set()))
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

#: How many levels of superiors a chain may climb (as ``SUBORDINATE_TO*0..6`` would).
MAX_LEVELS = 6

_PLACES = (
    # (pattern from an anchored organisation ``a`` to a unit ``u``) — the unit's own building must
    # exist, as the rule walks household → unit → building
    "(a)-[:RESPONSIBLE_FOR]->(u:Unit)-[:PART_OF]->(:Building)",
    "(a)-[:RESPONSIBLE_FOR]->(:Grid)-[:COVERS]->(u:Unit)-[:PART_OF]->(:Building)",
    "(a)-[:RESPONSIBLE_FOR]->(:Building)<-[:PART_OF]-(u:Unit)",
    "(a)-[:RESPONSIBLE_FOR]->(:Grid)-[:COVERS]->(:Building)<-[:PART_OF]-(u:Unit)",
    "(a)-[:RESPONSIBLE_FOR]->(:Compound)<-[:PART_OF]-(:Building)<-[:PART_OF]-(u:Unit)",
    "(a)-[:RESPONSIBLE_FOR]->(:Grid)-[:COVERS]->(:Compound)<-[:PART_OF]-(:Building)<-[:PART_OF]-(u:Unit)",
    "(a)-[:RESPONSIBLE_FOR]->(:Community)<-[:PART_OF]-(:Compound)<-[:PART_OF]-(:Building)<-[:PART_OF]-(u:Unit)",
    "(a)-[:RESPONSIBLE_FOR]->(:Community)<-[:PART_OF]-(:Building)<-[:PART_OF]-(u:Unit)",
)

_HOUSE = {("Household", "Unit"), ("Unit", "Building"), ("Building", "Compound")}

# The grid households of rule R05A/B: a unit's households, once per grid that covers the unit,
# its building or its compound (a household covered twice by one grid counts once).
_GRID_HOUSEHOLDS = """MATCH (u:Unit)-[:PART_OF]->(b:Building)
OPTIONAL MATCH (b)-[:PART_OF]->(cp:Compound)
OPTIONAL MATCH (g1:Grid)-[:COVERS]->(u)
WITH u, b, cp, coalesce(collect(g1.id), []) AS via_unit
OPTIONAL MATCH (g2:Grid)-[:COVERS]->(b)
WITH u, cp, via_unit, coalesce(collect(g2.id), []) AS via_building
OPTIONAL MATCH (g3:Grid)-[:COVERS]->(cp)
WITH u, via_unit, via_building, coalesce(collect(g3.id), []) AS via_compound
UNWIND via_unit + via_building + via_compound AS gid
WITH DISTINCT u, gid
WITH gid, sum(u.households) AS n
MATCH (g:Grid) WHERE g.id = gid
SET g.households = n"""


@dataclass(frozen=True)
class Group:
    """Derived properties computed together, and what they are computed from.

    ``reads``: labels whose node writes (new values of their properties) change the values;
    ``rels``: relationship types (``None``: any pair; else the (start, end) pairs) that do;
    ``fills``: labels whose new nodes only need the default value (statements ``fill``), when
    nothing else changed; ``after``: groups whose values these are computed from;
    ``names``: extra labels that a free-form write statement must name to change the values
    (deleting a household removes its links). ``statements`` recompute every value; ``compute``
    (instead) does it in Python with the transaction (the nearest service site)."""
    name: str
    props: tuple[tuple[str, str], ...]
    statements: tuple[str, ...] = ()
    reads: frozenset[str] = frozenset()
    rels: dict[str, frozenset[tuple[str, str]] | None] = field(default_factory=dict)
    fills: dict[str, str] = field(default_factory=dict)
    after: tuple[str, ...] = ()
    names: frozenset[str] = frozenset()
    compute: Callable[[Any], None] | None = None
    #: recompute for the entities a write touched only: ``keyed(tx, {label: keys})``
    keyed: Callable[[Any, dict[str, set[str]]], None] | None = None

    def words(self) -> set[str]:
        return set(self.reads) | set(self.rels) | set(self.fills) | set(self.names)


def _fill(label: str, **defaults: Any) -> str:
    """Give new nodes (no value yet) the value of a node with nothing around it."""
    first = next(iter(defaults))
    sets = ", ".join(f"n.{k} = {_lit(v)}" for k, v in defaults.items())
    return f"MATCH (n:{label}) WHERE n.{first} IS NULL SET {sets}"


def _lit(v: Any) -> str:
    return "true" if v is True else "false" if v is False else repr(v)


#: Above this many touched entities a group is recomputed whole (set-based statements win).
KEYED_LIMIT = 20_000


def _each(tx: Any, statements: tuple[str, ...], ids: set[str]) -> None:
    if ids:
        for s in statements:
            tx._exec(s, {"ids": sorted(ids)})


def _links_keyed(tx: Any, keys: dict[str, set[str]]) -> None:
    """The link counts of the households and people a write touched: links written or removed
    (their people and households), people written (membership) or given a unit (leaders), and the
    households those people are linked to."""
    people = set(keys.get("Person", ()))
    households = set(keys.get("Household", ()))
    if people:
        households |= {r["h"] for r in tx._exec(
            "UNWIND $ids AS i MATCH (p:Person {id: i})-[:LINKED_TO]->(h:Household) RETURN DISTINCT h.id AS h",
            {"ids": sorted(people)})}
    _each(tx, ("UNWIND $ids AS i MATCH (h:Household {id: i}) SET h.member_links = 0, h.carer_links = 0",
               "UNWIND $ids AS i MATCH (p:Person)-[:LINKED_TO]->(h:Household {id: i}) WHERE p.is_member = true "
               "WITH h, count(p) AS n SET h.member_links = n",
               "UNWIND $ids AS i MATCH (p:Person)-[:LINKED_TO]->(h:Household {id: i}) "
               "WHERE p.is_member = true OR EXISTS { MATCH (p)-[:UNIT_LEADER_OF]->(:Unit) } "
               "WITH h, count(p) AS n SET h.carer_links = n"), households)
    _each(tx, ("UNWIND $ids AS i MATCH (p:Person {id: i}) SET p.links = 0",
               "UNWIND $ids AS i MATCH (p:Person {id: i})-[:LINKED_TO]->(h:Household) WITH p, count(h) AS n "
               "SET p.links = n"), people)


def _household_chain_keyed(tx: Any, keys: dict[str, set[str]]) -> None:
    _each(tx, ("UNWIND $ids AS i MATCH (h:Household {id: i}) SET h.chain_ok = false",
               "UNWIND $ids AS i MATCH (h:Household {id: i})-[:PART_OF]->(u:Unit) WHERE u.chain_ok = true "
               "SET h.chain_ok = true"), set(keys.get("Household", ())))


def _household_grids_keyed(tx: Any, keys: dict[str, set[str]]) -> None:
    _each(tx, ("UNWIND $ids AS i MATCH (h:Household {id: i}) SET h.grids = -1",
               "UNWIND $ids AS i MATCH (h:Household {id: i})-[:PART_OF]->(u:Unit) WHERE u.grids >= 0 "
               "SET h.grids = u.grids"), set(keys.get("Household", ())))


#: Up to this many building × site pairs the nearest site is found by comparing them all.
_BRUTE_FORCE = 50_000_000
_BLOCK = 4_000_000  #: pairs per matrix product (32 MB of float64)


def _nearest_sites(tx: Any) -> None:
    """``Building.nearest_site_m`` of every located building (``nearest_metres``)."""
    sites = tx._exec("MATCH (s:ServiceSite) WHERE s.lat IS NOT NULL AND s.lon IS NOT NULL "
                     "RETURN s.lat AS lat, s.lon AS lon")
    buildings = tx._exec("MATCH (b:Building) WHERE b.lat IS NOT NULL AND b.lon IS NOT NULL "
                         "RETURN b.id AS id, b.lat AS lat, b.lon AS lon")
    tx._exec("MATCH (b:Building) WHERE b.nearest_site_m IS NOT NULL SET b.nearest_site_m = NULL")
    if not sites or not buildings:
        return
    metres = nearest_metres([(s["lat"], s["lon"]) for s in sites], [(b["lat"], b["lon"]) for b in buildings])
    rows = [{"id": b["id"], "nearest_site_m": m} for b, m in zip(buildings, metres) if m is not None]
    tx.set_derived("Building", "nearest_site_m", rows)


def nearest_metres(sites: list[tuple[float, float]], points: list[tuple[float, float]]) -> list[float | None]:
    """The distance in metres from each point (lat, lon) to the nearest site (None: not finite),
    found among points on the unit sphere (the nearest by chord is the nearest on the sphere) by
    comparing every pair in blocks of matrix products up to ``_BRUTE_FORCE`` pairs (a city's), with
    a k-d tree beyond (O(n log m)), then measured with the same haversine formula rule R15 always used."""
    import numpy as np

    if not sites or not points:
        return [None] * len(points)
    s_lat = np.radians([s[0] for s in sites])
    s_lon = np.radians([s[1] for s in sites])
    b_lat = np.radians([b[0] for b in points])
    b_lon = np.radians([b[1] for b in points])

    def sphere(lat, lon):
        return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))

    a_pts, b_pts = sphere(s_lat, s_lon), sphere(b_lat, b_lon)
    if len(a_pts) * len(b_pts) <= _BRUTE_FORCE:
        # a city's pairs compared directly, a block of rows at a time: on the unit sphere the nearest
        # by chord has the largest dot product (|b - a|² = 2 - 2 b·a), a matrix product — 32 M pairs
        # (×25) in 0.13 CPU-s, where importing scipy alone takes 0.5
        step = max(1, _BLOCK // len(a_pts))
        nearest = np.concatenate([(b_pts[i:i + step] @ a_pts.T).argmax(axis=1) for i in range(0, len(b_pts), step)])
    else:
        from scipy.spatial import cKDTree

        _, nearest = cKDTree(a_pts).query(b_pts, k=1)
    lat2, lon2 = s_lat[nearest], s_lon[nearest]
    a = np.sin((lat2 - b_lat) / 2) ** 2 + np.cos(b_lat) * np.cos(lat2) * np.sin((lon2 - b_lon) / 2) ** 2
    metres = 2 * 6371000 * np.arcsin(np.sqrt(a))
    return [float(m) if math.isfinite(m) else None for m in metres]


#: Every group of derived properties, in the order they are computed (a group after those it reads).
GROUPS: tuple[Group, ...] = (
    Group("chain", (("PartyOrg", "chain_ok"), ("Unit", "chain_ok")),
          tuple(["MATCH (a:PartyOrg) SET a.chain_ok = false",
                 "MATCH (a:PartyOrg)-[:RESPONSIBLE_FOR]->(:Street) SET a.chain_ok = true"]
                + ["MATCH (a:PartyOrg)-[:SUBORDINATE_TO]->(p:PartyOrg) WHERE p.chain_ok = true AND a.chain_ok = false "
                   "SET a.chain_ok = true"] * MAX_LEVELS
                + ["MATCH (u:Unit) SET u.chain_ok = false"]
                + [f"MATCH (a:PartyOrg) WHERE a.chain_ok = true MATCH {p} SET u.chain_ok = true" for p in _PLACES]),
          reads=frozenset({"PartyOrg", "Unit"}),
          rels={"SUBORDINATE_TO": None, "RESPONSIBLE_FOR": None, "COVERS": None,
                "PART_OF": frozenset({("Unit", "Building"), ("Building", "Compound"), ("Building", "Community"),
                                      ("Compound", "Community")})}),
    Group("household_chain", (("Household", "chain_ok"),),
          ("MATCH (h:Household) SET h.chain_ok = false",
           "MATCH (h:Household)-[:PART_OF]->(u:Unit) WHERE u.chain_ok = true SET h.chain_ok = true"),
          rels={"PART_OF": frozenset({("Household", "Unit")})},
          fills={"Household": _fill("Household", chain_ok=False)}, after=("chain",), keyed=_household_chain_keyed),
    Group("links", (("Household", "member_links"), ("Household", "carer_links"), ("Person", "links")),
          ("MATCH (h:Household) WHERE coalesce(h.member_links, -1) <> 0 OR coalesce(h.carer_links, -1) <> 0 "
           "SET h.member_links = 0, h.carer_links = 0",
           "MATCH (p:Person)-[:LINKED_TO]->(h:Household) WHERE p.is_member = true "
           "WITH h, count(p) AS n SET h.member_links = n",
           "MATCH (p:Person)-[:LINKED_TO]->(h:Household) "
           "WHERE p.is_member = true OR EXISTS { MATCH (p)-[:UNIT_LEADER_OF]->(:Unit) } "
           "WITH h, count(p) AS n SET h.carer_links = n",
           "MATCH (p:Person) WHERE coalesce(p.links, -1) <> 0 SET p.links = 0",
           "MATCH (p:Person)-[:LINKED_TO]->(h:Household) WITH p, count(h) AS n SET p.links = n"),
          reads=frozenset({"Person"}), rels={"LINKED_TO": None, "UNIT_LEADER_OF": None},
          fills={"Household": _fill("Household", member_links=0, carer_links=0), "Person": _fill("Person", links=0)},
          names=frozenset({"Household", "Unit"}), keyed=_links_keyed),
    Group("reported", (("Person", "reported"), ("Organization", "reported")),
          ("MATCH (p:Person) WHERE coalesce(p.reported, true) SET p.reported = false",
           "MATCH (p:Person)-[:REPORTED_TO]->(:Community) SET p.reported = true",
           "MATCH (o:Organization) WHERE coalesce(o.reported, true) SET o.reported = false",
           "MATCH (o:Organization)-[:REPORTED_TO]->(:Community) SET o.reported = true"),
          rels={"REPORTED_TO": None},
          fills={"Person": _fill("Person", reported=False), "Organization": _fill("Organization", reported=False)},
          names=frozenset({"Community"})),
    Group("assigned", (("Person", "assigned"),),
          ("MATCH (p:Person) WHERE coalesce(p.assigned, true) SET p.assigned = false",
           "MATCH (p:Person)-[:ASSIGNED_TO]->(:PartyOrg) SET p.assigned = true"),
          rels={"ASSIGNED_TO": None}, fills={"Person": _fill("Person", assigned=False)}, names=frozenset({"PartyOrg"})),
    Group("grid_cover", (("Unit", "grids"), ("Building", "grids"), ("Grid", "covering")),
          ("MATCH (u:Unit) SET u.grids = -1",
           "MATCH (u:Unit)-[:PART_OF]->(b:Building) OPTIONAL MATCH (g1:Grid)-[:COVERS]->(u) "
           "OPTIONAL MATCH (g2:Grid)-[:COVERS]->(b) OPTIONAL MATCH (g3:Grid)-[:COVERS]->(:Compound)<-[:PART_OF]-(b) "
           "WITH u, count(g1) + count(g2) + count(g3) AS grids SET u.grids = grids",
           "MATCH (b:Building) OPTIONAL MATCH (g1:Grid)-[:COVERS]->(b) "
           "OPTIONAL MATCH (g2:Grid)-[:COVERS]->(:Unit)-[:PART_OF]->(b) "
           "OPTIONAL MATCH (g3:Grid)-[:COVERS]->(:Compound)<-[:PART_OF]-(b) "
           "WITH b, count(g1) + count(g2) + count(g3) AS grids SET b.grids = grids",
           "MATCH (g:Grid) SET g.covering = false",
           "MATCH (g:Grid)-[:COVERS]->() WITH DISTINCT g SET g.covering = true"),
          rels={"COVERS": None, "PART_OF": frozenset(_HOUSE - {("Household", "Unit")})},
          fills={"Unit": _fill("Unit", grids=-1), "Building": _fill("Building", grids=0),
                 "Grid": _fill("Grid", covering=False)},
          names=frozenset({"Grid", "Unit", "Building", "Compound"})),
    Group("household_grids", (("Household", "grids"),),
          ("MATCH (h:Household) SET h.grids = -1",
           "MATCH (h:Household)-[:PART_OF]->(u:Unit) WHERE u.grids >= 0 SET h.grids = u.grids"),
          rels={"PART_OF": frozenset({("Household", "Unit")})},
          fills={"Household": _fill("Household", grids=-1)}, after=("grid_cover",), keyed=_household_grids_keyed),
    Group("households", (("Unit", "households"), ("Building", "households"), ("Grid", "households")),
          ("MATCH (u:Unit) SET u.households = 0",
           "MATCH (h:Household)-[:PART_OF]->(u:Unit) WITH u, count(h) AS n SET u.households = n",
           "MATCH (b:Building) SET b.households = 0",
           "MATCH (u:Unit)-[:PART_OF]->(b:Building) WITH b, sum(u.households) AS n SET b.households = n",
           "MATCH (g:Grid) SET g.households = 0",
           _GRID_HOUSEHOLDS),
          rels={"COVERS": None, "PART_OF": frozenset(_HOUSE)},
          fills={"Unit": _fill("Unit", households=0), "Building": _fill("Building", households=0),
                 "Grid": _fill("Grid", households=0)},
          names=frozenset({"Household", "Unit", "Building", "Compound", "Grid"})),
    Group("grid_workers", (("Grid", "full_time_workers"), ("Grid", "workers")),
          ("MATCH (g:Grid) SET g.full_time_workers = 0, g.workers = 0",
           "MATCH (:Person)-[r:GRID_WORKER_OF]->(g:Grid) "
           "WITH g, count(r) AS n, sum(CASE WHEN r.full_time = true THEN 1 ELSE 0 END) AS f "
           "SET g.workers = n, g.full_time_workers = f"),
          rels={"GRID_WORKER_OF": None}, fills={"Grid": _fill("Grid", full_time_workers=0, workers=0)},
          names=frozenset({"Person"})),
    Group("leaders", (("Unit", "leaders"), ("Unit", "nonmember_leaders"),
                      ("Building", "leaders_in_service"), ("Building", "leaders_not_in_service")),
          ("MATCH (u:Unit) WHERE coalesce(u.leaders, -1) <> 0 OR coalesce(u.nonmember_leaders, -1) <> 0 SET u.leaders = 0, u.nonmember_leaders = 0",
           "MATCH (p:Person)-[:UNIT_LEADER_OF]->(u:Unit) "
           "WITH u, count(p) AS n, sum(CASE WHEN p.is_member = true THEN 0 ELSE 1 END) AS o "
           "SET u.leaders = n, u.nonmember_leaders = o",
           "MATCH (b:Building) WHERE coalesce(b.leaders_in_service, -1) <> 0 OR coalesce(b.leaders_not_in_service, -1) <> 0 "
           "SET b.leaders_in_service = 0, b.leaders_not_in_service = 0",
           "MATCH (:Person)-[r:BUILDING_LEADER_OF]->(b:Building) "
           "WITH b, sum(CASE WHEN r.in_service = true THEN 1 ELSE 0 END) AS i, "
           "sum(CASE WHEN r.in_service = false THEN 1 ELSE 0 END) AS o "
           "SET b.leaders_in_service = i, b.leaders_not_in_service = o"),
          reads=frozenset({"Person"}), rels={"UNIT_LEADER_OF": None, "BUILDING_LEADER_OF": None},
          fills={"Unit": _fill("Unit", leaders=0, nonmember_leaders=0),
                 "Building": _fill("Building", leaders_in_service=0, leaders_not_in_service=0)}),
    Group("nearest_site", (("Building", "nearest_site_m"),), reads=frozenset({"Building", "ServiceSite"}),
          compute=_nearest_sites),
)
_BY_NAME = {g.name: g for g in GROUPS}

#: (label, property) of every derived property, in the order they are computed.
PROPERTIES = tuple(p for g in GROUPS for p in g.props)

_WRITE = re.compile(r"\b(CREATE|MERGE|SET|DELETE|REMOVE|COPY|DROP|ALTER)\b", re.I)
_WORD = re.compile(r"\b[A-Za-z_]+\b")


def _with_dependents(names: Iterable[str]) -> set[str]:
    out = set(names)
    for g in GROUPS:  # in order: a group comes after those it reads
        if any(a in out for a in g.after):
            out.add(g.name)
    return out


def statements(groups: Iterable[str] | None = None) -> list[str]:
    """The statements that recompute the given groups (default: every derived property; common
    Cypher: both stores run them). Groups computed in Python add none.

    Organisations are marked level by level from the street down — one plain join per level
    instead of a variable-length walk from every organisation."""
    want = set(_BY_NAME) if groups is None else set(groups)
    return [s for g in GROUPS if g.name in want for s in g.statements]


def fill_statements() -> list[str]:
    return [s for g in GROUPS for s in g.fills.values()]


def refresh(tx: Any, full: Iterable[str] | None = None, fills: Iterable[str] = (),
            by_key: dict[str, dict[str, set[str]] | None] | None = None) -> None:
    """Bring the derived properties up to date inside the caller's transaction ``tx`` (its
    ``_exec`` runs a statement; ``set_derived`` writes values computed in Python).

    ``full``: groups to recompute (default: all); ``fills``: labels with new nodes, given their
    defaults for the groups not recomputed; ``by_key``: group → {label: keys written} for groups
    whose every input came with keys — a group that can (``Group.keyed``) is then recomputed for
    those entities only, up to ``KEYED_LIMIT`` of them. A callable stands for ``tx._exec``."""
    if callable(tx):
        for s in statements():
            tx(s)
        return
    full = set(_BY_NAME) if full is None else _with_dependents(full)
    fills = set(fills)
    by_key = by_key or {}
    whole = whole_groups(full, by_key)
    for g in GROUPS:
        if g.name in full:
            if g.name not in whole:
                g.keyed(tx, by_key[g.name])
                for label, s in g.fills.items():  # new nodes outside the keys
                    if label in fills:
                        tx._exec(s)
                continue
            if g.compute is not None:
                g.compute(tx)
            for s in g.statements:
                tx._exec(s)
        else:
            for label, s in g.fills.items():
                if label in fills:
                    tx._exec(s)


def whole_groups(full: Iterable[str] | None, by_key: dict[str, dict[str, set[str]] | None] | None = None) -> set[str]:
    """The groups of ``full`` (with the groups computed from them) that ``refresh`` recomputes for
    every entity: an input came without keys, the group has no keyed form, a group it reads is
    recomputed, or more than ``KEYED_LIMIT`` entities were touched."""
    full = set(_BY_NAME) if full is None else _with_dependents(full)
    by_key = by_key or {}
    out = set()
    for g in GROUPS:
        if g.name in full:
            keys = by_key.get(g.name) if not any(a in full for a in g.after) else None
            if g.keyed is None or keys is None or sum(map(len, keys.values())) > KEYED_LIMIT:
                out.add(g.name)
    return out


def written_props(full: Iterable[str] | None, fills: Iterable[str] = ()) -> dict[str, list[str]]:
    """label → the derived properties ``refresh(full, fills)`` may write (for before-images)."""
    full = set(_BY_NAME) if full is None else _with_dependents(full)
    fills = set(fills)
    out: dict[str, list[str]] = {}
    for g in GROUPS:
        for label, prop in g.props:
            if g.name in full or label in fills and label in g.fills:
                if prop not in out.setdefault(label, []):
                    out[label].append(prop)
    return out


def touched(name: str, start: str | None = None, end: str | None = None) -> tuple[set[str], set[str]]:
    """(groups to recompute, labels to fill) when writing nodes of label ``name`` or relationships
    of type ``name`` from ``start`` to ``end``."""
    full, fill = set(), set()
    for g in GROUPS:
        if name in g.reads:
            full.add(g.name)
        elif name in g.rels:
            pairs = g.rels[name]
            if pairs is None or start is None or (start, end) in pairs:
                full.add(g.name)
        elif name in g.fills:
            fill.add(name)
    return full, fill


def touches(name: str, start: str | None = None, end: str | None = None) -> bool:
    """Whether writing nodes of label ``name``, or relationships of type ``name`` from ``start`` to
    ``end``, can change a derived value (a new node's default included)."""
    full, fill = touched(name, start, end)
    return bool(full or fill)


def statement_groups(cypher: str) -> set[str]:
    """Groups a free-form statement may change (conservative: a write naming one of their inputs)."""
    if not _WRITE.search(cypher):
        return set()
    words = set(_WORD.findall(cypher))
    return {g.name for g in GROUPS if words & g.words()}


def statement_touches(cypher: str) -> bool:
    """Whether a free-form statement may write an input (conservative: a write naming one)."""
    return bool(statement_groups(cypher))


def missing_check() -> str:
    """A read statement counting nodes whose derived values were never computed (a database written
    by an older orgnet): one row per label, summed by the caller (``missing``)."""
    labels: dict[str, list[str]] = {}
    for label, prop in PROPERTIES:
        if (label, prop) != ("Building", "nearest_site_m"):  # empty when there is nothing to measure
            labels.setdefault(label, []).append(prop)
    parts = [f"MATCH (n:{label}) WHERE " + " OR ".join(f"n.{p} IS NULL" for p in props) + " RETURN count(n) AS n"
             for label, props in labels.items()]
    parts.append("MATCH (s:ServiceSite) WITH count(s) AS sites MATCH (n:Building) WHERE sites > 0 "
                 "AND n.nearest_site_m IS NULL AND n.lat IS NOT NULL AND n.lon IS NOT NULL RETURN count(n) AS n")
    return " UNION ALL ".join(parts)


def missing(rows: list[dict]) -> int:
    """The number of nodes ``missing_check`` found without their derived values."""
    return sum(r["n"] for r in rows)
