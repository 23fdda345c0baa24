"""The DuckDB peer: every coverage rule written once in SQL over the same CSV ledgers orgnet loads.

A data analyst might skip the graph and answer the rules with DuckDB over the ledgers. This module
is that peer, for the benchmarks only (DuckDB is in the ``bench`` extra, not a runtime dependency):
``read(folder)`` reads the demo county's CSV ledgers into in-memory tables, and ``RULES`` holds one
SQL statement per rule returning the rule's population as ``(id, violation)`` — the same contract
as orgnet's rule queries (``queries/r*.cypher``), so the two answers can be compared id for id.

Only the cells the rules need are interpreted: ``是`` is true, ``否`` false, a blank unknown (as the
loader reads them); several ids in one cell are separated by ``、``.

Examples
--------
>>> con = read(Path("/tmp/orgnet-bench/gaoqing-x1-csv"))          # doctest: +SKIP
>>> total, bad = answer(con, "R08")                               # doctest: +SKIP
"""
from __future__ import annotations

from pathlib import Path

import duckdb

# ledger file → (table, {header: column}); only what the rules read.
LEDGERS = {
    "街道乡镇": ("street", {"街道编号*": "id"}),
    "社区": ("community", {"社区编号*": "id", "所属街道编号*": "street"}),
    "小区": ("compound", {"小区编号*": "id", "所属社区编号*": "community"}),
    "楼栋": ("building", {"楼栋编号*": "id", "纬度": "lat", "经度": "lon", "所属小区编号": "compound",
                        "所属社区编号": "community"}),
    "单元": ("unit", {"单元编号*": "id", "所属楼栋编号*": "building"}),
    "住户": ("household", {"住户编号*": "id", "特殊群体": "special_groups", "所属单元编号*": "unit"}),
    "网格": ("grid", {"网格编号*": "id", "层级名称": "level_name"}),
    "网格覆盖": ("covers", {"网格编号*": "grid", "覆盖对象编号*": "target"}),
    "网格员": ("grid_worker", {"人员编号*": "person", "网格编号*": "grid", "是否专职*": "full_time"}),
    "党组织": ("party_org", {"党组织编号*": "id", "组织类别*": "kind", "上级党组织编号": "parent",
                          "负责对象编号": "responsible_for"}),
    "人员": ("person", {"人员编号*": "id", "是否党员*": "is_member", "党员类别": "member_kind",
                      "工作单位编号": "work_unit"}),
    "单位": ("organization", {"单位编号*": "id"}),
    "物业企业": ("property_company", {"物业企业编号*": "id"}),
    "业委会物管会": ("owners_body", {"业委会编号*": "id", "类型*": "kind", "所在小区编号*": "compound",
                              "是否自管": "self_managed"}),
    "服务阵地": ("service_site", {"阵地编号*": "id", "纬度*": "lat", "经度*": "lon"}),
    "楼长": ("building_leader", {"人员编号*": "person", "楼栋编号*": "building", "是否在职*": "in_service"}),
    "单元长": ("unit_leader", {"人员编号*": "person", "单元编号*": "unit"}),
    "包联": ("link", {"人员编号*": "person", "住户编号*": "household"}),
    "双报到": ("report", {"报到主体编号*": "reporter", "社区编号*": "community"}),
    "编入": ("assignment", {"人员编号*": "person", "党组织编号*": "party_org"}),
    "结对共建": ("pairing", {"单位编号*": "organization", "社区编号*": "community"}),
    "物业服务": ("manages", {"物业企业编号*": "company", "小区编号*": "compound"}),
    "单位党组织": ("party_org_of", {"党组织编号*": "party_org", "单位编号*": "unit"}),
    "党建指导员": ("instructor", {"人员编号*": "person", "指导对象编号*": "target"}),
}
_BOOLS = {"full_time", "is_member", "self_managed", "in_service"}
_DOUBLES = {"lat", "lon"}


