// title: 特殊群体户无人包联 | Special-group household no member or unit leader looks after
// description: 有特殊群体（独居老人、残疾人、低保等）的住户，没有党员或单元长包联。
// kind: table
// entity: Household
// rule: R07
// seed: 002 平顺 单元长包联特殊群体住户
// The members and unit leaders linked to each household are counted when links, people or leaders
// are written (Household.carer_links, see graph/derived.py).
// A gap's head and room are added to the violating households only (queries/coverage.py): read for
// every household they doubled the rule's time.
MATCH (h:Household)
WHERE size(h.special_groups) > 0
RETURN h.id AS id, coalesce(h.carer_links, 0) = 0 AS violation, h.special_groups AS special_groups
