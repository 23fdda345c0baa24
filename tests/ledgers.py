"""Small hand-made ledgers for the loader tests: a consistent mini county, as CSV texts."""
from __future__ import annotations

from pathlib import Path

MINI = {
    "街道乡镇": """街道编号,名称,类型
S1,城关街道,街道
""",
    "社区": """社区编号,名称,所属街道编号,联系电话
C1,和园社区,S1,0533-6961234
C2,青羊社区,S1,
""",
    "小区": """小区编号,名称,小区类型,所属社区编号,纬度,经度
P1,和园小区,大产权小区,C1,37.17,117.83
P2,未来城,村建小区,C2,37.18,117.84
""",
    "楼栋": """楼栋编号,楼栋名称,所属小区编号,所属社区编号,纬度,经度
B1,1号楼,P1,,37.1701,117.8301
B2,2号楼,P1,,37.1702,117.8302
B3,散居3号楼,,C2,37.1801,117.8401
""",
    "单元": """单元编号,单元名称,所属楼栋编号
U1,1单元,B1
U2,1单元,B2
U3,1单元,B3
""",
    "住户": """住户编号,门牌地址,所属单元编号,特殊群体,党员中心户
H1,和园小区1号楼1单元101,U1,独居老人、低保户,否
H2,和园小区2号楼1单元101,U2,,是
H3,散居3号楼1单元101,U3,,
""",
    "网格": """网格编号,名称,层级,所属社区编号,上级网格编号
G1,和园网格,1,C1,
G2,和园一网格,2,,G1
""",
    "网格覆盖": """网格编号,覆盖对象编号
G2,P1
G1,B3
""",
    "党组织": """党组织编号,名称,组织类别,上级党组织编号,负责对象编号
O1,城关街道党工委,党工委,,S1
O2,和园社区党委,党委,O1,C1
O3,和园一网格党支部,党支部,O2,G2
O4,1号楼党小组,党小组,O3,B1、B2
""",
    "单位": """单位编号,单位名称,单位性质
E1,县住建局,党政机关
""",
    "人员": """人员编号,姓名,是否党员,党员类别,组织关系所在党组织编号,工作单位编号,居住户编号,手机号,身份证号
M1,张三,是,社区党员,O3,,H1,13800001111,11010519491231002X
M2,李四,是,在职党员,,E1,H2,138 0000 2222,
W1,王五,否,,,,H3,,
""",
    "楼长": """人员编号,楼栋编号,是否在职,红色楼长
M1,B1,否,否
M2,B1,是,是
""",
    "包联": """人员编号,住户编号,包联类型,起始日期
M1,H1,特殊群体,2023/5/1
M2,H2,普通住户,2023年5月1日
""",
    "双报到": """报到主体编号,社区编号,报到日期
E1,C1,2023-03-01
M2,C1,2023-03-02
""",
    "编入": """人员编号,党组织编号
M2,O3
""",
}

#: what the mini county writes, per label and relationship type
MINI_COUNTS = {
    "Street": 1, "Community": 2, "Compound": 2, "Building": 3, "Unit": 3, "Household": 3, "Grid": 2,
    "PartyOrg": 4, "Organization": 1, "Person": 3,
    # 2 communities, 2 compounds, 3 buildings, 3 units, 3 households
    "PART_OF": 13, "GRID_OF": 1, "SUBGRID_OF": 1, "COVERS": 2, "SUBORDINATE_TO": 3, "RESPONSIBLE_FOR": 5,
    "MEMBER_OF": 1, "WORKS_AT": 1, "LIVES_IN": 3, "BUILDING_LEADER_OF": 2, "LINKED_TO": 2, "REPORTED_TO": 2,
    "ASSIGNED_TO": 1,
}


def write_csvs(directory: Path, ledgers: dict[str, str] = MINI, encoding: str = "utf-8") -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in ledgers.items():
        p = directory / f"{name}.csv"
        p.write_text(text, encoding=encoding)
        paths.append(p)
    return paths


def data_counts(store) -> dict[str, int]:
    """Counts without the bookkeeping (loads, rule results, ended relationships, and the rectification cases a
    CLI load opens), only the non-zero ones."""
    from graph.model import BOOKKEEPING

    return {k: v for k, v in store.counts().items() if v and k not in (*BOOKKEEPING, "Rectification", "CASE_OWNER")}


def fill_mini_county(store, tmp: Path) -> None:
    """The mini county and one service site (for the app and browser tests)."""
    from loaders.engine import load

    load(write_csvs(tmp / "in"), store)
    store.upsert_nodes("ServiceSite", [{"id": "X1", "name": "和园红驿站", "kind": "红色驿站", "lat": 37.1702, "lon": 117.8302}])


def mini_county_db(db: str, tmp: Path) -> str:
    """A Kùzu file holding the mini county and one service site."""
    from graph.config import open_store

    with open_store(db) as s:
        s.create_schema()
        fill_mini_county(s, tmp)
    return db
