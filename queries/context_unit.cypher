// title: 单元所在位置 | Where each unit is
// description: 每个单元所在的楼栋、小区、社区、街道和覆盖它的网格。
// kind: table
// entity: Unit
// context: true
MATCH (u:Unit)
OPTIONAL MATCH (u)-[:PART_OF]->(b:Building)
OPTIONAL MATCH (b)-[:PART_OF]->(cp:Compound)
OPTIONAL MATCH (b)-[:PART_OF*1..2]->(c:Community)
OPTIONAL MATCH (c)-[:PART_OF]->(s:Street)
OPTIONAL MATCH (u)-[:PART_OF*0..2]->()<-[:COVERS]-(g:Grid)
RETURN u.id AS id, b.name + u.name AS name, b.id AS building_id, b.name AS building, b.lat AS lat, b.lon AS lon, cp.name AS compound, c.id AS community_id,
       c.name AS community, s.id AS street_id, s.name AS street, collect(DISTINCT g.id) AS grid_ids
