"""Every rule's gap in words (queries/explain.py), on both stores: what is wrong with the entity's own
figures, how to fix it, the household head and room (masked unless the role may unmask), and for
R16 which link of the chain is broken; the same words in the gaps CLI and its exports.
"""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from click.testing import CliRunner

from access.roles import Principal
from conftest import BACKENDS, shared_dataset
from queries import coverage, explain
from queries.scope import Scope
from reports import export

# A small territory where every rule has exactly the gap named below, with figures of its own.
PARAMS = {"R05A": {"max_households": 2}, "R06": {"min_households": 3}}


def _fill(store, tmp) -> None:
    with store.transaction() as tx:
        tx.upsert_nodes("Street", [{"id": "S1", "name": "城关街道"}])
        tx.upsert_nodes("Community", [{"id": "C1", "name": "和园社区"}])
        tx.upsert_nodes("Compound", [{"id": "CP1", "name": "和园小区", "kind": "商品房小区"},
                                     {"id": "CP2", "name": "青羊小区", "kind": "老旧小区"}])
        tx.upsert_nodes("Building", [{"id": "B1", "name": "和园1号楼", "lat": 37.17, "lon": 117.83},
                                     {"id": "B2", "name": "散居2号楼", "lat": 37.188, "lon": 117.83},
                                     {"id": "B3", "name": "散居3号楼", "lat": 37.171, "lon": 117.83},
                                     {"id": "B4", "name": "青羊1号楼"}])
        tx.upsert_nodes("Unit", [{"id": "U1", "name": "1单元"}, {"id": "U2", "name": "1单元"},
                                 {"id": "U3", "name": "1单元"}])
        tx.upsert_nodes("Household", [
            {"id": f"H{i}", "address": f"和园1号楼1单元10{i}", "room": f"10{i}", "head_name": f"户主{i}"} for i in (1, 2, 3)]
            + [{"id": "H4", "address": "散居2号楼1单元201", "room": "201", "head_name": "王大伟",
                "special_groups": ["独居老人"]},
               {"id": "H5", "address": "散居3号楼1单元301", "room": "301", "head_name": "赵小红"},
               {"id": "H6", "address": "无单元住户", "room": "1", "head_name": "钱多多"}])
        tx.upsert_nodes("Grid", [{"id": "G1", "name": "第一网格", "level_name": "基础网格"},
                                 {"id": "G2", "name": "第二网格", "level_name": "基础网格"}])
        tx.upsert_nodes("PartyOrg", [{"id": "O1", "name": "城关街道党工委", "kind": "党工委"},
                                     {"id": "O2", "name": "第二网格党支部", "kind": "党支部"},
                                     {"id": "O4", "name": "和园1号楼党小组", "kind": "党小组"},
                                     {"id": "O5", "name": "散居3号楼党小组", "kind": "党小组"},
                                     {"id": "O6", "name": "散居片区党支部", "kind": "党支部"}])
        tx.upsert_nodes("Person", [{"id": f"P{i}", "name": n, "is_member": m} for i, n, m in (
            (1, "楼长甲", False), (2, "楼长乙", False), (3, "单元长丙", False), (4, "网格员丁", False),
            (5, "网格员戊", False), (6, "党员一", True), (7, "党员二", True), (8, "党员三", True),
            (9, "党员四", True), (10, "职工五", False))])
        tx.upsert_nodes("ServiceSite", [{"id": "X1", "name": "和园驿站", "kind": "党群服务站", "lat": 37.17, "lon": 117.83}])
        tx.upsert_nodes("Organization", [{"id": "E1", "name": "县医院"}])
        tx.upsert_nodes("OwnersBody", [{"id": "OB1", "name": "青羊小区业委会", "kind": "业委会"}])
        tx.upsert_nodes("PropertyCompany", [{"id": "PC1", "name": "青羊物业"}])
        tx.upsert_rels("PART_OF", "Community", "Street", [{"src": "C1", "dst": "S1"}])
        tx.upsert_rels("PART_OF", "Compound", "Community", [{"src": "CP1", "dst": "C1"}, {"src": "CP2", "dst": "C1"}])
        tx.upsert_rels("PART_OF", "Building", "Compound", [{"src": "B1", "dst": "CP1"}, {"src": "B4", "dst": "CP2"}])
        tx.upsert_rels("PART_OF", "Building", "Community", [{"src": "B2", "dst": "C1"}, {"src": "B3", "dst": "C1"}])
        tx.upsert_rels("PART_OF", "Unit", "Building", [{"src": "U1", "dst": "B1"}, {"src": "U2", "dst": "B2"},
                                                       {"src": "U3", "dst": "B3"}])
        tx.upsert_rels("PART_OF", "Household", "Unit", [{"src": "H1", "dst": "U1"}, {"src": "H2", "dst": "U1"},
                                                        {"src": "H3", "dst": "U1"}, {"src": "H4", "dst": "U2"},
                                                        {"src": "H5", "dst": "U3"}])
        tx.upsert_rels("RESPONSIBLE_FOR", "PartyOrg", "Street", [{"src": "O1", "dst": "S1"}])
        tx.upsert_rels("RESPONSIBLE_FOR", "PartyOrg", "Grid", [{"src": "O2", "dst": "G2"}])
        tx.upsert_rels("RESPONSIBLE_FOR", "PartyOrg", "Building", [{"src": "O4", "dst": "B1"}, {"src": "O5", "dst": "B3"}])
        tx.upsert_rels("SUBORDINATE_TO", "PartyOrg", "PartyOrg", [{"src": "O2", "dst": "O1"}, {"src": "O5", "dst": "O6"}])
        tx.upsert_rels("COVERS", "Grid", "Unit", [{"src": "G1", "dst": "U2"}])
        tx.upsert_rels("COVERS", "Grid", "Building", [{"src": "G2", "dst": "B1"}])
        tx.upsert_rels("BUILDING_LEADER_OF", "Person", "Building", [{"src": "P1", "dst": "B1", "in_service": False},
                                                                    {"src": "P2", "dst": "B1", "in_service": False}])
        tx.upsert_rels("UNIT_LEADER_OF", "Person", "Unit", [{"src": "P3", "dst": "U1"}])
        tx.upsert_rels("GRID_WORKER_OF", "Person", "Grid", [{"src": "P4", "dst": "G2", "full_time": True},
                                                            {"src": "P5", "dst": "G1", "full_time": False}])
        tx.upsert_rels("LINKED_TO", "Person", "Household", [{"src": "P6", "dst": f"H{i}"} for i in (1, 2, 3)])
        tx.upsert_rels("REPORTED_TO", "Person", "Community", [{"src": "P8", "dst": "C1"}, {"src": "P9", "dst": "C1"}])
        tx.upsert_rels("REPORTED_TO", "Organization", "Community", [{"src": "E1", "dst": "C1"}])
        tx.upsert_rels("ASSIGNED_TO", "Person", "PartyOrg", [{"src": "P9", "dst": "O4"}])
        tx.upsert_rels("WORKS_AT", "Person", "Organization", [{"src": "P10", "dst": "E1"}])
        tx.upsert_rels("GOVERNS", "OwnersBody", "Compound", [{"src": "OB1", "dst": "CP2", "self_managed": False}])
        tx.upsert_rels("MANAGES", "PropertyCompany", "Compound", [{"src": "PC1", "dst": "CP2"}])


