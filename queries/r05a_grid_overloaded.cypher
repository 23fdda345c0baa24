// title: 网格员负担过重 | Grid with too many households per full-time grid worker
// description: 基础网格（有覆盖范围的网格）中，户数 ÷ 专职网格员数 超过上限。
// kind: table
// entity: Grid
// rule: R05A
// seed: 003 按照每300户配备1名社区专职工作者
// param: max_households = 300 | 每名专职网格员最多户数
MATCH (g:Grid)
WHERE EXISTS { MATCH (g)-[:COVERS]->() }
WITH g, COUNT { MATCH (:Person)-[r:GRID_WORKER_OF]->(g) WHERE r.full_time = true } AS workers
WHERE workers > 0
OPTIONAL MATCH (g)-[:COVERS]->()<-[:PART_OF*1..3]-(h:Household)
WITH g, workers, count(DISTINCT h) AS households
RETURN g.id AS id, households > $max_households * workers AS violation, households, workers,
       households / workers AS per_worker
