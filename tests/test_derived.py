"""Derived properties (graph/derived.py): computed in the writing transaction, on every store.

A small territory whose chain of responsibility is made and broken by ordinary writes; rule R16
(households whose chain does not reach the street) must follow every change at once.
"""
from __future__ import annotations

import pytest

from graph import derived
from queries import coverage


def r16(store) -> list[str]:
    return sorted(r["id"] for r in coverage.violations(store, "R16"))


def chain_ok(store, label: str) -> dict[str, bool]:
    return {r["id"]: r["ok"] for r in store.query(f"MATCH (n:{label}) RETURN n.id AS id, n.chain_ok AS ok")}


@pytest.fixture
def territory(store):
    """Street S ← community C ← compound CP ← building B (units U1, U2; households H1, H2) and a
    building B2 directly in C (unit U3, household H3). O1 is the street's working committee; O2
    (under O1) looks after CP; O3 has no superior and looks after B2."""
    with store.transaction() as tx:
        tx.upsert_nodes("Street", [{"id": "S", "name": "街道"}])
        tx.upsert_nodes("Community", [{"id": "C", "name": "社区"}])
        tx.upsert_nodes("Compound", [{"id": "CP", "name": "小区"}])
        tx.upsert_nodes("Building", [{"id": "B", "name": "1号楼"}, {"id": "B2", "name": "散楼"}])
        tx.upsert_nodes("Unit", [{"id": "U1", "name": "1单元"}, {"id": "U2", "name": "2单元"},
                                 {"id": "U3", "name": "1单元"}])
        tx.upsert_nodes("Household", [{"id": f"H{i}", "address": f"地址{i}"} for i in (1, 2, 3)])
        tx.upsert_nodes("PartyOrg", [{"id": f"O{i}", "name": f"党组织{i}", "kind": k}
                                     for i, k in ((1, "党工委"), (2, "党支部"), (3, "党支部"))])
        tx.upsert_rels("PART_OF", "Community", "Street", [{"src": "C", "dst": "S"}])
        tx.upsert_rels("PART_OF", "Compound", "Community", [{"src": "CP", "dst": "C"}])
        tx.upsert_rels("PART_OF", "Building", "Compound", [{"src": "B", "dst": "CP"}])
        tx.upsert_rels("PART_OF", "Building", "Community", [{"src": "B2", "dst": "C"}])
        tx.upsert_rels("PART_OF", "Unit", "Building", [{"src": "U1", "dst": "B"}, {"src": "U2", "dst": "B"},
                                                       {"src": "U3", "dst": "B2"}])
        tx.upsert_rels("PART_OF", "Household", "Unit", [{"src": "H1", "dst": "U1"}, {"src": "H2", "dst": "U2"},
                                                        {"src": "H3", "dst": "U3"}])
        tx.upsert_rels("RESPONSIBLE_FOR", "PartyOrg", "Street", [{"src": "O1", "dst": "S"}])
        tx.upsert_rels("RESPONSIBLE_FOR", "PartyOrg", "Compound", [{"src": "O2", "dst": "CP"}])
        tx.upsert_rels("RESPONSIBLE_FOR", "PartyOrg", "Building", [{"src": "O3", "dst": "B2"}])
        tx.upsert_rels("SUBORDINATE_TO", "PartyOrg", "PartyOrg", [{"src": "O2", "dst": "O1"}])
    return store


