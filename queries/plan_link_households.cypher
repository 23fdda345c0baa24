// title: 包联规划：住户 | Link planner: households
// description: 每户：所在单元、特殊群体，是否已有党员包联（R08），是否已有党员或单元长包联（R07）。
// kind: table
MATCH (h:Household)
OPTIONAL MATCH (h)-[:PART_OF]->(u:Unit)
RETURN h.id AS id, u.id AS unit_id, h.special_groups AS special_groups,
       EXISTS { MATCH (p:Person)-[:LINKED_TO]->(h) WHERE p.is_member = true } AS member_linked,
       EXISTS { MATCH (p:Person)-[:LINKED_TO]->(h)
                WHERE p.is_member = true OR EXISTS { MATCH (p)-[:UNIT_LEADER_OF]->(:Unit) } } AS cared_for