@pytest.fixture(scope="module", params=BACKENDS)
def _territory(request, tmp_path_factory):
    data = shared_dataset(request, request.param, "explain", tmp_path_factory, _fill)
    yield data
    data.close()


@pytest.fixture
def territory(_territory):
    return _territory.get()


# rule → {entity id: (problem in Chinese, fix contains)}: the entity's own figures in words
EXPECTED = {
    "R01": {"G1": ("该网格（基础网格）0 个党组织负责，应至少 1 个", "负责对象编号")},
    "R02": {"B2": ("该楼栋 0 个党小组负责，应至少 1 个", "党小组"), "B4": ("该楼栋 0 个党小组负责，应至少 1 个", "党小组")},
    "R03A": {"B2": ("该楼栋 0 名楼长，应至少 1 名", "楼长"), "B3": ("该楼栋 0 名楼长，应至少 1 名", "楼长"),
             "B4": ("该楼栋 0 名楼长，应至少 1 名", "楼长")},
    "R03B": {"B1": ("该楼栋在职楼长 0 名、非在职楼长 2 名，“双楼长”应各至少 1 名", "一名在职干部楼长")},
    "R04A": {"U2": ("该单元 0 名单元长，应至少 1 名", "单元长"), "U3": ("该单元 0 名单元长，应至少 1 名", "单元长")},
    "R04B": {"U1": ("该单元有 1 名单元长不是党员，应由党员担任", "党员")},
    "R05A": {"G2": ("该网格 3 户、专职网格员 1 名，每人 3 户，超过上限 2 户", "增配 1 名专职网格员（按每人不超过 2 户应配 2 名）")},
    "R05B": {"G1": ("该网格 1 户，专职网格员 0 名（兼职 1 名），应至少 1 名专职", "专职网格员")},
    "R06": {"CP1": ("该小区 3 户（门槛 3 户），没有党支部、党总支或党委负责", "党支部")},
    "R07": {"H4": ("该户有特殊群体（独居老人），0 名党员或单元长包联，应至少 1 名", "包联")},
    "R08": {"H4": ("该户 0 名党员包联，应至少 1 名", "包联"), "H5": ("该户 0 名党员包联，应至少 1 名", "包联"),
            "H6": ("该户 0 名党员包联，应至少 1 名", "包联")},
    "R09": {"P6": ("该党员包联 3 户，应为 1—2 户", "减少 1 户包联"), "P7": ("该党员包联 0 户，应为 1—2 户", "再包联 1 户"),
            "P8": ("该党员包联 0 户，应为 1—2 户", "再包联 1 户"), "P9": ("该党员包联 0 户，应为 1—2 户", "再包联 1 户")},
    "R10A": {"P8": ("该党员已到社区报到，但 0 个党组织编入，应编入 1 个", "编入")},
    "R10B": {"P9": ("该党员已报到并编入，但包联 0 户，应至少联系 1 户", "包联")},
    "R11A": {"E1": ("该单位已到社区报到，在职 1 人中 0 人到居住地社区报到", "报到")},
    "R11B": {"E1": ("该单位已到社区报到，但与 0 个社区结对共建，应至少 1 个", "结对共建")},
    "R12": {"CP1": ("该小区（商品房小区）0 家物业服务企业服务，0 个业委会/物管会自管", "物业")},
    "R13": {"PC1": ("该物业企业服务 1 个小区，0 个党组织、0 名党建工作指导员", "指导员")},
    "R14A": {"CP1": ("该小区（商品房小区）0 个业委会或物管会", "业主委员会")},
    "R14B": {"OB1": ("该业委会 0 个党组织，应至少 1 个", "党的工作小组")},
    "R15": {"B2": ("该楼栋离最近的党群服务阵地 2002 米，超过服务半径 1000 米", "1000 米内")},
    "R17A": {"B3": ("该楼栋（1 户）0 个网格覆盖：楼栋、所在小区和各单元都不在网格内", "网格覆盖"),
             "B4": ("该楼栋（0 户）0 个网格覆盖：楼栋、所在小区和各单元都不在网格内", "网格覆盖")},
    "R17B": {"H5": ("该户 0 个网格覆盖：所在单元、楼栋和小区都不在网格内", "网格覆盖")},
}


