// title: 网格无专职网格员 | Grid with households and no full-time grid worker
// description: 有住户的基础网格却没有专职网格员（“1名专职＋N名兼职”）。
// kind: table
// entity: Grid
// rule: R05B
// seed: 003 实现居住网格全覆盖; 004 1名专职网格员+N个兼职网格员
MATCH (g:Grid)
WHERE EXISTS { MATCH (g)-[:COVERS]->() }
OPTIONAL MATCH (g)-[:COVERS]->(:Unit)<-[:PART_OF]-(h1:Household)
WITH g, coalesce(collect(h1.id), []) AS via_units
OPTIONAL MATCH (g)-[:COVERS]->(:Building)<-[:PART_OF]-(:Unit)<-[:PART_OF]-(h2:Household)
WITH g, via_units, coalesce(collect(h2.id), []) AS via_buildings
OPTIONAL MATCH (g)-[:COVERS]->(:Compound)<-[:PART_OF]-(:Building)<-[:PART_OF]-(:Unit)<-[:PART_OF]-(h3:Household)
WITH g, via_units, via_buildings, coalesce(collect(h3.id), []) AS via_compounds
// '' is no household id: it keeps a grid that covers none in the result, and is not counted
UNWIND via_units + via_buildings + via_compounds + [''] AS h
WITH g, count(DISTINCT h) AS with_blank
WITH g, with_blank - 1 AS households
WHERE households > 0
RETURN g.id AS id, NOT EXISTS { MATCH (:Person)-[r:GRID_WORKER_OF]->(g) WHERE r.full_time = true } AS violation,
       households, COUNT { MATCH (:Person)-[:GRID_WORKER_OF]->(g) } AS workers
