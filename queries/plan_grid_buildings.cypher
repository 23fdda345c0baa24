// title: 规划：网格内各楼栋户数 | Planning: households per building in each grid
// description: 每个基础网格覆盖的楼栋（直接覆盖、经小区覆盖或经单元覆盖）及其在本网格内的户数。
// kind: table
MATCH (g:Grid)-[:COVERS]->(b:Building)<-[:PART_OF]-(:Unit)<-[:PART_OF]-(h:Household)
RETURN g.id AS grid_id, b.id AS building_id, count(h) AS households
UNION ALL
MATCH (g:Grid)-[:COVERS]->(:Compound)<-[:PART_OF]-(b:Building)<-[:PART_OF]-(:Unit)<-[:PART_OF]-(h:Household)
RETURN g.id AS grid_id, b.id AS building_id, count(h) AS households
UNION ALL
MATCH (g:Grid)-[:COVERS]->(:Unit)-[:PART_OF]->(b:Building)
MATCH (h:Household)-[:PART_OF]->(:Unit)<-[:COVERS]-(g)
WHERE EXISTS { MATCH (h)-[:PART_OF]->(:Unit)-[:PART_OF]->(b) }
RETURN g.id AS grid_id, b.id AS building_id, count(DISTINCT h) AS households
