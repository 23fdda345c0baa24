// title: 人员居住位置 | Where each person lives
// description: 每人居住户所在的楼栋、小区、社区、街道和网格；没有居住户的，按报到社区。
// kind: table
// entity: Person
// context: true
// Where the person's household is comes from its unit's context (`via_unit`); the reported
// community and its street stand in when the person lives in no known household.
MATCH (p:Person)
OPTIONAL MATCH (p)-[:LIVES_IN]->(:Household)-[:PART_OF]->(u:Unit)
OPTIONAL MATCH (p)-[:REPORTED_TO]->(rc:Community)
OPTIONAL MATCH (rc)-[:PART_OF]->(rs:Street)
RETURN p.id AS id, p.name AS name, min(u.id) AS via_unit, min(rc.id) AS community_id, min(rc.name) AS community,
       min(rs.id) AS street_id, min(rs.name) AS street
