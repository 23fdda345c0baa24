"""The model holds the whole domain of the glossary, and everything is generated from it."""
from __future__ import annotations

import doctest
import importlib

import pytest

from graph import model as m
from graph.model import MODEL
from graph.schema import kuzu_ddl, linter_schema, neo4j_schema


def test_every_label_and_type_is_documented_in_both_languages():
    for n in MODEL.nodes:
        assert n.zh and n.en and n.doc and n.key == "id", n.label
        assert n.label[0].isupper() and "_" not in n.label
        for p in n.all_props:
            assert p.zh and p.en, (n.label, p.name)
            assert p.name == p.name.lower(), "properties are snake_case"
    for r in MODEL.rels:
        assert r.zh and r.en and r.doc and r.pairs, r.type
        assert r.type == r.type.upper()


@pytest.mark.parametrize("label", [
    "County", "Street", "Community", "Compound", "Building", "Unit", "Household", "Grid", "PartyOrg",
    "Person", "Organization", "PropertyCompany", "OwnersBody", "ServiceSite", "VolunteerTeam", "Load"])
def test_glossary_entities_have_a_label(label):
    assert MODEL.node(label)


@pytest.mark.parametrize("type_, start, end", [
    ("PART_OF", "Household", "Unit"), ("PART_OF", "Unit", "Building"), ("PART_OF", "Building", "Compound"),
    ("PART_OF", "Compound", "Community"), ("PART_OF", "Community", "Street"), ("PART_OF", "Street", "County"),
    ("SUBGRID_OF", "Grid", "Grid"), ("COVERS", "Grid", "Building"), ("COVERS", "Grid", "Compound"),
    ("GRID_OF", "Grid", "Community"), ("SUBORDINATE_TO", "PartyOrg", "PartyOrg"),
    ("RESPONSIBLE_FOR", "PartyOrg", "Grid"), ("RESPONSIBLE_FOR", "PartyOrg", "Building"),
    ("RESPONSIBLE_FOR", "PartyOrg", "Compound"), ("RESPONSIBLE_FOR", "PartyOrg", "Unit"),
    ("GRID_WORKER_OF", "Person", "Grid"), ("BUILDING_LEADER_OF", "Person", "Building"),
    ("UNIT_LEADER_OF", "Person", "Unit"), ("OFFICER_OF", "Person", "PartyOrg"), ("CONTACTS_GRID", "Person", "Grid"),
    ("WORKS_AT", "Person", "Organization"), ("PARTY_ORG_OF", "PartyOrg", "Organization"),
    ("REPORTED_TO", "Organization", "Community"), ("REPORTED_TO", "Person", "Community"),
    ("PAIRED_WITH", "Organization", "Community"), ("SEAT_ON", "Organization", "PartyOrg"),
    ("ASSIGNED_TO", "Person", "PartyOrg"), ("LINKED_TO", "Person", "Household"),
    ("MANAGES", "PropertyCompany", "Compound"), ("GOVERNS", "OwnersBody", "Compound"),
    ("PARTY_ORG_OF", "PartyOrg", "PropertyCompany"), ("INSTRUCTOR_OF", "Person", "PropertyCompany"),
    ("PARTY_ORG_OF", "PartyOrg", "OwnersBody"), ("PART_OF", "ServiceSite", "Community"),
    ("CENTRE_HOUSEHOLD_OF", "Household", "PartyOrg"), ("MEMBER_OF", "Person", "PartyOrg"),
])
def test_glossary_relationships_are_allowed(type_, start, end):
    assert MODEL.rel(type_).allows(start, end)


def test_kinds_of_the_glossary_are_allowed_values():
    assert set(m.COMPOUND_KINDS) >= {"大产权小区", "村建小区", "单位家属小区"}
    assert set(m.PARTY_ORG_KINDS) == {"党工委", "党委", "党总支", "党支部", "党小组"}
    assert set(m.MEMBER_KINDS) == {"社区党员", "在职党员", "退休党员", "新发展党员", "流动党员"}
    assert set(m.ORG_KINDS) >= {"党政机关", "事业单位", "国有企业", "非公企业", "社会组织"}
    assert set(m.OWNERS_BODY_KINDS) == {"业主委员会", "物业管理委员会"}
    assert {"功能型", "联合", "行业", "社区大党委"} <= set(m.PARTY_ORG_FUNCTIONS)
    assert MODEL.node("Household").prop("special_groups").type == "STRING[]"
    assert MODEL.node("Household").prop("party_centre").type == "BOOL"
    assert MODEL.rel("BUILDING_LEADER_OF").prop("in_service").required
    assert MODEL.rel("GRID_WORKER_OF").prop("full_time").required
    for label in ("Building", "ServiceSite", "Compound"):
        assert {"lat", "lon"} <= {p.name for p in MODEL.node(label).props}


