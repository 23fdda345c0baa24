// title: 报到党员未编入组织 | Reported member not assigned to a grid branch or party group
// description: 已到居住地社区报到（个人报到），但未编入网格党支部或楼栋党小组的人员。
// kind: table
// entity: Person
// rule: R10A
// seed: 002 平顺 1720名报到党员全部编入小区党组织
// Whether a person reported to a community and is assigned to an organisation is kept when those
// relationships are written (Person.reported, Person.assigned, see graph/derived.py).
MATCH (p:Person)
WHERE p.reported = true
RETURN p.id AS id, NOT coalesce(p.assigned, false) AS violation