@pytest.mark.parametrize("rule_id", sorted(EXPECTED))
def test_each_rule_says_what_is_wrong_with_its_own_figures(territory, rule_id):
    rows = coverage.violations(territory, rule_id, PARAMS.get(rule_id), explain="zh")
    got = {r["id"]: (r["problem"], r["fix"]) for r in rows}
    assert sorted(got) == sorted(EXPECTED[rule_id])
    for entity, (problem, fix_part) in EXPECTED[rule_id].items():
        assert got[entity][0] == problem
        assert fix_part in got[entity][1]
    # English mode gives English: no Chinese sentence, the same figures
    for r in coverage.violations(territory, rule_id, PARAMS.get(rule_id), explain="en"):
        zh = got[r["id"]][0]
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in r["fix"].replace("负责对象编号", "")), r["fix"]
        assert sorted(d for d in zh if d.isdigit()) == sorted(d for d in r["problem"] if d.isdigit()), (zh, r["problem"])
    # the words sit right after the entity's name, so a table reads left to right
    assert list(rows[0])[:3] == ["rule", "id", "name"] and "problem" in list(rows[0])[3:6]


def test_every_rule_has_words_in_both_languages():
    assert set(explain.TEXTS) == set(coverage.rules())
    for rid, texts in explain.TEXTS.items():
        assert set(texts) == {"zh", "en"}
        assert explain.fix(rid) and explain.fix(rid, lang="en")


