// title: 小区无业委会或物管会 | Compound with neither owners' committee nor management committee
// description: 没有业主委员会、也没有物业管理委员会的小区。
// kind: table
// entity: Compound
// rule: R14A
// seed: 002 壶关 组建业委会16个、物管会99个，实现100%全覆盖
MATCH (c:Compound)
RETURN c.id AS id, NOT EXISTS { MATCH (:OwnersBody)-[:GOVERNS]->(c) } AS violation, c.kind AS compound_kind