def read(folder: Path, con: duckdb.DuckDBPyConnection | None = None) -> duckdb.DuckDBPyConnection:
    """Read the CSV ledgers of ``folder`` into tables (UTF-8 with BOM, as the demo writes them)."""
    con = con or duckdb.connect()
    for stem, (table, columns) in LEDGERS.items():
        path = folder / f"{stem}.csv"
        exprs = []
        for header, col in columns.items():
            cell = f"nullif(trim(\"{header}\"), '')"
            if col in _BOOLS:
                exprs.append(f"CASE {cell} WHEN '是' THEN true WHEN '否' THEN false END AS {col}")
            elif col in _DOUBLES:
                exprs.append(f"TRY_CAST({cell} AS DOUBLE) AS {col}")
            else:
                exprs.append(f"{cell} AS {col}")
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT {', '.join(exprs)} "
                    f"FROM read_csv('{path}', all_varchar = true, header = true)")
    # 负责对象编号 may hold several ids: one row per (org, target)
    con.execute("CREATE OR REPLACE TABLE responsible AS SELECT id AS org, trim(t) AS target "
                "FROM party_org, unnest(string_split(responsible_for, '、')) AS u(t) WHERE trim(t) <> ''")
    return con


# Households covered by each grid, through a unit, a building or a compound (a household counts once).
_GRID_HOUSEHOLDS = """
grid_households AS (
  SELECT g, count(DISTINCT h) AS households FROM (
    SELECT c.grid AS g, h.id AS h FROM covers c JOIN household h ON h.unit = c.target
    UNION ALL
    SELECT c.grid, h.id FROM covers c JOIN unit u ON u.building = c.target JOIN household h ON h.unit = u.id
    UNION ALL
    SELECT c.grid, h.id FROM covers c JOIN building b ON b.compound = c.target JOIN unit u ON u.building = b.id
      JOIN household h ON h.unit = u.id)
  GROUP BY g),
covering AS (SELECT DISTINCT grid FROM covers),
full_time AS (SELECT grid, count(*) AS workers FROM grid_worker WHERE full_time GROUP BY grid)
"""

