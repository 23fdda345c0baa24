// title: 网格员负担过重 | Grid with too many households per full-time grid worker
// description: 基础网格（有覆盖范围的网格）中，户数 ÷ 专职网格员数 超过上限。
// kind: table
// entity: Grid
// rule: R05A
// seed: 003 按照每300户配备1名社区专职工作者
// param: max_households = 300 | 每名专职网格员最多户数
MATCH (g:Grid)
WHERE EXISTS { MATCH (g)-[:COVERS]->() }
  AND EXISTS { MATCH (:Person)-[r:GRID_WORKER_OF]->(g) WHERE r.full_time = true }
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
WITH g, households, COUNT { MATCH (:Person)-[r:GRID_WORKER_OF]->(g) WHERE r.full_time = true } AS workers
RETURN g.id AS id, households > $max_households * workers AS violation, households, workers,
       households / workers AS per_worker
