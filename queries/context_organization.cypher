// title: 单位报到社区 | Where each co-building unit reported
// description: 每个共建单位报到的社区及其街道。
// kind: table
// entity: Organization
// context: true
MATCH (o:Organization)
OPTIONAL MATCH (o)-[:REPORTED_TO]->(c:Community)
OPTIONAL MATCH (c)-[:PART_OF]->(s:Street)
RETURN o.id AS id, o.name AS name, min(c.id) AS community_id, min(c.name) AS community, min(s.id) AS street_id,
       min(s.name) AS street
