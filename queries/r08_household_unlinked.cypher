// title: 住户无党员包联 | Household no party member is linked to
// description: 没有任何党员包联的住户（党员联户、结对包户）。
// kind: table
// entity: Household
// rule: R08
// seed: 001 党员联户 结对包户; 002 平顺 每名党员包联1—2户普通住户
// The members linked to each household are counted when links or people are written
// (Household.member_links, see graph/derived.py): the rule is one scan instead of an anti-join.
// A gap's head and room are added to the violating households only (queries/coverage.py): read for
// every household they doubled the rule's time.
MATCH (h:Household)
RETURN h.id AS id, coalesce(h.member_links, 0) = 0 AS violation
