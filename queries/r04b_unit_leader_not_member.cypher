// title: 单元长不是党员 | Unit whose leader is not a party member
// description: 单元长中有非党员的单元（平顺：单元长由党员担任）。
// kind: table
// entity: Unit
// rule: R04B
// seed: 002 平顺 党员单元长
// Leaders and non-member leaders per unit are counted when they are written (Unit.leaders,
// Unit.nonmember_leaders, see graph/derived.py); only units in violation look up their leaders' names.
MATCH (u:Unit)
WHERE u.leaders > 0
OPTIONAL MATCH (p:Person)-[:UNIT_LEADER_OF]->(u)
WHERE u.nonmember_leaders > 0 AND coalesce(p.is_member, false) = false
WITH u, coalesce(collect(p.name), []) AS non_members
RETURN u.id AS id, u.nonmember_leaders > 0 AS violation, non_members
