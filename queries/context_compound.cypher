// title: 小区所在位置 | Where each compound is
// description: 每个小区所在的社区、街道和覆盖它（或它的楼栋）的网格。
// kind: table
// entity: Compound
// context: true
MATCH (cp:Compound)
OPTIONAL MATCH (cp)-[:PART_OF]->(c:Community)
OPTIONAL MATCH (c)-[:PART_OF]->(s:Street)
OPTIONAL MATCH (gc:Grid)-[:COVERS]->(cp)
OPTIONAL MATCH (gb:Grid)-[:COVERS]->(:Building)-[:PART_OF]->(cp)
RETURN cp.id AS id, cp.name AS name, cp.name AS compound, cp.lat AS lat, cp.lon AS lon, c.id AS community_id,
       c.name AS community, s.id AS street_id, s.name AS street,
       coalesce(collect(DISTINCT gc.id), []) AS grid_ids_compound,
       coalesce(collect(DISTINCT gb.id), []) AS grid_ids_building
