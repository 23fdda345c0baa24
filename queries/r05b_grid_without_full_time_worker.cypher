// title: 网格无专职网格员 | Grid with households and no full-time grid worker
// description: 有住户的基础网格却没有专职网格员（“1名专职＋N名兼职”）。
// kind: table
// entity: Grid
// rule: R05B
// seed: 003 实现居住网格全覆盖; 004 1名专职网格员+N个兼职网格员
MATCH (g:Grid)
WHERE EXISTS { MATCH (g)-[:COVERS]->()<-[:PART_OF*1..3]-(:Household) }
RETURN g.id AS id, NOT EXISTS { MATCH (:Person)-[r:GRID_WORKER_OF]->(g) WHERE r.full_time = true } AS violation,
       COUNT { MATCH (:Person)-[:GRID_WORKER_OF]->(g) } AS workers
