// title: 楼栋所在位置 | Where each building is
// description: 每栋楼所在的小区、社区、街道和覆盖它的网格。
// kind: table
// entity: Building
// context: true
MATCH (b:Building)
OPTIONAL MATCH (b)-[:PART_OF]->(cp:Compound)
OPTIONAL MATCH (cp)-[:PART_OF]->(c1:Community)
OPTIONAL MATCH (b)-[:PART_OF]->(c2:Community)
OPTIONAL MATCH (c1)-[:PART_OF]->(s1:Street)
OPTIONAL MATCH (c2)-[:PART_OF]->(s2:Street)
OPTIONAL MATCH (gb:Grid)-[:COVERS]->(b)
OPTIONAL MATCH (gc:Grid)-[:COVERS]->(cp)
RETURN b.id AS id, coalesce(cp.name, '') + b.name AS name, b.id AS building_id, b.name AS building, b.lat AS lat,
       b.lon AS lon, cp.name AS compound, coalesce(c1.id, c2.id) AS community_id,
       coalesce(c1.name, c2.name) AS community, coalesce(s1.id, s2.id) AS street_id,
       coalesce(s1.name, s2.name) AS street,
       coalesce(collect(DISTINCT gb.id), []) AS grid_ids_building,
       coalesce(collect(DISTINCT gc.id), []) AS grid_ids_compound
