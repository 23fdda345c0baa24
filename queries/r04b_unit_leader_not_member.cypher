// title: 单元长不是党员 | Unit whose leader is not a party member
// description: 单元长中有非党员的单元（平顺：单元长由党员担任）。
// kind: table
// entity: Unit
// rule: R04B
// seed: 002 平顺 党员单元长
MATCH (p:Person)-[:UNIT_LEADER_OF]->(u:Unit)
WITH u, collect(CASE WHEN p.is_member = true THEN NULL ELSE p.name END) AS non_members
RETURN u.id AS id, size(non_members) > 0 AS violation, non_members
