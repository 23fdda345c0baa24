// title: 住户无党员包联 | Household no party member is linked to
// description: 没有任何党员包联的住户（党员联户、结对包户）。
// kind: table
// entity: Household
// rule: R08
// seed: 001 党员联户 结对包户; 002 平顺 每名党员包联1—2户普通住户
// The members linked to each household are counted when links or people are written
// (Household.member_links, see graph/derived.py): the rule is one scan instead of an anti-join.
// Head and room are read for the gaps only: reading them for every household doubled the rule's time.
MATCH (h:Household)
WITH h, coalesce(h.member_links, 0) = 0 AS violation
RETURN h.id AS id, violation,
       CASE WHEN violation THEN h.head_name END AS head_name, CASE WHEN violation THEN h.room END AS room