def test_chain_follows_every_write(territory):
    s = territory
    assert chain_ok(s, "PartyOrg") == {"O1": True, "O2": True, "O3": False}
    assert chain_ok(s, "Unit") == {"U1": True, "U2": True, "U3": False}
    assert r16(s) == ["H3"]
    # O3 placed under O1: B2's household is reached
    with s.transaction() as tx:
        tx.upsert_rels("SUBORDINATE_TO", "PartyOrg", "PartyOrg", [{"src": "O3", "dst": "O1"}])
    assert r16(s) == []
    # O2 loses its superior: the compound's households are cut off
    with s.transaction() as tx:
        tx.delete_rels("SUBORDINATE_TO", "PartyOrg", "PartyOrg", [("O2", "O1")])
    assert r16(s) == ["H1", "H2"]
    # a grid covering unit U1, looked after by the street committee itself, reconnects H1 only
    with s.transaction() as tx:
        tx.upsert_nodes("Grid", [{"id": "G", "name": "网格"}])
        tx.upsert_rels("COVERS", "Grid", "Unit", [{"src": "G", "dst": "U1"}])
        tx.upsert_rels("RESPONSIBLE_FOR", "PartyOrg", "Grid", [{"src": "O1", "dst": "G"}])
    assert r16(s) == ["H2"]
    # a free-form write naming an input is noticed too
    s.write([("MATCH (a:PartyOrg {id: 'O2'}), (b:PartyOrg {id: 'O1'}) MERGE (a)-[:SUBORDINATE_TO]->(b)", None)])
    assert r16(s) == []


def test_a_new_unit_is_computed_and_a_household_alone_is_broken(territory):
    s = territory
    with s.transaction() as tx:
        tx.upsert_nodes("Unit", [{"id": "U4", "name": "4单元"}])
        tx.upsert_rels("PART_OF", "Unit", "Building", [{"src": "U4", "dst": "B"}])
        tx.upsert_nodes("Household", [{"id": "H4", "address": "新户"}, {"id": "H5", "address": "未归单元"}])
        tx.upsert_rels("PART_OF", "Household", "Unit", [{"src": "H4", "dst": "U4"}])
    assert chain_ok(s, "Unit")["U4"] is True
    assert r16(s) == ["H3", "H5"]


def test_superiors_count_up_to_six_levels(store):
    # Q0 answers for the street; Qk is k levels below it and looks after unit Uk
    n = derived.MAX_LEVELS + 2
    with store.transaction() as tx:
        tx.upsert_nodes("Street", [{"id": "S", "name": "街道"}])
        tx.upsert_nodes("PartyOrg", [{"id": f"Q{k}", "name": f"组织{k}", "kind": "党支部"} for k in range(n)])
        tx.upsert_rels("RESPONSIBLE_FOR", "PartyOrg", "Street", [{"src": "Q0", "dst": "S"}])
        tx.upsert_rels("SUBORDINATE_TO", "PartyOrg", "PartyOrg",
                       [{"src": f"Q{k}", "dst": f"Q{k - 1}"} for k in range(1, n)])
    ok = chain_ok(store, "PartyOrg")
    assert [k for k in range(n) if ok[f"Q{k}"]] == list(range(derived.MAX_LEVELS + 1))


def test_a_cycle_of_superiors_ends(store):
    with store.transaction() as tx:
        tx.upsert_nodes("PartyOrg", [{"id": "A", "name": "甲", "kind": "党支部"}, {"id": "B", "name": "乙", "kind": "党支部"}])
        tx.upsert_rels("SUBORDINATE_TO", "PartyOrg", "PartyOrg", [{"src": "A", "dst": "B"}, {"src": "B", "dst": "A"}])
    assert chain_ok(store, "PartyOrg") == {"A": False, "B": False}


def test_writes_recompute_only_what_they_change(territory):
    with territory.transaction() as tx:
        tx.upsert_nodes("Household", [{"id": "H1", "address": "改了地址"}])
        assert tx.derived_groups == set()  # a new household would only need its defaults
        tx.upsert_rels("COVERS", "Grid", "Unit", [])  # nothing written, nothing to do
        assert tx.derived_groups == set()
        tx.upsert_rels("PART_OF", "Household", "Unit", [{"src": "H1", "dst": "U1"}])
        assert tx.derived_groups == {"household_chain", "household_grids", "households"}
        tx.upsert_nodes("Person", [{"id": "P", "name": "张三", "is_member": True}])
        assert tx.derived_groups == {"household_chain", "household_grids", "households", "links", "leaders"}
        tx.upsert_rels("PART_OF", "Unit", "Building", [{"src": "U1", "dst": "B"}])
        assert {"chain", "grid_cover"} <= tx.derived_groups


