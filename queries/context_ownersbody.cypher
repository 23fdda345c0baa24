// title: 业委会所在小区 | Where each owners' body is
// description: 每个业委会（物管会）所在的小区、社区和街道。
// kind: table
// entity: OwnersBody
// context: true
MATCH (ob:OwnersBody)
OPTIONAL MATCH (ob)-[:GOVERNS]->(cp:Compound)
OPTIONAL MATCH (cp)-[:PART_OF]->(c:Community)
OPTIONAL MATCH (c)-[:PART_OF]->(s:Street)
RETURN ob.id AS id, ob.name AS name, min(cp.name) AS compound, min(c.id) AS community_id, min(c.name) AS community,
       min(s.id) AS street_id, min(s.name) AS street
