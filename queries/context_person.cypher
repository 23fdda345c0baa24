// title: 人员居住位置 | Where each person lives
// description: 每人居住户所在的楼栋、小区、社区、街道和网格；没有居住户的，按报到社区。
// kind: table
// entity: Person
// context: true
MATCH (p:Person)
OPTIONAL MATCH (p)-[:LIVES_IN]->(:Household)-[:PART_OF]->(:Unit)-[:PART_OF]->(b:Building)
OPTIONAL MATCH (b)-[:PART_OF]->(cp:Compound)
OPTIONAL MATCH (cp)-[:PART_OF]->(c1:Community)
OPTIONAL MATCH (b)-[:PART_OF]->(c2:Community)
OPTIONAL MATCH (c1)-[:PART_OF]->(s1:Street)
OPTIONAL MATCH (c2)-[:PART_OF]->(s2:Street)
OPTIONAL MATCH (p)-[:REPORTED_TO]->(rc:Community)
OPTIONAL MATCH (rc)-[:PART_OF]->(rs:Street)
OPTIONAL MATCH (gb:Grid)-[:COVERS]->(b)
OPTIONAL MATCH (gc:Grid)-[:COVERS]->(cp)
RETURN p.id AS id, p.name AS name, min(b.id) AS building_id, min(b.name) AS building, min(b.lat) AS lat,
       min(b.lon) AS lon, min(cp.name) AS compound,
       coalesce(min(c1.id), min(c2.id), min(rc.id)) AS community_id,
       coalesce(min(c1.name), min(c2.name), min(rc.name)) AS community,
       coalesce(min(s1.id), min(s2.id), min(rs.id)) AS street_id,
       coalesce(min(s1.name), min(s2.name), min(rs.name)) AS street,
       coalesce(collect(DISTINCT gb.id), []) AS grid_ids_building,
       coalesce(collect(DISTINCT gc.id), []) AS grid_ids_compound