# The party chains of the four reports, top (street level) to bottom, as (kind, tier wording).
CHAINS = {
    "高青 000/003": [("党工委", "街道党工委"), ("党总支", "社区党总支"), ("党支部", "网格党支部"),
                   ("党小组", "楼栋（单元）党小组")],
    "001": [("党委", "镇党委"), ("党委", "社区党组织"), ("党支部", "小区(网格)党支部"), ("党小组", "楼栋(微网格)党小组")],
    "平顺 002": [("党工委", "街道党工委"), ("党委", "社区党委"), ("党支部", "网格党支部"), ("党小组", "楼栋党小组")],
    "武乡 002": [("党委", "乡镇党委"), ("党委", "社区党委"), ("党支部", "小区(网格)党支部"), ("党小组", "楼栋党小组")],
    "004": [("党工委", "街道党工委"), ("党委", "社区大党委"), ("党支部", "网格（小区）党支部"), ("党小组", "楼栋党小组")],
}


@pytest.mark.parametrize("county", CHAINS)
def test_every_chain_wording_fits_without_special_cases(store, county):
    """Street org → community org → grid branch → building group → party-centre household: one query for all."""
    chain = CHAINS[county]
    targets = [("Street", "S"), ("Community", "C"), ("Grid", "G"), ("Building", "B")]
    with store.transaction() as tx:
        for label, key in targets:
            tx.upsert_nodes(label, [{"id": key, "name": key}])
        tx.upsert_nodes("PartyOrg", [{"id": f"o{i}", "name": tier, "kind": kind, "tier_name": tier}
                                     for i, (kind, tier) in enumerate(chain)])
        tx.upsert_nodes("Household", [{"id": "h", "address": "1号楼1单元101", "party_centre": True}])
        for i, (label, key) in enumerate(targets):
            tx.upsert_rels("RESPONSIBLE_FOR", "PartyOrg", label, [{"src": f"o{i}", "dst": key}])
        tx.upsert_rels("SUBORDINATE_TO", "PartyOrg", "PartyOrg",
                       [{"src": f"o{i + 1}", "dst": f"o{i}"} for i in range(len(chain) - 1)])
        tx.upsert_rels("CENTRE_HOUSEHOLD_OF", "Household", "PartyOrg", [{"src": "h", "dst": f"o{len(chain) - 1}"}])
    rows = store.query(
        "MATCH (h:Household {party_centre: true})-[:CENTRE_HOUSEHOLD_OF]->(g:PartyOrg)-[:RESPONSIBLE_FOR]->(:Building) "
        "MATCH (g)-[:SUBORDINATE_TO*1..6]->(top:PartyOrg)-[:RESPONSIBLE_FOR]->(s:Street) "
        "RETURN h.id AS h, g.tier_name AS group_tier, top.tier_name AS top_tier, s.id AS street")
    assert rows == [{"h": "h", "group_tier": chain[-1][1], "top_tier": chain[0][1], "street": "S"}]


def test_generated_schema_covers_the_model():
    ddl = kuzu_ddl()
    assert len(ddl) == len(MODEL.nodes) + len(MODEL.rels)
    assert all(s.startswith("CREATE NODE TABLE IF NOT EXISTS") for s in ddl[:len(MODEL.nodes)])
    neo = neo4j_schema()
    for n in MODEL.nodes:
        assert f"FOR (n:{n.label}) REQUIRE n.id IS UNIQUE" in "\n".join(neo)
    schema = linter_schema()
    assert set(schema["labels"]) == set(MODEL.labels)
    assert set(schema["relationshipTypes"]) == set(MODEL.rel_types)
    assert {"src_row", "special_groups", "in_service"} <= set(schema["propertyKeys"])


def test_kuzu_schema_is_created_from_the_model_and_is_idempotent(kuzu_store):
    kuzu_store.create_schema()
    assert kuzu_store.tables() == set(MODEL.labels) | set(MODEL.rel_types)
    for n in MODEL.nodes:
        cols = {r["name"]: r["type"] for r in kuzu_store.query(f"CALL table_info('{n.label}') RETURN name, type")}
        assert cols == {p.name: p.type for p in n.all_props}, n.label


def test_a_broken_model_is_refused():
    with pytest.raises(ValueError, match="unknown label"):
        m.Model(MODEL.nodes, (m.RelType("X", "x", "x", "x", (("Person", "Nope"),)),))
    with pytest.raises(ValueError, match="unknown type"):
        m.Prop("x", "VARCHAR", "x", "x")


@pytest.mark.parametrize("module", ["graph.model", "graph.dialect"])
def test_docstring_examples_run(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