def test_a_database_from_before_the_derived_properties_is_filled_on_open(territory):
    s = territory
    with s.transaction() as tx:
        tx._exec("MATCH (u:Unit) SET u.chain_ok = NULL")  # as an older orgnet left it
    assert derived.missing(s.query(derived.missing_check())) == 3
    s.create_schema()
    assert chain_ok(s, "Unit") == {"U1": True, "U2": True, "U3": False}


# --- every derived property, through the loader, on a generated county ------------------------------
import csv  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from demo import generate  # noqa: E402
from loaders.engine import load, rebuild  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from walked_rules import WALKED  # noqa: E402


def derived_values(store) -> dict:
    out = {}
    for label, prop in derived.PROPERTIES:
        rows = store.query(f"MATCH (n:{label}) RETURN n.id AS id, n.{prop} AS v")
        out[(label, prop)] = {r["id"]: (round(r["v"], 6) if isinstance(r["v"], float) else r["v"]) for r in rows}
    return out


def answer(store, rid: str, body: str | None = None) -> tuple[list, list]:
    q = coverage.rules()[rid]
    cols = store.query_columns(body or q.body, q.bind())
    ids, bad = cols.get("id", []), [i for i, v in zip(cols.get("id", []), cols.get("violation", [])) if v]
    return sorted(ids), sorted(bad)


def check(store) -> dict:
    """Every rule reading derived values answers as the per-view walk does, and the derived values
    equal a recomputation from scratch."""
    for rid, walked in WALKED.items():
        assert answer(store, rid) == answer(store, rid, walked), rid
    kept = derived_values(store)
    for (label, prop), values in kept.items():
        assert None not in values.values() or prop == "nearest_site_m", (label, prop)
    with store.transaction() as tx:
        tx.derived_dirty = True  # every group, from scratch
    assert derived_values(store) == kept
    return kept


def edit(folder: Path, stem: str, change) -> Path:
    """Rewrite one CSV ledger: ``change(rows)`` returns the new rows (dicts by header)."""
    path = folder / f"{stem}.csv"
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        header, rows = reader.fieldnames, list(reader)
    rows = change(rows)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header)
        w.writeheader()
        w.writerows(rows)
    return path


def test_derived_values_follow_loads_reloads_replace_and_rebuild(store, tmp_path):
    folder = tmp_path / "county"
    generate("pingshun", scale=0.1, seed=3, out_dir=folder, fmt="csv")
    archive = tmp_path / "archive"
    ledgers = sorted(folder.glob("*.csv"))
    load(ledgers, store, archive=archive)
    first = check(store)
    assert any(first[("Household", "member_links")].values()) and any(first[("Grid", "households")].values())
    assert any(v is not None for v in first[("Building", "nearest_site_m")].values())

    # links retired by --replace: a third of the 包联 rows go
    load([edit(folder, "包联", lambda rows: [r for i, r in enumerate(rows) if i % 3])], store,
         replace=True, archive=archive)
    after = check(store)
    assert after[("Household", "member_links")] != first[("Household", "member_links")]
    assert after[("Person", "links")] != first[("Person", "links")]

    # households moved to another unit (their old PART_OF retired), coverage cut, workers part-time
    def move(rows):
        units = sorted({r["所属单元编号*"] for r in rows})
        for i, r in enumerate(rows):
            if i % 5 == 0:
                r["所属单元编号*"] = units[(units.index(r["所属单元编号*"]) + 1) % len(units)]
        return rows
    load([edit(folder, "住户", move), edit(folder, "网格覆盖", lambda rows: [r for i, r in enumerate(rows) if i % 4]),
          edit(folder, "网格员", lambda rows: [{**r, "是否专职*": "否"} if i % 2 else r for i, r in enumerate(rows)])],
         store, replace=True, archive=archive)
    moved = check(store)
    assert moved[("Grid", "households")] != after[("Grid", "households")]
    assert moved[("Household", "grids")] != after[("Household", "grids")]

    # service sites moved away and leaders changed: nearest sites and leader counts follow
    load([edit(folder, "服务阵地", lambda rows: [{**r, "纬度*": f"{float(r['纬度*']) + 0.05:.6f}"} if i % 2 else r
                                              for i, r in enumerate(rows)]),
          edit(folder, "单元长", lambda rows: rows[::2]), edit(folder, "楼长", lambda rows: rows[1::2])],
         store, replace=True, archive=archive)
    sites = check(store)
    assert sites[("Building", "nearest_site_m")] != moved[("Building", "nearest_site_m")]
    assert sites[("Unit", "leaders")] != moved[("Unit", "leaders")]

    # plain writes outside the loader: a member resigns, a household and a person arrive
    member = next(k for k, v in sites[("Person", "links")].items() if v)
    with store.transaction() as tx:
        tx.upsert_nodes("Person", [{"id": member, "is_member": False}, {"id": "P-NEW", "name": "新人", "is_member": True}])
        tx.upsert_nodes("Household", [{"id": "H-NEW", "address": "新户"}])
    plain = check(store)
    assert plain[("Person", "links")]["P-NEW"] == 0 and plain[("Household", "grids")]["H-NEW"] == -1

    # a rebuild from the archive gives the same values as the loads that made it
    store.clear()
    rebuild(store, archive)
    rebuilt = check(store)
    for key, values in rebuilt.items():
        assert values == {k: v for k, v in sites[key].items()}, key


