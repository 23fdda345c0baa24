// title: 统计：网格员 | Statistics: grid workers
// description: 网格员（按人计），是否专职，按所在网格定位。
// kind: table
// entity: Grid
MATCH (p:Person)-[r:GRID_WORKER_OF]->(g:Grid)
RETURN p.id AS id, g.id AS anchor, coalesce(r.full_time, false) AS full_time
