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
        self._pairs: dict[tuple[str, str, str], list[tuple[Any, Any]]] = {}
        for trip, batches in grouped.items():
            wanted = _REL_PROPS.get(trip[0], ())
            if len(batches) == 1 and not wanted:
                self._pairs[trip] = list(zip(batches[0]["src"], batches[0]["dst"]))
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
            self._pairs[trip] = list(merged)
        self.is_member: dict[Any, Any] = {}
        self._sites: list[tuple[float, float]] = []
        self._uv: dict[str, Any] | None = None

    def pairs(self, type_: str, start: str, end: str) -> list[tuple[Any, Any]]:
        return self._pairs.get((type_, start, end), [])

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
        ok = {a for a, _ in self.pairs("RESPONSIBLE_FOR", "PartyOrg", "Street")}
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
        for (t, a, b), pairs in self._pairs.items():
            if t == "RESPONSIBLE_FOR" and a == "PartyOrg":
                places[b].update(x for o, x in pairs if o in ok_orgs)
        for b in ("Unit", "Building", "Compound"):  # what a grid on the chain covers
            places[b].update(x for g, x in self.pairs("COVERS", "Grid", b) if g in places["Grid"])
        buildings_of = _many(self.pairs("PART_OF", "Unit", "Building"))
        compounds_of = _many(self.pairs("PART_OF", "Building", "Compound"))
        communities_of_compound = _many(self.pairs("PART_OF", "Compound", "Community"))
        communities_of_building = _many(self.pairs("PART_OF", "Building", "Community"))
        covers = {b: Counter(x for _, x in self.pairs("COVERS", "Grid", b)) for b in ("Unit", "Building", "Compound")}

        def building_ok(b) -> bool:
            if b in places["Building"]:
                return True
            for cp in compounds_of.get(b, ()):
                if cp in places["Compound"] or any(m in places["Community"] for m in communities_of_compound.get(cp, ())):
                    return True
            return any(m in places["Community"] for m in communities_of_building.get(b, ()))

        def compound_grids(b) -> int:  # (grid, compound) pairs over the building's compounds
            return sum(covers["Compound"][cp] for cp in compounds_of.get(b, ()))

        chain, grids = {}, {}
        for u, bs in buildings_of.items():
            chain[u] = u in places["Unit"] or any(building_ok(b) for b in bs)
            n1, k1 = covers["Unit"][u], max(covers["Unit"][u], 1)
            total = 0
            for b in bs:
                n2, n3 = covers["Building"][b], compound_grids(b)
                k2, k3 = max(n2, 1), max(n3, 1)
                total += n1 * k2 * k3 + k1 * n2 * k3 + k1 * k2 * n3
            grids[u] = total
        households = Counter(u for _, u in self.pairs("PART_OF", "Household", "Unit"))
        self._uv = {"chain": chain, "grids": grids, "households": households, "buildings_of": buildings_of,
                      "compounds_of": compounds_of, "covers": covers, "compound_grids": compound_grids}
        return self._uv

    def _unit(self, keys, batches) -> dict[str, list]:
        uv = self._unit_values()
        leaders, nonmembers = self._leaders()
        return {"chain_ok": [uv["chain"].get(k, False) for k in keys], "grids": [uv["grids"].get(k, -1) for k in keys],
                "households": [uv["households"][k] for k in keys], "leaders": [leaders[k] for k in keys],
                "nonmember_leaders": [nonmembers[k] for k in keys]}

    def _leaders(self) -> tuple[Counter, Counter]:
        leaders, nonmembers = Counter(), Counter()
        for p, u in self.pairs("UNIT_LEADER_OF", "Person", "Unit"):
            leaders[u] += 1
            if self.is_member.get(p) is not True:
                nonmembers[u] += 1
        return leaders, nonmembers

    def _household(self, keys, batches) -> dict[str, list]:
        uv = self._unit_values()
        chain, grids = uv["chain"], uv["grids"]
        h_chain, h_grids = {}, {}
        for h, u in self.pairs("PART_OF", "Household", "Unit"):
            if chain.get(u):
                h_chain[h] = True
            g = grids.get(u, -1)
            if g >= 0:
                h_grids[h] = g
        carers = {p for p, _ in self.pairs("UNIT_LEADER_OF", "Person", "Unit")}
        members, cared = Counter(), Counter()
        for p, h in self.pairs("LINKED_TO", "Person", "Household"):
            m = self.is_member.get(p) is True
            if m:
                members[h] += 1
            if m or p in carers:
                cared[h] += 1
        return {"chain_ok": [h_chain.get(k, False) for k in keys],
                "member_links": [members[k] for k in keys], "carer_links": [cared[k] for k in keys],
                "grids": [h_grids.get(k, -1) for k in keys]}

    def _person(self, keys, batches) -> dict[str, list]:
        links = Counter(p for p, _ in self.pairs("LINKED_TO", "Person", "Household"))
        reported = {p for p, _ in self.pairs("REPORTED_TO", "Person", "Community")}
        assigned = {p for p, _ in self.pairs("ASSIGNED_TO", "Person", "PartyOrg")}
        return {"links": [links[k] for k in keys], "reported": [k in reported for k in keys],
                "assigned": [k in assigned for k in keys]}

    def _organization(self, keys, batches) -> dict[str, list]:
        reported = {o for o, _ in self.pairs("REPORTED_TO", "Organization", "Community")}
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
            n = uv["households"][u]
            for g in gs:
                households[g] += n
        workers, full = Counter(), Counter()
        for _p, g, props in self._rels.get(("GRID_WORKER_OF", "Person", "Grid"), ()):
            workers[g] += 1
            if props.get("full_time") is True:
                full[g] += 1
        return {"covering": [k in covering for k in keys], "households": [households[k] for k in keys],
                "full_time_workers": [full[k] for k in keys], "workers": [workers[k] for k in keys]}

    def _building(self, keys, batches) -> dict[str, list]:
        uv = self._unit_values()
        covers, compound_grids = uv["covers"], uv["compound_grids"]
        units_of = _many((b, u) for u, b in self.pairs("PART_OF", "Unit", "Building"))
        grids, households = [], []
        for b in keys:
            n1 = covers["Building"][b]
            n2 = sum(covers["Unit"][u] for u in units_of.get(b, ()))
            n3 = compound_grids(b)
            k1, k2, k3 = max(n1, 1), max(n2, 1), max(n3, 1)
            grids.append(n1 * k2 * k3 + k1 * n2 * k3 + k1 * k2 * n3)
            households.append(sum(uv["households"][u] for u in units_of.get(b, ())))
        in_service, not_in_service = Counter(), Counter()
        for _p, b, props in self._rels.get(("BUILDING_LEADER_OF", "Person", "Building"), ()):
            v = props.get("in_service")
            if v is True:
                in_service[b] += 1
            elif v is False:
                not_in_service[b] += 1
        return {"grids": grids, "households": households,
                "leaders_in_service": [in_service[k] for k in keys],
                "leaders_not_in_service": [not_in_service[k] for k in keys],
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


def _many(pairs: Iterable[tuple[Any, Any]]) -> dict[Any, list]:
    out: dict[Any, list] = defaultdict(list)
    for a, b in pairs:
        out[a].append(b)
    return out