def test_kuzu_finishes_at_the_next_open_what_a_dead_process_left(tmp_path):
    """Kùzu recomputes derived values in a second transaction right after the commit; a process
    killed in between leaves a marker, and the next open finishes the work."""
    import json

    from graph.kuzu_store import KuzuStore

    path = tmp_path / "db.kuzu"
    s = KuzuStore(path)
    s.create_schema()
    with s.transaction() as tx:
        tx.upsert_nodes("Household", [{"id": "H1", "address": "甲"}])
        tx.upsert_nodes("Person", [{"id": "P1", "name": "张三", "is_member": True}])
        tx.upsert_rels("LINKED_TO", "Person", "Household", [{"src": "P1", "dst": "H1"}])
    marker = tmp_path / "db.kuzu.derived-pending"
    assert not marker.exists()
    assert s.query("MATCH (h:Household) RETURN h.member_links AS n")[0]["n"] == 1
    with s.transaction() as tx:  # the state a kill after the data's commit leaves
        tx._exec("MATCH (h:Household) SET h.member_links = 0")
    s.close()
    marker.write_text(json.dumps({"full": ["links"], "fill": []}), encoding="utf-8")
    s = KuzuStore(path)
    assert s.query("MATCH (h:Household) RETURN h.member_links AS n")[0]["n"] == 1
    assert not marker.exists()
    s.close()


@pytest.mark.parametrize("brute_force", [0, 10 ** 9])
def test_nearest_site_by_tree_and_by_comparing_all_agree_with_the_walk(tmp_path, monkeypatch, brute_force):
    """Building.nearest_site_m is found with a k-d tree, or by comparing every pair for a small
    county; either way R15 answers as comparing every building with every site per view did."""
    import random

    from graph.kuzu_store import KuzuStore

    monkeypatch.setattr(derived, "_BRUTE_FORCE", brute_force)
    monkeypatch.setattr(derived, "_BLOCK", 100)  # compared in blocks of 8 buildings, as a city's are
    rnd = random.Random(7)
    s = KuzuStore(tmp_path / "db.kuzu")
    s.create_schema()
    with s.transaction() as tx:
        tx.upsert_nodes("Building", [{"id": f"B{i}", "name": f"{i}号楼", "lat": 37.1 + rnd.random() * 0.1,
                                      "lon": 117.8 + rnd.random() * 0.1} for i in range(300)]
                        + [{"id": "B-nowhere", "name": "无坐标"}])
        tx.upsert_nodes("ServiceSite", [{"id": f"S{i}", "name": f"阵地{i}", "kind": "党群服务站",
                                         "lat": 37.1 + rnd.random() * 0.1, "lon": 117.8 + rnd.random() * 0.1}
                                        for i in range(12)])
    for radius in (300, 1000, 2500):
        q = coverage.rules()["R15"]
        mine = s.query_columns(q.body, q.bind({"radius_m": radius}))
        walked = s.query_columns(WALKED["R15"], q.bind({"radius_m": radius}))
        assert sorted(i for i, v in zip(mine["id"], mine["violation"]) if v) == \
            sorted(i for i, v in zip(walked["id"], walked["violation"]) if v)
        assert 0 < sum(mine["violation"]) < 300 or radius != 1000
    nearest = {r["id"]: r["m"] for r in s.query("MATCH (b:Building) RETURN b.id AS id, b.nearest_site_m AS m")}
    walked_m = {r["id"]: r["m"] for r in s.query(
        "MATCH (b:Building), (x:ServiceSite) WHERE b.lat IS NOT NULL WITH b, min(2 * 6371000 * asin(sqrt("
        "sin(radians(x.lat - b.lat) / 2) ^ 2 + cos(radians(b.lat)) * cos(radians(x.lat)) * "
        "sin(radians(x.lon - b.lon) / 2) ^ 2))) AS m RETURN b.id AS id, m")}
    assert nearest["B-nowhere"] is None
    assert all(abs(nearest[k] - m) < 1e-6 for k, m in walked_m.items())
    s.close()


