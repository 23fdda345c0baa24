// title: 特殊群体户无人包联 | Special-group household no member or unit leader looks after
// description: 有特殊群体（独居老人、残疾人、低保等）的住户，没有党员或单元长包联。
// kind: table
// entity: Household
// rule: R07
// seed: 002 平顺 单元长包联特殊群体住户
// The members and unit leaders linked to each household are counted when links, people or leaders
// are written (Household.carer_links, see graph/derived.py).
// Head and room are read for the gaps only: reading them for every household doubled the rule's time.
MATCH (h:Household)
WHERE size(h.special_groups) > 0
WITH h, coalesce(h.carer_links, 0) = 0 AS violation
RETURN h.id AS id, violation, h.special_groups AS special_groups,
       CASE WHEN violation THEN h.head_name END AS head_name, CASE WHEN violation THEN h.room END AS room
