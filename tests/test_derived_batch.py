"""A first load's derived values, computed from its batches (graph/derived_batch.py), equal what the
stores' statements (graph/derived.py) compute from the same graph — on generated graphs full of
the awkward cases, on both stores — and the loader uses them only for a load into an empty database.
"""
from __future__ import annotations

import random

import pytest

from graph import derived
from graph.derived_batch import FIRST, FirstLoad
from graph.model import MODEL

COUNTS = {"Street": 2, "Community": 3, "Compound": 4, "Building": 9, "Unit": 16, "Household": 40, "Grid": 5,
          "PartyOrg": 12, "Person": 30, "Organization": 4, "ServiceSite": 3}


def _node(label: str, i: int, rnd: random.Random) -> dict:
    row = {"id": f"{label}{i}"}
    if label == "PartyOrg":
        row.update(name=f"组织{i}", kind=rnd.choice(["党工委", "党支部", "党委"]))
    elif label == "Person":
        row.update(name=f"人{i}", is_member=rnd.random() < 0.5)
    elif label == "Household":
        row.update(address=f"地址{i}")
    elif label in ("Building", "ServiceSite"):
        row.update(name=f"{label}{i}")
        if label == "ServiceSite" or rnd.random() < 0.8:
            row.update(lat=36.8 + rnd.random() / 10, lon=117.8 + rnd.random() / 10)
    else:
        row.update(name=f"{label}{i}")
    return row


