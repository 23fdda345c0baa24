// title: 人员居住位置 | Where each person lives
// description: 每人居住户所在的楼栋、小区、社区、街道和网格；没有居住户的，按报到社区。
// kind: table
// entity: Person
// context: true
MATCH (p:Person)
OPTIONAL MATCH (p)-[:LIVES_IN]->(:Household)-[:PART_OF]->(:Unit)-[:PART_OF]->(b:Building)
OPTIONAL MATCH (b)-[:PART_OF]->(cp:Compound)
OPTIONAL MATCH (b)-[:PART_OF*1..2]->(home:Community)
OPTIONAL MATCH (home)-[:PART_OF]->(hs:Street)
OPTIONAL MATCH (p)-[:REPORTED_TO]->(rc:Community)
OPTIONAL MATCH (rc)-[:PART_OF]->(rs:Street)
OPTIONAL MATCH (b)-[:PART_OF*0..1]->()<-[:COVERS]-(g:Grid)
RETURN p.id AS id, p.name AS name, min(b.id) AS building_id, min(b.name) AS building, min(b.lat) AS lat, min(b.lon) AS lon, min(cp.name) AS compound,
       coalesce(min(home.id), min(rc.id)) AS community_id, coalesce(min(home.name), min(rc.name)) AS community,
       coalesce(min(hs.id), min(rs.id)) AS street_id, coalesce(min(hs.name), min(rs.name)) AS street,
       collect(DISTINCT g.id) AS grid_ids
