// title: 特殊群体户无人包联 | Special-group household no member or unit leader looks after
// description: 有特殊群体（独居老人、残疾人、低保等）的住户，没有党员或单元长包联。
// kind: table
// entity: Household
// rule: R07
// seed: 002 平顺 单元长包联特殊群体住户
MATCH (h:Household)
WHERE size(h.special_groups) > 0
RETURN h.id AS id,
       NOT EXISTS {
         MATCH (p:Person)-[:LINKED_TO]->(h)
         WHERE p.is_member = true OR EXISTS { MATCH (p)-[:UNIT_LEADER_OF]->(:Unit) }
       } AS violation,
       h.special_groups AS special_groups, h.head_name AS head_name, h.room AS room