def snapshot(store) -> dict:
    """Every node and relationship with its ledger properties and derived values, except the load that
    last wrote it (``src_load``: a re-load keeps it on rows it did not rewrite)."""
    from graph.model import BOOKKEEPING, MODEL
    from graph.schema import snapshot_rels

    out = {}
    for n in MODEL.nodes:
        if n.label in BOOKKEEPING:
            continue
        rows = store.query(f"MATCH (n:{n.label}) RETURN " + ", ".join(f"n.{p.name} AS {p.name}" for p in n.all_props
                                                                       if p.name != "src_load"))
        out[n.label] = {r["id"]: {k: (round(v, 6) if isinstance(v, float) else v) for k, v in r.items()} for r in rows}
    for r in MODEL.rels:
        for a, b in r.pairs:
            rows = store.query(snapshot_rels(r.type, a, b))
            out[(r.type, a, b)] = {(x["src"], x["dst"]): {k: v for k, v in x.items() if k != "src_load"} for x in rows}
    return out


def test_a_reload_leaving_out_unchanged_rows_ends_as_reading_them_all_and_as_a_fresh_load(store, tmp_path, monkeypatch):
    """Rows whose fingerprint the database holds are left out before parsing (loaders/incremental.py);
    a --replace re-load with changed, added, deleted and moved rows must end in the same database as
    the same re-load reading every row, and as a fresh load of the new ledgers."""
    from loaders import engine

    folder = tmp_path / "county"
    generate("pingshun", scale=0.1, seed=3, out_dir=folder, fmt="csv")
    ledgers = sorted(folder.glob("*.csv"))
    new = tmp_path / "new"
    new.mkdir()
    shutil.copy(folder / "住户.csv", new / "住户.csv")
    shutil.copy(folder / "包联.csv", new / "包联.csv")
    phone = next(h for h in next(csv.reader((new / "住户.csv").open(encoding="utf-8-sig"))) if h.startswith(("联系电话", "手机号")))
    gone: set[str] = set()

    def households(rows):
        units = sorted({r["所属单元编号*"] for r in rows})
        out = []
        for i, r in enumerate(rows):
            # deleted near the end: the rows after a deleted one move up and are read again (their row
            # number is provenance), so most rows here stay where they were
            if i in (len(rows) - 5, len(rows) - 3):
                gone.add(r["住户编号*"])
                continue
            if i % 17 == 0:
                r[phone] = f"139{i:08d}"  # changed
            if i % 23 == 0:
                r["所属单元编号*"] = units[(units.index(r["所属单元编号*"]) + 1) % len(units)]  # moved to another unit
            out.append(r)
        return out + [{**rows[1], "住户编号*": "H-ADDED-1"}, {**rows[2], "住户编号*": "H-ADDED-2"}]  # added

    changed = [edit(new, "住户", households),
               edit(new, "包联", lambda rows: [r for i, r in enumerate(rows) if (i < len(rows) - 9 or i % 2)
                                                          and r["住户编号*"] not in gone])]

    def reload(read_all: bool) -> tuple[dict, object]:
        store.clear()
        store.create_schema()
        load(ledgers, store)
        with monkeypatch.context() as m:
            if read_all:
                m.setattr(engine, "_selector", lambda *a, **k: None)
            report = load(changed, store, replace=True)
        check(store)
        ended = {(r["t"], r["a"], r["b"]) for r in store.query(
            "MATCH (e:EndedRel) RETURN e.rel_type AS t, e.start_id AS a, e.end_id AS b")}
        return snapshot(store), report, ended

    left_out, report, ended = reload(read_all=False)
    assert report.unchanged > 0.5 * sum(report.written.values())
    read_all, full, ended_all = reload(read_all=True)
    assert left_out == read_all
    assert (report.written, report.unchanged) == (full.written, full.unchanged)
    # Every relationship this re-load ended is ended reading every row too. (Reading every row, the
    # same --replace also recorded as ended a few relationships it had just written in its own
    # transaction — the PART_OF of the added households — though the databases end the same: the
    # history records are compared as a subset.)
    assert ended <= ended_all and report.retired == len(ended)
    # a fresh load of the new ledgers: the same, but for the nodes of the deleted rows (a re-load
    # retires relationships, never nodes)
    store.clear()
    store.create_schema()
    load([p for p in ledgers if p.name not in ("住户.csv", "包联.csv")] + changed, store)
    fresh = snapshot(store)
    left_out["Household"] = {k: v for k, v in left_out["Household"].items() if k not in gone}
    for key, values in fresh.items():
        diff = {k: {p: (v.get(p), left_out[key].get(k, {}).get(p)) for p in v if v.get(p) != left_out[key].get(k, {}).get(p)}
                for k, v in values.items() if v != left_out[key].get(k)}
        assert values == left_out[key], (key, list(diff.items())[:3])


