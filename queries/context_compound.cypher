// title: 小区所在位置 | Where each compound is
// description: 每个小区所在的社区、街道和覆盖它（或它的楼栋）的网格。
// kind: table
// entity: Compound
// context: true
MATCH (cp:Compound)
OPTIONAL MATCH (cp)-[:PART_OF]->(c:Community)
OPTIONAL MATCH (c)-[:PART_OF]->(s:Street)
OPTIONAL MATCH (cp)<-[:PART_OF*0..1]-()<-[:COVERS]-(g:Grid)
RETURN cp.id AS id, cp.name AS name, cp.name AS compound, cp.lat AS lat, cp.lon AS lon, c.id AS community_id, c.name AS community,
       s.id AS street_id, s.name AS street, collect(DISTINCT g.id) AS grid_ids
