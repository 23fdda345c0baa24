// title: 单元长不是党员 | Unit whose leader is not a party member
// description: 单元长中有非党员的单元（平顺：单元长由党员担任）。
// kind: table
// entity: Unit
// rule: R04B
// seed: 002 平顺 党员单元长
// Leaders and non-member leaders per unit are counted when they are written (Unit.leaders,
// Unit.nonmember_leaders, see graph/derived.py); only units in violation walk to their leaders' names
// (walking every unit's leaders was 3x DuckDB at 5x).
MATCH (u:Unit)
WHERE u.nonmember_leaders > 0
MATCH (u)<-[:UNIT_LEADER_OF]-(p:Person)
WITH u, collect(CASE WHEN p.is_member = true THEN NULL ELSE p.name END) AS non_members
RETURN u.id AS id, true AS violation, non_members
UNION ALL
MATCH (u:Unit)
WHERE u.leaders > 0 AND u.nonmember_leaders = 0
//@kuzu
RETURN u.id AS id, false AS violation, CAST([] AS STRING[]) AS non_members
//@neo4j
RETURN u.id AS id, false AS violation, [] AS non_members
