// title: 统计：小区 | Statistics: compounds
// description: 每个小区的类型，以及是否有业委会或物管会、是否有物业服务。
// kind: table
// entity: Compound
MATCH (c:Compound)
RETURN c.id AS id, c.id AS anchor, c.kind AS kind,
       EXISTS { MATCH (:OwnersBody)-[:GOVERNS]->(c) } AS has_owners_body,
       EXISTS { MATCH (:PropertyCompany)-[:MANAGES]->(c) } AS managed
