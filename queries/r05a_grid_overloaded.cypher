// title: 网格员负担过重 | Grid with too many households per full-time grid worker
// description: 基础网格（有覆盖范围的网格）中，户数 ÷ 专职网格员数 超过上限。
// kind: table
// entity: Grid
// rule: R05A
// seed: 003 按照每300户配备1名社区专职工作者
// param: max_households = 300 | 每名专职网格员最多户数
// Households per grid are counted from the units up (a unit's households, once per grid that
// covers the unit, its building or its compound): Kùzu walks PART_OF fastest from the household
// side, and a grid's list of household ids grew with the county (1.4 s at 10x).
MATCH (u:Unit)-[:PART_OF]->(b:Building)
OPTIONAL MATCH (b)-[:PART_OF]->(cp:Compound)
OPTIONAL MATCH (g1:Grid)-[:COVERS]->(u)
WITH u, b, cp, coalesce(collect(g1.id), []) AS via_unit
OPTIONAL MATCH (g2:Grid)-[:COVERS]->(b)
WITH u, cp, via_unit, coalesce(collect(g2.id), []) AS via_building
OPTIONAL MATCH (g3:Grid)-[:COVERS]->(cp)
WITH u, via_unit, via_building, coalesce(collect(g3.id), []) AS via_compound
UNWIND via_unit + via_building + via_compound AS gid
WITH DISTINCT u, gid
MATCH (h:Household)-[:PART_OF]->(u)
WITH gid, count(h) AS households
MATCH (g:Grid) WHERE g.id = gid
WITH g, households, COUNT { MATCH (:Person)-[r:GRID_WORKER_OF]->(g) WHERE r.full_time = true } AS workers
WHERE workers > 0
RETURN g.id AS id, households > $max_households * workers AS violation, households, workers,
       households / workers AS per_worker
UNION ALL
MATCH (g:Grid)
WHERE EXISTS { MATCH (g)-[:COVERS]->() }
  AND NOT EXISTS { MATCH (g)-[:COVERS]->(:Unit)<-[:PART_OF]-(:Household) }
  AND NOT EXISTS { MATCH (g)-[:COVERS]->(:Building)<-[:PART_OF]-(:Unit)<-[:PART_OF]-(:Household) }
  AND NOT EXISTS { MATCH (g)-[:COVERS]->(:Compound)<-[:PART_OF]-(:Building)<-[:PART_OF]-(:Unit)<-[:PART_OF]-(:Household) }
WITH g, COUNT { MATCH (:Person)-[r:GRID_WORKER_OF]->(g) WHERE r.full_time = true } AS workers
WHERE workers > 0
RETURN g.id AS id, false AS violation, 0 AS households, workers, 0 AS per_worker
