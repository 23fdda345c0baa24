// title: 楼栋所在位置 | Where each building is
// description: 每栋楼所在的小区、社区、街道和覆盖它的网格。
// kind: table
// entity: Building
// context: true
MATCH (b:Building)
OPTIONAL MATCH (b)-[:PART_OF]->(cp:Compound)
OPTIONAL MATCH (b)-[:PART_OF*1..2]->(c:Community)
OPTIONAL MATCH (c)-[:PART_OF]->(s:Street)
OPTIONAL MATCH (b)-[:PART_OF*0..1]->()<-[:COVERS]-(g:Grid)
RETURN b.id AS id, coalesce(cp.name, '') + b.name AS name, b.id AS building_id, b.name AS building, b.lat AS lat,
       b.lon AS lon, cp.name AS compound,
       c.id AS community_id, c.name AS community, s.id AS street_id, s.name AS street, collect(DISTINCT g.id) AS grid_ids
