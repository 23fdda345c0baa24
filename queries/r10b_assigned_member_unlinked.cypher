// title: 编入党员未联系到户 | Assigned member linked to no household
// description: 已报到并编入组织，但没有包联任何住户（未做到“明确到楼栋、联系到户”）。
// kind: table
// entity: Person
// rule: R10B
// seed: 002 平顺 明确到楼栋、联系到户
// Reported, assigned and linked households per person are kept when written (Person.reported,
// Person.assigned, Person.links, see graph/derived.py).
MATCH (p:Person)
WHERE p.reported = true AND p.assigned = true
RETURN p.id AS id, coalesce(p.links, 0) = 0 AS violation
