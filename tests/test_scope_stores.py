"""The scope on both stores: area search that limits after the area, and masking of what the Neo4j
driver returns (Node, Relationship, Path objects, and dates inside them) on the real server.

The county is the mini county with five more households and people in 和园社区 (C1) whose addresses
and names sort before everything in 青羊社区 (C2): the first matches of a search are all outside
C2, so a search that limits county-wide and filters afterwards gives the C2 account nothing.
"""
from __future__ import annotations

import json

import pytest

from access.roles import Principal
from conftest import BACKENDS, shared_dataset
from ledgers import MINI, write_csvs
from loaders.engine import load
from queries.scope import Scope

#: more of C1, all sorting before C2's household (散居3号楼…) and person (王五)
EXTRA = {
    "住户": "住户编号,门牌地址,所属单元编号\n" + "".join(f"HX{i},和园小区1号楼1单元2{i:02d},U1\n" for i in range(5)),
    "人员": "人员编号,姓名,是否党员,居住户编号,手机号,身份证号,出生日期\n"
            + "".join(f"PX{i},王{'一丁七万丈'[i]},否,HX{i},1390000{i:04d},,1980-0{i + 1}-15\n" for i in range(5)),
}
FULL = ["张三", "李四", "王五", "王一", "王丁", "13800001111", "13900000001", "11010519491231002X",
        "和园小区1号楼1单元101", "散居3号楼1单元101", "1980-02-15"]


def _fill(store, tmp):
    load(write_csvs(tmp / "in", MINI), store)
    load(write_csvs(tmp / "extra", EXTRA), store)


@pytest.fixture(scope="module", params=BACKENDS)
def _county(request, tmp_path_factory):
    data = shared_dataset(request, request.param, "scope-county", tmp_path_factory, _fill)
    yield data
    data.close()


@pytest.fixture
def county(_county):
    return _county.get()


def leaks(rows) -> list[str]:
    text = json.dumps(rows, ensure_ascii=False, default=str)
    return [v for v in FULL if v in text]


# --- area search: the area first, then the limit ----------------------------------------------------
@pytest.mark.parametrize("q, label, expected", [
    ("1单元", "Household", {"H3"}),   # six C1 households sort before C2's
    ("王", "Person", {"W1"}),         # 王一…王万 (C1) sort before 王五 (C2)
    ("号楼", "Building", {"B3"}),     # 1号楼, 2号楼 (C1) sort before 散居3号楼 (C2)
])
def test_area_search_limits_after_filtering_by_area(county, q, label, expected):
    county_wide = Scope(county, Principal("li", "analyst")).named("search", {"q": q, "limit": 2})
    first = {r["id"] for r in county_wide if r["label"] == label}
    assert first and not first & expected  # the county's first two matches are all outside C2
    for principal in (Principal("c2", "community", area="C2"), Principal("s", "street", area="S1")):
        found = Scope(county, principal).named("search", {"q": q, "limit": 2})
        ids = {r["id"] for r in found if r["label"] == label}
        if principal.role == "community":
            assert ids == expected, found
        else:  # the street holds both communities: the same first two as the county
            assert ids == first
    c1 = Scope(county, Principal("c1", "community", area="C1")).named("search", {"q": q, "limit": 50})
    assert not {r["id"] for r in c1} & expected


def test_area_search_still_finds_nothing_outside_the_area(county):
    found = Scope(county, Principal("c2", "community", area="C2")).named("search", {"q": "和园"})
    assert found == []


# --- masking what each driver returns ---------------------------------------------------------------
DRIVER_VALUES = [
    "MATCH (p:Person) RETURN p",
    "MATCH (p:Person)-[r:LIVES_IN]->(h:Household) RETURN p, r, h",
    "MATCH path = (p:Person)-[:LIVES_IN]->(h:Household) RETURN path",
    "MATCH path = (p:Person)-[:LIVES_IN]->(:Household)-[:PART_OF]->(:Unit) RETURN nodes(path) AS ns, "
    "relationships(path) AS rs",
    "MATCH (p:Person) RETURN collect(p) AS people",
    "MATCH (p:Person)-[:LIVES_IN]->(h:Household) RETURN {who: p, home: [h]} AS m",
    "MATCH (p:Person) WITH p AS q RETURN q AS x",
]


@pytest.mark.parametrize("statement", DRIVER_VALUES)
def test_console_masks_nodes_relationships_and_paths(county, statement):
    raw = county.query(statement)
    assert leaks(raw)  # the statement does reach personal data
    if county.backend == "neo4j":  # and on Neo4j it comes back as the driver's own graph objects
        from neo4j.graph import Node, Path, Relationship

        def kinds(v):
            if isinstance(v, (Node, Relationship, Path)):
                return {type(v).__name__}
            if isinstance(v, dict):
                return set().union(*map(kinds, v.values())) if v else set()
            if isinstance(v, list):
                return set().union(*map(kinds, v)) if v else set()
            return set()
        assert set().union(*(kinds(v) for r in raw for v in r.values())) & {"Node", "Path", "Relationship"}
    rows = Scope(county, Principal("li", "analyst")).console(statement)
    assert rows and not leaks(rows), leaks(rows)


def test_masked_nodes_keep_their_ids_and_labels(county):
    rows = Scope(county, Principal("li", "analyst")).console(
        "MATCH (p:Person {id: 'M1'})-[r:LIVES_IN]->(h:Household) RETURN p, r, h")
    [row] = rows
    assert row["p"]["_label"] == "Person" and row["p"]["id"] == "M1" and row["p"]["name"] == "张*"
    assert row["p"]["phone"] == "138****1111" and row["p"]["id_card"] == "110105********002X"
    assert row["h"]["id"] == "H1" and row["h"]["address"].endswith("***")
    assert row["r"]["_label"] == "LIVES_IN"
    dated = Scope(county, Principal("li", "analyst")).console("MATCH (p:Person {id: 'PX1'}) RETURN p")
    assert dated[0]["p"]["birth_date"] == "1980-**-**"


def test_named_queries_mask_on_both_stores(county):
    scope = Scope(county, Principal("li", "analyst"))
    path = scope.named("connection_path", {"person": "M1", "household": "H1"})
    assert path and not leaks(path)
    members = scope.named("member_households", {"member": "M1"})
    assert members and not leaks(members)
    unmasked = Scope(county, Principal("li", "analyst", unmask=True)).console("MATCH (p:Person {id: 'M1'}) RETURN p")
    assert unmasked[0]["p"]["name"] == "张三"