RULES: dict[str, str] = {
    "R01": """SELECT g.id, g.id NOT IN (SELECT r.target FROM responsible r) AS violation FROM grid g""",
    "R02": """SELECT b.id, b.id NOT IN (SELECT r.target FROM responsible r JOIN party_org o ON o.id = r.org
                                        WHERE o.kind = '党小组') AS violation FROM building b""",
    "R03A": """SELECT b.id, b.id NOT IN (SELECT building FROM building_leader) AS violation FROM building b""",
    "R03B": """SELECT building AS id, count(*) FILTER (WHERE in_service) = 0
                      OR count(*) FILTER (WHERE NOT in_service) = 0 AS violation
               FROM (SELECT DISTINCT l.person, l.building, l.in_service FROM building_leader l
                     JOIN building b ON b.id = l.building)
               GROUP BY building""",
    "R04A": """SELECT u.id, u.id NOT IN (SELECT unit FROM unit_leader) AS violation FROM unit u""",
    "R04B": """SELECT l.unit AS id, bool_or(p.is_member IS NOT TRUE) AS violation
               FROM (SELECT DISTINCT person, unit FROM unit_leader) l JOIN person p ON p.id = l.person
               JOIN unit u ON u.id = l.unit GROUP BY l.unit""",
    "R05A": "WITH " + _GRID_HOUSEHOLDS + """
               SELECT g.id, coalesce(gh.households, 0) > $max_households * f.workers AS violation
               FROM grid g JOIN covering c ON c.grid = g.id JOIN full_time f ON f.grid = g.id
               LEFT JOIN grid_households gh ON gh.g = g.id""",
    "R05B": "WITH " + _GRID_HOUSEHOLDS + """
               SELECT g.id, f.grid IS NULL AS violation
               FROM grid g JOIN grid_households gh ON gh.g = g.id LEFT JOIN full_time f ON f.grid = g.id
               WHERE gh.households > 0""",
    "R06": """WITH hh AS (SELECT b.compound, count(*) AS n FROM household h JOIN unit u ON u.id = h.unit
                          JOIN building b ON b.id = u.building GROUP BY b.compound)
              SELECT c.id, c.id NOT IN (SELECT r.target FROM responsible r JOIN party_org o ON o.id = r.org
                                        WHERE o.kind IN ('党支部', '党总支', '党委')) AS violation
              FROM compound c JOIN hh ON hh.compound = c.id WHERE hh.n >= $min_households""",
    "R07": """SELECT h.id, h.id NOT IN (
                  SELECT l.household FROM link l JOIN person p ON p.id = l.person
                  WHERE p.is_member OR p.id IN (SELECT ul.person FROM unit_leader ul JOIN unit u ON u.id = ul.unit))
                AS violation
              FROM household h WHERE h.special_groups IS NOT NULL""",
    "R08": """SELECT h.id, h.id NOT IN (SELECT l.household FROM link l JOIN person p ON p.id = l.person
                                        WHERE p.is_member) AS violation FROM household h""",
    "R09": """WITH links AS (SELECT l.person, count(DISTINCT l.household) AS n FROM link l
                             JOIN household h ON h.id = l.household GROUP BY l.person)
              SELECT p.id, coalesce(links.n, 0) < $min_links OR coalesce(links.n, 0) > $max_links AS violation
              FROM person p LEFT JOIN links ON links.person = p.id WHERE p.is_member""",
    "R10A": """SELECT p.id, p.id NOT IN (SELECT a.person FROM assignment a JOIN party_org o ON o.id = a.party_org)
                 AS violation
               FROM person p WHERE p.id IN (SELECT r.reporter FROM report r JOIN community c ON c.id = r.community)""",
    "R10B": """SELECT p.id, p.id NOT IN (SELECT l.person FROM link l JOIN household h ON h.id = l.household)
                 AS violation
               FROM person p WHERE p.id IN (SELECT r.reporter FROM report r JOIN community c ON c.id = r.community)
                 AND p.id IN (SELECT a.person FROM assignment a JOIN party_org o ON o.id = a.party_org)""",
    "R11A": """WITH reported AS (SELECT r.reporter FROM report r JOIN community c ON c.id = r.community)
               SELECT o.id, o.id NOT IN (SELECT p.work_unit FROM person p WHERE p.work_unit IS NOT NULL
                                         AND p.id IN (SELECT reporter FROM reported)) AS violation
               FROM organization o WHERE o.id IN (SELECT reporter FROM reported)""",
    "R11B": """SELECT o.id, o.id NOT IN (SELECT p.organization FROM pairing p JOIN community c ON c.id = p.community)
                 AS violation
               FROM organization o WHERE o.id IN (SELECT r.reporter FROM report r JOIN community c ON c.id = r.community)""",
    "R12": """SELECT c.id, c.id NOT IN (SELECT m.compound FROM manages m JOIN property_company pc ON pc.id = m.company)
                AND c.id NOT IN (SELECT ob.compound FROM owners_body ob WHERE ob.self_managed) AS violation
              FROM compound c""",
    "R13": """SELECT pc.id, pc.id NOT IN (SELECT po.unit FROM party_org_of po JOIN party_org o ON o.id = po.party_org)
                AND pc.id NOT IN (SELECT i.target FROM instructor i JOIN person p ON p.id = i.person) AS violation
              FROM property_company pc""",
    "R14A": """SELECT c.id, c.id NOT IN (SELECT compound FROM owners_body) AS violation FROM compound c""",
    "R14B": """SELECT ob.id, ob.id NOT IN (SELECT po.unit FROM party_org_of po JOIN party_org o ON o.id = po.party_org)
                 AS violation FROM owners_body ob""",
    "R15": """WITH nearest AS (
                SELECT b.id, min(2 * 6371000 * asin(sqrt(power(sin(radians(s.lat - b.lat) / 2), 2)
                       + cos(radians(b.lat)) * cos(radians(s.lat)) * power(sin(radians(s.lon - b.lon) / 2), 2))))
                       AS nearest_m
                FROM building b LEFT JOIN service_site s ON true
                WHERE b.lat IS NOT NULL AND b.lon IS NOT NULL GROUP BY b.id)
              SELECT id, nearest_m IS NULL OR nearest_m > $radius_m AS violation FROM nearest""",
    # An organisation is anchored when it or one of its ancestors (up to 6 levels) is responsible
    # for a street; a household's chain holds when an anchored organisation is responsible for its
    # unit, building, compound or community, or for a grid covering its unit, building or compound.
    "R16": """WITH RECURSIVE up(org, ancestor, depth) AS (
                SELECT id, id, 0 FROM party_org
                UNION ALL
                SELECT up.org, p.parent, up.depth + 1 FROM up JOIN party_org p ON p.id = up.ancestor
                WHERE p.parent IS NOT NULL AND up.depth < 6),
              anchored AS (
                SELECT DISTINCT up.org FROM up JOIN responsible r ON r.org = up.ancestor
                JOIN party_org a ON a.id = up.ancestor
                JOIN street s ON s.id = r.target),
              reached AS (
                SELECT r.target AS place FROM responsible r JOIN anchored a ON a.org = r.org
                UNION
                SELECT c.target FROM responsible r JOIN anchored a ON a.org = r.org JOIN grid g ON g.id = r.target
                JOIN covers c ON c.grid = g.id),
              place AS (
                SELECT h.id, u.id AS u, b.id AS b, cp.id AS cp, c1.id AS c1, c2.id AS c2
                FROM household h LEFT JOIN unit u ON u.id = h.unit
                LEFT JOIN building b ON b.id = u.building
                LEFT JOIN compound cp ON cp.id = b.compound AND b.id IS NOT NULL
                LEFT JOIN community c1 ON c1.id = cp.community
                LEFT JOIN community c2 ON c2.id = b.community)
              SELECT id, NOT (b IS NOT NULL AND (u IN (SELECT place FROM reached) OR b IN (SELECT place FROM reached)
                     OR coalesce(cp IN (SELECT place FROM reached), false)
                     OR coalesce(c1 IN (SELECT place FROM reached), false)
                     OR coalesce(c2 IN (SELECT place FROM reached), false))) AS violation
              FROM place""",
    "R17A": """SELECT b.id, NOT (b.id IN (SELECT c.target FROM covers c JOIN grid g ON g.id = c.grid)
                  OR b.id IN (SELECT u.building FROM unit u JOIN covers c ON c.target = u.id JOIN grid g ON g.id = c.grid)
                  OR coalesce(b.compound IN (SELECT c.target FROM covers c JOIN grid g ON g.id = c.grid), false))
                 AS violation FROM building b""",
    "R17B": """WITH covered AS (SELECT c.target FROM covers c JOIN grid g ON g.id = c.grid)
               SELECT h.id, NOT (u.id IN (SELECT target FROM covered) OR b.id IN (SELECT target FROM covered)
                                 OR coalesce(b.compound IN (SELECT target FROM covered), false)) AS violation
               FROM household h JOIN unit u ON u.id = h.unit JOIN building b ON b.id = u.building""",
}

# The rules' thresholds: the same defaults as the Cypher headers.
PARAMS = {"R05A": {"max_households": 300}, "R06": {"min_households": 1000},
          "R09": {"min_links": 1, "max_links": 2}, "R15": {"radius_m": 1000}}


def answer(con: duckdb.DuckDBPyConnection, rule: str, params: dict | None = None) -> tuple[int, list[str]]:
    """(population, sorted violating ids) of one rule."""
    table = con.sql(RULES[rule], params={**PARAMS.get(rule, {}), **(params or {})}).to_arrow_table()
    bad = table.filter(table.column("violation")).column("id").to_pylist()
    return table.num_rows, sorted(bad)
