// title: 网格无专职网格员 | Grid with households and no full-time grid worker
// description: 有住户的基础网格却没有专职网格员（“1名专职＋N名兼职”）。
// kind: table
// entity: Grid
// rule: R05B
// seed: 003 实现居住网格全覆盖; 004 1名专职网格员+N个兼职网格员
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
RETURN g.id AS id, NOT EXISTS { MATCH (:Person)-[r:GRID_WORKER_OF]->(g) WHERE r.full_time = true } AS violation,
       households, COUNT { MATCH (:Person)-[:GRID_WORKER_OF]->(g) } AS workers
