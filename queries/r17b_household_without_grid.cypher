// title: 住户不在任何网格内 | Household that no grid covers
// description: 所在单元、楼栋和小区都没有网格覆盖的住户（没有网格员上门服务）。
// kind: table
// entity: Household
// rule: R17B
// seed: 003 实现居住网格全覆盖; 004 网格化服务管理
MATCH (u:Unit)-[:PART_OF]->(b:Building)
OPTIONAL MATCH (g1:Grid)-[:COVERS]->(u)
OPTIONAL MATCH (g2:Grid)-[:COVERS]->(b)
OPTIONAL MATCH (g3:Grid)-[:COVERS]->(:Compound)<-[:PART_OF]-(b)
WITH u, count(g1) + count(g2) + count(g3) AS grids
MATCH (h:Household)-[:PART_OF]->(u)
RETURN h.id AS id, grids = 0 AS violation, h.room AS room, h.head_name AS head_name
