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


def test_writes_that_change_no_input_do_not_recompute(territory):
    with territory.transaction() as tx:
        tx.upsert_nodes("Household", [{"id": "H1", "address": "改了地址"}])
        tx.upsert_rels("PART_OF", "Household", "Unit", [{"src": "H1", "dst": "U1"}])
        tx.upsert_nodes("Person", [{"id": "P", "name": "张三"}])
        assert not tx.derived_dirty
        tx.upsert_rels("COVERS", "Grid", "Unit", [])  # nothing written, nothing to do
        assert not tx.derived_dirty
        tx.upsert_rels("PART_OF", "Unit", "Building", [{"src": "U1", "dst": "B"}])
        assert tx.derived_dirty


def test_a_database_from_before_the_derived_properties_is_filled_on_open(territory):
    s = territory
    with s.transaction() as tx:
        tx._exec("MATCH (u:Unit) SET u.chain_ok = NULL")  # as an older orgnet left it
    assert s.query(derived.missing_check())[0]["n"] == 3
    s.create_schema()
    assert chain_ok(s, "Unit") == {"U1": True, "U2": True, "U3": False}
