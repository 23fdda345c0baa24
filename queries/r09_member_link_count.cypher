// title: 党员包联户数不符 | Member linked to too few or too many households
// description: 包联户数少于下限或多于上限的党员（每名党员包联1—2户）。
// kind: table
// entity: Person
// rule: R09
// seed: 002 平顺 每名党员包联1—2户普通住户
// param: min_links = 1 | 每名党员最少包联户数
// param: max_links = 2 | 每名党员最多包联户数
// The households each person is linked to are counted when links are written (Person.links, see
// graph/derived.py).
MATCH (p:Person)
WHERE p.is_member = true
WITH p, coalesce(p.links, 0) AS links
RETURN p.id AS id, links < $min_links OR links > $max_links AS violation, p.member_kind AS member_kind, links
