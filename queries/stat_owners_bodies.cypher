// title: 统计：业委会和物管会 | Statistics: owners' bodies
// description: 业主委员会、物业管理委员会，按所治理的小区定位。
// kind: table
// entity: Compound
MATCH (b:OwnersBody)
OPTIONAL MATCH (b)-[:GOVERNS]->(c:Compound)
RETURN b.id AS id, c.id AS anchor, b.kind AS kind
