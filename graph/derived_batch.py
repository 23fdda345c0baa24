"""Derived values of a load into an empty database, computed from the batches the load writes.

The derived properties (:mod:`graph.derived`) are kept current by set-based statements that the
stores run after every write. For a load into an empty database those statements are most of the
extra cost over a raw COPY — at ×10 they took 6.65 of the 23.9 CPU-s of the write, resetting and
then setting every household three times — although everything they read is in the load's own
batches: the relationships are planned before any node is written, and the few node values they
read (``Person.is_member``, the coordinates of service sites) come with nodes that the loader
writes first (:data:`FIRST`). So the loader asks :class:`FirstLoad` for each node batch's derived
columns, the store writes them with the data in one COPY, and nothing is recomputed afterwards.

Every value here is defined exactly as the statements of :mod:`graph.derived` define it, counting
what their joins count (``grids``: the three ``OPTIONAL MATCH`` of a unit multiply, and the count of
each is taken over their product); ``tests/test_derived_batch.py`` holds the two to the same
answers on generated graphs, on both stores.

Examples
--------
>>> f = FirstLoad([(("PART_OF", "Household", "Unit"), {"src": ["H1", "H2"], "dst": ["U1", "U1"]}),
...                (("PART_OF", "Unit", "Building"), {"src": ["U1"], "dst": ["B1"]})])
>>> f.columns("Unit", [{"id": ["U1", "U2"]}])["households"]
[2, 0]
>>> f.columns("Household", [{"id": ["H1", "H2"]}])["grids"]
[0, 0]
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from . import derived

#: labels whose node values feed other labels' derived values (``Person.is_member`` the link and
#: leader counts, a service site's coordinates the nearest site): the loader writes them first
FIRST = ("Person", "ServiceSite")

#: relationship properties the derived values read
_REL_PROPS = {"GRID_WORKER_OF": ("full_time",), "BUILDING_LEADER_OF": ("in_service",)}

_LABELS = {label for label, _ in derived.PROPERTIES}


def _props(label: str) -> list[str]:
    return [p for lb, p in derived.PROPERTIES if lb == label]


class FirstLoad:
    """The derived values of every node a load writes into an empty database (so the load's
    batches are the whole graph). Built from the relationship batches, in the order they are
    written; node batches are then given their columns label by label (``columns``), those of
    :data:`FIRST` before the rest."""

    def __init__(self, rel_batches: Iterable[tuple[tuple[str, str, str], dict[str, Sequence[Any]]]]):
        # (type, start, end) -> [(src, dst, {prop: value})]: a pair written by two batches is one
        # relationship (the second MERGEs into the first and sets the columns it has)
        grouped: dict[tuple[str, str, str], list[dict[str, Sequence[Any]]]] = defaultdict(list)
        for trip, cols in rel_batches:
            if cols and "src" in cols:
                grouped[trip].append(cols)
        self._rels: dict[tuple[str, str, str], list[tuple[Any, Any, dict]]] = {}
        self._cols: dict[tuple[str, str, str], tuple[Sequence[Any], Sequence[Any]]] = {}
        for trip, batches in grouped.items():
            wanted = _REL_PROPS.get(trip[0], ())
            if len(batches) == 1 and not wanted:  # pairs are unique within a batch (loaders.plan)
                self._cols[trip] = (batches[0]["src"], batches[0]["dst"])
                continue
            merged: dict[tuple[Any, Any], dict] = {}
            for cols in batches:
                present = [p for p in wanted if p in cols]
                for i, pair in enumerate(zip(cols["src"], cols["dst"])):
                    props = merged.setdefault(pair, {})
                    for p in present:
                        props[p] = cols[p][i]
            if wanted:
                self._rels[trip] = [(s, e, props) for (s, e), props in merged.items()]
            self._cols[trip] = ([a for a, _ in merged], [b for _, b in merged])
        self.is_member: dict[Any, Any] = {}
        self._sites: list[tuple[float, float]] = []
        self._uv: dict[str, Any] | None = None

    def pairs(self, type_: str, start: str, end: str) -> Iterable[tuple[Any, Any]]:
        """(start, end) of each relationship, once per pair (an iterator)."""
        return zip(*self.columns_of(type_, start, end))

    def columns_of(self, type_: str, start: str, end: str) -> tuple[Sequence[Any], Sequence[Any]]:
        """(starts, ends) of the relationships, one per pair."""
        return self._cols.get((type_, start, end), ((), ()))

    # --- values of the nodes written first ---------------------------------------------------------
    def remember(self, label: str, batches: Sequence[dict[str, Sequence[Any]]]) -> None:
        """Keep what other labels' values read from this label's nodes (last batch wins, as its
        MERGE does)."""
        for cols in batches:
            if label == "Person" and "is_member" in cols:
                self.is_member.update(zip(cols["id"], cols["is_member"]))
            elif label == "ServiceSite" and "lat" in cols and "lon" in cols:
                self._sites.extend((a, o) for a, o in zip(cols["lat"], cols["lon"])
                                   if a is not None and o is not None)

    # --- the values ------------------------------------------------------------------------------
    def columns(self, label: str, batches: Sequence[dict[str, Sequence[Any]]]) -> dict[str, list[Any]]:
        """The derived columns of the nodes of ``label`` in ``batches`` (all of the label's batches,
        keys in ``id``), aligned with the concatenated keys; ``{}`` for a label without any."""
        if label not in _LABELS:
            return {}
        keys = [k for cols in batches for k in cols["id"]]
        values = getattr(self, f"_{label.lower()}")(keys, batches)
        assert set(values) == set(_props(label)), (label, sorted(values))
        return values

    def _partyorg(self, keys, batches) -> dict[str, list]:
        ok = self._orgs_ok()
        return {"chain_ok": [k in ok for k in keys]}

    def _orgs_ok(self) -> set:
        """Organisations responsible for a street, or under one up to ``MAX_LEVELS`` levels down."""
        ok = set(self.columns_of("RESPONSIBLE_FOR", "PartyOrg", "Street")[0])
        below: dict[Any, list] = defaultdict(list)
        for a, p in self.pairs("SUBORDINATE_TO", "PartyOrg", "PartyOrg"):
            below[p].append(a)
        frontier = set(ok)
        for _ in range(derived.MAX_LEVELS):
            frontier = {a for p in frontier for a in below.get(p, ()) if a not in ok}
            if not frontier:
                break
            ok |= frontier
        return ok

    def _unit_values(self) -> dict[str, Any]:
        """Per unit: chain_ok, grids (-1 without a building), households, leaders (computed once:
        households read them)."""
        if self._uv is not None:
            return self._uv
        ok_orgs = self._orgs_ok()
        places: dict[str, set] = defaultdict(set)  # label -> places an organisation on the chain looks after
        for (t, a, b) in self._cols:
            if t == "RESPONSIBLE_FOR" and a == "PartyOrg":
                places[b].update(x for o, x in self.pairs(t, a, b) if o in ok_orgs)
        for b in ("Unit", "Building", "Compound"):  # what a grid on the chain covers
            places[b].update(x for g, x in self.pairs("COVERS", "Grid", b) if g in places["Grid"])
        buildings_of = _many(self.pairs("PART_OF", "Unit", "Building"))
        compounds_of = _many(self.pairs("PART_OF", "Building", "Compound"))
        communities_of_compound = _many(self.pairs("PART_OF", "Compound", "Community"))
        communities_of_building = _many(self.pairs("PART_OF", "Building", "Community"))
        covers = {b: Counter(self.columns_of("COVERS", "Grid", b)[1]) for b in ("Unit", "Building", "Compound")}

        def building_ok(b) -> bool:
            if b in places["Building"]:
                return True
            for cp in compounds_of.get(b, ()):
                if cp in places["Compound"] or any(m in places["Community"] for m in communities_of_compound.get(cp, ())):
                    return True
            return any(m in places["Community"] for m in communities_of_building.get(b, ()))

        def compound_grids(b) -> int:  # (grid, compound) pairs over the building's compounds
            return sum(covers["Compound"].get(cp, 0) for cp in compounds_of.get(b, ()))

        chain, grids = {}, {}
        for u, bs in buildings_of.items():
            chain[u] = u in places["Unit"] or any(building_ok(b) for b in bs)
            n1, k1 = covers["Unit"].get(u, 0), max(covers["Unit"].get(u, 0), 1)
            total = 0
            for b in bs:
                n2, n3 = covers["Building"].get(b, 0), compound_grids(b)
                k2, k3 = max(n2, 1), max(n3, 1)
                total += n1 * k2 * k3 + k1 * n2 * k3 + k1 * k2 * n3
            grids[u] = total
        households = Counter(self.columns_of("PART_OF", "Household", "Unit")[1])
        self._uv = {"chain": chain, "grids": grids, "households": households, "buildings_of": buildings_of,
                      "compounds_of": compounds_of, "covers": covers, "compound_grids": compound_grids}
        return self._uv

    def _unit(self, keys, batches) -> dict[str, list]:
        uv = self._unit_values()
        leaders, nonmembers = self._leaders()
        return {"chain_ok": [uv["chain"].get(k, False) for k in keys], "grids": [uv["grids"].get(k, -1) for k in keys],
                "households": [uv["households"].get(k, 0) for k in keys], "leaders": [leaders.get(k, 0) for k in keys],
                "nonmember_leaders": [nonmembers.get(k, 0) for k in keys]}

    def _leaders(self) -> tuple[Counter, Counter]:
        leaders, nonmembers = Counter(), Counter()
        for p, u in self.pairs("UNIT_LEADER_OF", "Person", "Unit"):
            leaders[u] += 1
            if self.is_member.get(p) is not True:
                nonmembers[u] += 1
        return leaders, nonmembers

    def _household(self, keys, batches) -> dict[str, list]:
        # A county's households are most of its nodes: positions first (a str caches its hash, so
        # a dict beats hashing the column again), then whole columns at a time with numpy.
        uv = self._unit_values()
        chain, grids = uv["chain"], uv["grids"]
        n = len(keys)
        where = dict(zip(keys, range(n)))
        hs, us = self.columns_of("PART_OF", "Household", "Unit")
        # -1: a household this load does not write (none, into an empty database)
        at = np.array([where.get(h, -1) for h in hs], np.int64)
        unit_chain = np.array([chain.get(u, False) for u in us], bool)
        unit_grids = np.array([grids.get(u, -1) for u in us], np.int64)
        chain_ok = np.zeros(n + 1, bool)  # the last slot takes what -1 points at
        chain_ok[at[unit_chain]] = True
        h_grids = np.full(n + 1, -1, np.int64)
        placed = unit_grids >= 0
        h_grids[at[placed]] = unit_grids[placed]  # of two units, the last written counts
        ps, linked = self.columns_of("LINKED_TO", "Person", "Household")
        to = np.array([where.get(h, -1) for h in linked], np.int64)
        carers = set(self.columns_of("UNIT_LEADER_OF", "Person", "Unit")[0])
        is_member = self.is_member
        member = np.array([is_member.get(x) is True for x in ps], bool)
        cares = member | np.array([x in carers for x in ps], bool)
        return {"chain_ok": chain_ok[:n].tolist(), "grids": h_grids[:n].tolist(),
                "member_links": _counts(to[member], n), "carer_links": _counts(to[cares], n)}

    def _person(self, keys, batches) -> dict[str, list]:
        links = Counter(self.columns_of("LINKED_TO", "Person", "Household")[0])
        reported = set(self.columns_of("REPORTED_TO", "Person", "Community")[0])
        assigned = set(self.columns_of("ASSIGNED_TO", "Person", "PartyOrg")[0])
        return {"links": [links.get(k, 0) for k in keys], "reported": [k in reported for k in keys],
                "assigned": [k in assigned for k in keys]}

    def _organization(self, keys, batches) -> dict[str, list]:
        reported = set(self.columns_of("REPORTED_TO", "Organization", "Community")[0])
        return {"reported": [k in reported for k in keys]}

    def _grid(self, keys, batches) -> dict[str, list]:
        uv = self._unit_values()
        covering = {g for b in ("Unit", "Building", "Compound") for g, _ in self.pairs("COVERS", "Grid", b)}
        # a unit's households once per grid covering the unit, its building or its compound
        by_unit: dict[Any, list] = defaultdict(list)
        by_building: dict[Any, list] = defaultdict(list)
        by_compound: dict[Any, list] = defaultdict(list)
        for g, x in self.pairs("COVERS", "Grid", "Unit"):
            by_unit[x].append(g)
        for g, x in self.pairs("COVERS", "Grid", "Building"):
            by_building[x].append(g)
        for g, x in self.pairs("COVERS", "Grid", "Compound"):
            by_compound[x].append(g)
        households = Counter()
        for u, bs in uv["buildings_of"].items():
            gs = set(by_unit.get(u, ()))
            for b in bs:
                gs.update(by_building.get(b, ()))
                for cp in uv["compounds_of"].get(b, ()):
                    gs.update(by_compound.get(cp, ()))
            n = uv["households"].get(u, 0)
            for g in gs:
                households[g] += n
        workers, full = Counter(), Counter()
        for _p, g, props in self._rels.get(("GRID_WORKER_OF", "Person", "Grid"), ()):
            workers[g] += 1
            if props.get("full_time") is True:
                full[g] += 1
        return {"covering": [k in covering for k in keys], "households": [households.get(k, 0) for k in keys],
                "full_time_workers": [full.get(k, 0) for k in keys], "workers": [workers.get(k, 0) for k in keys]}

    def _building(self, keys, batches) -> dict[str, list]:
        uv = self._unit_values()
        covers, compound_grids = uv["covers"], uv["compound_grids"]
        units_of = _many((b, u) for u, b in self.pairs("PART_OF", "Unit", "Building"))
        grids, households = [], []
        for b in keys:
            n1 = covers["Building"].get(b, 0)
            n2 = sum(covers["Unit"].get(u, 0) for u in units_of.get(b, ()))
            n3 = compound_grids(b)
            k1, k2, k3 = max(n1, 1), max(n2, 1), max(n3, 1)
            grids.append(n1 * k2 * k3 + k1 * n2 * k3 + k1 * k2 * n3)
            households.append(sum(uv["households"].get(u, 0) for u in units_of.get(b, ())))
        in_service, not_in_service = Counter(), Counter()
        for _p, b, props in self._rels.get(("BUILDING_LEADER_OF", "Person", "Building"), ()):
            v = props.get("in_service")
            if v is True:
                in_service[b] += 1
            elif v is False:
                not_in_service[b] += 1
        return {"grids": grids, "households": households,
                "leaders_in_service": [in_service.get(k, 0) for k in keys],
                "leaders_not_in_service": [not_in_service.get(k, 0) for k in keys],
                "nearest_site_m": self._nearest(batches)}

    def _nearest(self, batches) -> list:
        out: list = []
        for cols in batches:
            n = len(cols["id"])
            if "lat" not in cols or "lon" not in cols or not self._sites:
                out += [None] * n
                continue
            located = [i for i, (a, o) in enumerate(zip(cols["lat"], cols["lon"])) if a is not None and o is not None]
            values: list = [None] * n
            if located:
                metres = derived.nearest_metres(self._sites, [(cols["lat"][i], cols["lon"][i]) for i in located])
                for i, m in zip(located, metres):
                    values[i] = m
            out += values
        return out


def _counts(at: np.ndarray, n: int) -> list[int]:
    """How often each of ``n`` positions occurs in ``at`` (-1: none of them)."""
    return np.bincount(at[at >= 0], minlength=n).tolist()


def _many(pairs: Iterable[tuple[Any, Any]]) -> dict[Any, list]:
    out: dict[Any, list] = defaultdict(list)
    for a, b in pairs:
        out[a].append(b)
    return out
