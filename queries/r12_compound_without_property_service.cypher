// title: 小区无物业服务 | Compound with no property service
// description: 既没有物业服务企业服务、也不是由业委会/物管会自管的小区（无物业小区清零）。
// kind: table
// entity: Compound
// rule: R12
// seed: 002 壶关 推进单位无物业小区清零
MATCH (c:Compound)
RETURN c.id AS id,
       NOT EXISTS { MATCH (:PropertyCompany)-[:MANAGES]->(c) }
       AND NOT EXISTS { MATCH (:OwnersBody)-[r:GOVERNS]->(c) WHERE r.self_managed = true } AS violation,
       c.kind AS compound_kind