def test_an_unchanged_row_whose_parent_disappeared_is_reported(store, tmp_path, monkeypatch):
    """A left-out row's reference is checked by its relationship: a parent deleted since takes the
    relationship with it, so the row is read and its broken reference reported, exactly as when every
    row is read."""
    from loaders import engine
    from loaders.engine import LoadRefused
    from ledgers import write_csvs

    first = write_csvs(tmp_path / "a")
    load(first, store)
    with store.transaction() as tx:
        tx.run("MATCH (u:Unit {id: 'U2'}) DETACH DELETE u")
    households = [p for p in first if p.stem == "住户"]
    with pytest.raises(LoadRefused) as left_out:
        load(households, store)
    with monkeypatch.context() as m:
        m.setattr(engine, "_selector", lambda *a, **k: None)
        with pytest.raises(LoadRefused) as read_all:
            load(households, store)
    errors = [(e.code, e.row, e.column, e.value) for e in left_out.value.validation.errors]
    assert errors == [(e.code, e.row, e.column, e.value) for e in read_all.value.validation.errors]
    assert errors and all(code == "missing-reference" and value == "U2" for code, _, _, value in errors)


def test_a_read_row_repeating_a_left_out_rows_key_is_reported_as_when_every_row_is_read(store, tmp_path, monkeypatch):
    """A duplicate key between a row left out unread (unchanged) and a read row (new or edited) is
    reported on the same row, with the same message, as when every row is read."""
    from ledgers import MINI, write_csvs
    from loaders import engine
    from loaders.engine import LoadRefused

    load(write_csvs(tmp_path / "a"), store)
    first = MINI["住户"].splitlines()[1]
    again = write_csvs(tmp_path / "b", {"住户": MINI["住户"] + first.replace(first.split(",")[1], "另一个地址") + "\n"})
    with pytest.raises(LoadRefused) as left_out:
        load(again, store)
    with monkeypatch.context() as m:
        m.setattr(engine, "_selector", lambda *a, **k: None)
        with pytest.raises(LoadRefused) as read_all:
            load(again, store)
    assert left_out.value.validation.errors == read_all.value.validation.errors
    assert [e.code for e in left_out.value.validation.errors] == ["duplicate-key"]
