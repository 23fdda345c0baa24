// title: 物业企业服务社区 | Where each property company works
// description: 每家物业企业所服务小区所在的社区和街道。
// kind: table
// entity: PropertyCompany
// context: true
MATCH (pc:PropertyCompany)
OPTIONAL MATCH (pc)-[:MANAGES]->(cp:Compound)-[:PART_OF]->(c:Community)
OPTIONAL MATCH (c)-[:PART_OF]->(s:Street)
RETURN pc.id AS id, pc.name AS name, min(cp.name) AS compound, min(c.id) AS community_id, min(c.name) AS community,
       min(s.id) AS street_id, min(s.name) AS street
