// title: 楼栋不在任何网格内 | Building that no grid covers
// description: 没有任何网格覆盖的楼栋：网格既没有覆盖这栋楼、它所在的小区，也没有覆盖它的任何单元；楼里的住户因此没有网格员。
// kind: table
// entity: Building
// rule: R17A
// seed: 003 实现居住网格全覆盖; 004 网格化服务管理
MATCH (b:Building)
OPTIONAL MATCH (g1:Grid)-[:COVERS]->(b)
OPTIONAL MATCH (g2:Grid)-[:COVERS]->(:Unit)-[:PART_OF]->(b)
OPTIONAL MATCH (g3:Grid)-[:COVERS]->(:Compound)<-[:PART_OF]-(b)
WITH b, count(g1) + count(g2) + count(g3) AS grids
RETURN b.id AS id, grids = 0 AS violation,
       COUNT { MATCH (:Household)-[:PART_OF]->(:Unit)-[:PART_OF]->(b) } AS households
