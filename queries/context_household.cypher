// title: 住户所在位置 | Where each household is
// description: 每户所在的楼栋、小区、社区、街道和覆盖它的网格；覆盖缺口明细和汇总都用它补充上下文。
// kind: table
// entity: Household
// context: true
MATCH (h:Household)
OPTIONAL MATCH (h)-[:PART_OF]->(:Unit)-[:PART_OF]->(b:Building)
OPTIONAL MATCH (b)-[:PART_OF]->(cp:Compound)
OPTIONAL MATCH (b)-[:PART_OF*1..2]->(c:Community)
OPTIONAL MATCH (c)-[:PART_OF]->(s:Street)
OPTIONAL MATCH (h)-[:PART_OF*1..3]->()<-[:COVERS]-(g:Grid)
RETURN h.id AS id, h.address AS name, b.id AS building_id, b.name AS building, b.lat AS lat, b.lon AS lon, cp.name AS compound, c.id AS community_id,
       c.name AS community, s.id AS street_id, s.name AS street, collect(DISTINCT g.id) AS grid_ids
