// title: 住户无党员包联 | Household no party member is linked to
// description: 没有任何党员包联的住户（党员联户、结对包户）。
// kind: table
// entity: Household
// rule: R08
// seed: 001 党员联户 结对包户; 002 平顺 每名党员包联1—2户普通住户
MATCH (h:Household)
RETURN h.id AS id, NOT EXISTS { MATCH (p:Person)-[:LINKED_TO]->(h) WHERE p.is_member = true } AS violation,
       h.head_name AS head_name, h.room AS room