def graph(seed: int):
    """(node batches per label, relationship batches in write order) of a random territory: units in
    no building or in two, households in no unit, grids covering a unit, its building and its
    compound at once, chains of superiors deeper than six levels and cycles, a relationship written
    by two batches with different properties, leaders and grid workers whose flags are missing."""
    rnd = random.Random(seed)
    ids = {label: [f"{label}{i}" for i in range(n)] for label, n in COUNTS.items()}
    nodes = {}
    for label, n in COUNTS.items():
        rows = [_node(label, i, rnd) for i in range(n)]
        cut = rnd.randrange(1, n) if n > 2 and label in ("Person", "Building", "Household") else n
        # two batches of one label with different columns (as two ledgers would give)
        nodes[label] = [_columns(rows[:cut]), _columns(rows[cut:])] if cut < n else [_columns(rows)]

    def some(label, p):
        return [x for x in ids[label] if rnd.random() < p]

    def pick(label):
        return rnd.choice(ids[label])

    rels: list = []

    def add(t, a, b, pairs, **props):
        pairs = list(dict.fromkeys(pairs))
        if not pairs:
            return
        rows = [{"src": s, "dst": e, **{k: rnd.choice(v) for k, v in props.items()}} for s, e in pairs]
        half = len(rows) // 2
        # the second batch repeats a few pairs of the first, with other values
        again = [{**r, **{k: rnd.choice(v) for k, v in props.items()}} for r in rows[:half] if rnd.random() < 0.3]
        for part in (rows[:half], rows[half:] + again):
            if part:
                rels.append(((t, a, b), _columns(part)))

    add("PART_OF", "Community", "Street", [(c, pick("Street")) for c in ids["Community"]])
    add("PART_OF", "Compound", "Community", [(c, pick("Community")) for c in some("Compound", 0.8)])
    bs = ids["Building"]
    add("PART_OF", "Building", "Compound", [(b, pick("Compound")) for b in bs[: len(bs) // 2]])
    add("PART_OF", "Building", "Community", [(b, pick("Community")) for b in bs[len(bs) // 3:]])
    units = [(u, pick("Building")) for u in some("Unit", 0.85)] + [(u, pick("Building")) for u in some("Unit", 0.15)]
    add("PART_OF", "Unit", "Building", units)
    add("PART_OF", "Household", "Unit", [(h, pick("Unit")) for h in some("Household", 0.9)])
    for b in ("Unit", "Building", "Compound"):
        add("COVERS", "Grid", b, [(g, x) for g in ids["Grid"] for x in ids[b] if rnd.random() < 0.25])
    orgs = ids["PartyOrg"]
    for b in ("Street", "Community", "Grid", "Compound", "Building", "Unit"):
        add("RESPONSIBLE_FOR", "PartyOrg", b,
            [(o, pick(b)) for o in some("PartyOrg", 0.25) if b != "Street" or o not in orgs[1:9]])
    chain = [(orgs[k], orgs[k - 1]) for k in range(1, 9)]  # 8 levels below PAR0
    add("SUBORDINATE_TO", "PartyOrg", "PartyOrg",
        chain + [(a, b) for a in orgs[9:] for b in orgs if a != b and rnd.random() < 0.2])
    add("LINKED_TO", "Person", "Household", [(p, h) for p in ids["Person"] for h in ids["Household"] if rnd.random() < 0.06],
        kind=["包联", None])
    add("UNIT_LEADER_OF", "Person", "Unit", [(pick("Person"), u) for u in some("Unit", 0.6)])
    add("REPORTED_TO", "Person", "Community", [(p, pick("Community")) for p in some("Person", 0.4)])
    add("REPORTED_TO", "Organization", "Community", [(o, pick("Community")) for o in some("Organization", 0.5)])
    add("ASSIGNED_TO", "Person", "PartyOrg", [(p, pick("PartyOrg")) for p in some("Person", 0.4)])
    add("GRID_WORKER_OF", "Person", "Grid", [(pick("Person"), g) for g in ids["Grid"] for _ in range(2)],
        full_time=[True, False, None])
    add("BUILDING_LEADER_OF", "Person", "Building", [(pick("Person"), b) for b in bs for _ in range(2)],
        in_service=[True, False, None])
    # PAR0 answers for the street: the chain below it reaches six levels, not eight
    rels.insert(0, (("RESPONSIBLE_FOR", "PartyOrg", "Street"), _columns([{"src": orgs[0], "dst": ids["Street"][0]}])))
    return nodes, rels


def _columns(rows: list[dict]) -> dict[str, list]:
    names = list(dict.fromkeys(k for r in rows for k in r))
    return {c: [r.get(c) for r in rows] for c in names}


def stored(store) -> dict:
    out = {}
    for label, prop in derived.PROPERTIES:
        rows = store.query(f"MATCH (n:{label}) RETURN n.id AS id, n.{prop} AS v")
        out[(label, prop)] = {r["id"]: (round(r["v"], 6) if isinstance(r["v"], float) else r["v"]) for r in rows}
    return out


def computed(nodes, rels) -> dict:
    first = FirstLoad(rels)
    out = {}
    for label in (*FIRST, *(x for x in MODEL.labels if x not in FIRST)):
        batches = nodes.get(label)
        if not batches:
            continue
        first.remember(label, batches)
        cols = first.columns(label, batches)
        keys = [k for b in batches for k in b["id"]]
        for prop, values in cols.items():
            out[(label, prop)] = {k: (round(v, 6) if isinstance(v, float) else v) for k, v in zip(keys, values)}
    return out


@pytest.mark.parametrize("seed", range(4))
def test_a_first_load_computes_what_the_statements_compute(store, seed):
    nodes, rels = graph(seed)
    with store.transaction() as tx:  # written as the loader writes: nodes, then relationships in order
        for label, batches in nodes.items():
            for cols in batches:
                tx.upsert_node_columns(label, cols)
        for (t, a, b), cols in rels:
            tx.upsert_rel_columns(t, a, b, cols, endpoints_checked=True)
    want = stored(store)
    got = computed(nodes, rels)
    assert set(got) == set(want)
    for key in want:
        assert got[key] == want[key], key
    # the cases are there: some values of every kind differ from their defaults
    assert -1 in want[("Unit", "grids")].values() and max(want[("Unit", "grids")].values()) > 1
    chain = want[("PartyOrg", "chain_ok")]
    assert [chain[f"PartyOrg{k}"] for k in range(9)] == [True] * (derived.MAX_LEVELS + 1) + [False, False]


def test_the_loader_computes_derived_values_itself_only_into_an_empty_database(store, tmp_path, monkeypatch):
    from demo import generate
    from loaders.engine import load

    calls = []
    real = derived.refresh
    monkeypatch.setattr(derived, "refresh", lambda *a, **k: (calls.append(a[1:]), real(*a, **k))[1])
    folder = tmp_path / "county"
    generate("pingshun", scale=0.05, seed=5, out_dir=folder, fmt="csv")
    ledgers = sorted(folder.glob("*.csv"))
    load(ledgers, store)
    assert calls == []
    first = stored(store)
    with store.transaction() as tx:
        tx.derived_dirty = True  # every group, from scratch
    assert stored(store) == first
    # a second load into the now non-empty database: the stores bring the values up to date
    links = folder / "包联.csv"
    lines = links.read_text(encoding="utf-8-sig").splitlines()
    links.write_text("\n".join(lines[:1] + lines[1::2]) + "\n", encoding="utf-8")
    load([links], store, replace=True)
    assert calls
    assert stored(store) != first