def test_r16_says_which_link_of_the_chain_is_broken(territory):
    rows = {r["id"]: r for r in coverage.violations(territory, "R16", explain="zh")}
    assert sorted(rows) == ["H4", "H5", "H6"]  # H1–H3: the grid's branch reports to the street
    assert rows["H4"]["broken_link"] == "无负责党组织"
    assert rows["H4"]["problem"] == "责任链没有通到街道党组织：没有党组织负责该户所在的单元、楼栋、小区、社区或网格"
    assert rows["H5"]["broken_link"] == "止于散居片区党支部（党支部）"
    assert rows["H5"]["problem"] == ("责任链没有通到街道党组织：楼栋由散居3号楼党小组（党小组）负责，"
                                     "上级链条止于散居片区党支部（党支部）（无上级党组织），未到街道")
    assert "上级党组织编号" in rows["H5"]["fix"]
    assert rows["H6"]["broken_link"] == "未归入单元" and "所属单元" in rows["H6"]["fix"]
    try:
        # two places whose organisations stop at the same one: one sentence naming it once
        with territory.transaction() as tx:
            tx.upsert_rels("RESPONSIBLE_FOR", "PartyOrg", "Unit", [{"src": "O6", "dst": "U3"}])
        (h5,) = [r for r in coverage.violations(territory, "R16", explain="zh") if r["id"] == "H5"]
        assert h5["broken_link"] == "止于散居片区党支部（党支部）"
        assert h5["problem"] == ("责任链没有通到街道党组织：楼栋、单元由散居3号楼党小组（党小组）、散居片区党支部（党支部）负责，"
                                 "上级链条止于散居片区党支部（党支部）（无上级党组织），未到街道")
        # placed under the street's committee, the chain reaches the street and H5's gap is gone
        with territory.transaction() as tx:
            tx.upsert_rels("SUBORDINATE_TO", "PartyOrg", "PartyOrg", [{"src": "O6", "dst": "O1"}])
        assert sorted(r["id"] for r in coverage.violations(territory, "R16")) == ["H4", "H6"]
        # an organisation with no superior at all is named as the place the chain stops
        with territory.transaction() as tx:
            tx.upsert_rels("RESPONSIBLE_FOR", "PartyOrg", "Unit", [{"src": "O4", "dst": "U2"}])
        (h4,) = [r for r in coverage.violations(territory, "R16", explain="en") if r["id"] == "H4"]
        assert h4["broken_link"] == "stops at 和园1号楼党小组（党小组）"
        assert h4["problem"].endswith("unit → 和园1号楼党小组（党小组）: the chain stops at 和园1号楼党小组（党小组）, "
                                      "which has no superior and is not responsible for a street")
    finally:
        territory.clear()
        territory.create_schema()
        _fill(territory, None)


def test_household_rows_carry_head_and_room_masked_by_the_scope(territory):
    masked = Scope(territory, Principal("li", "analyst")).violations("R08")
    h4 = next(r for r in masked if r["id"] == "H4")
    assert h4["head_name"] == "王*伟" and h4["room"] != "201" and "problem" in h4
    assert list(h4)[:5] == ["rule", "id", "name", "head_name", "room"]
    shown = Scope(territory, Principal("li", "admin").with_unmask(True)).violations("R08")
    h4 = next(r for r in shown if r["id"] == "H4")
    assert (h4["head_name"], h4["room"]) == ("王大伟", "201")
    # the problem text carries figures, never a person's name
    assert all("王大伟" not in str(r["problem"]) for r in shown)


def test_exports_carry_the_words(territory):
    rows = Scope(territory, Principal("li", "analyst")).violations("R05A", PARAMS["R05A"])
    ws = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(rows, title="R05A", note="筛选：全部区域"))).active
    table = [[c.value for c in r] for r in ws.iter_rows(min_row=5)]
    assert table[0][:5] == ["规则", "编号", "名称", "问题说明", "整改建议"]
    assert table[1][3] == "该网格 3 户、专职网格员 1 名，每人 3 户，超过上限 2 户"
    en = Scope(territory, Principal("li", "analyst")).violations("R05A", PARAMS["R05A"], lang="en")
    head, first = list(csv.reader(io.StringIO(export.to_csv(en, lang="en").decode("utf-8-sig"))))[:2]
    assert head[3:5] == ["What is wrong", "How to fix"]
    assert first[3] == "3 households and 1 full-time grid workers: 3 per worker, over the limit of 2"


def test_cli_gaps_prints_the_words(db_target):
    from graph.config import open_store
    from orgnet import cli

    with open_store(db_target) as s:
        s.create_schema()
        _fill(s, None)
    result = CliRunner().invoke(cli, ["--db", db_target, "gaps", "--rule", "R16", "--format", "csv"])
    assert result.exit_code == 0, result.output
    head, *lines = list(csv.reader(io.StringIO(result.output)))
    assert head[:8] == ["规则", "编号", "名称", "户主", "房号", "问题说明", "整改建议", "断在哪一环"]
    by_id = {ln[1]: ln for ln in lines if len(ln) > 7}
    assert by_id["H5"][7] == "止于散居片区党支部（党支部）" and by_id["H5"][3] == "赵*红"
    result = CliRunner().invoke(cli, ["--db", db_target, "gaps", "--rule", "R05A", "-p", "max_households=2"])
    assert result.exit_code == 0 and "该网格 3 户、专职网格员 1 名，每人 3 户，超过上限 2 户" in result.output


def test_a_rules_named_query_carries_the_words_in_the_asked_language(territory):
    scope = Scope(territory, Principal("li", "analyst"))
    (zh,) = [r for r in scope.named("r08_household_unlinked") if r["id"] == "H4"]
    (en,) = [r for r in scope.named("r08_household_unlinked", lang="en") if r["id"] == "H4"]
    assert zh["problem"] == "该户 0 名党员包联，应至少 1 名"
    assert en["problem"] == "0 party members are linked to this household; at least 1 is required"
