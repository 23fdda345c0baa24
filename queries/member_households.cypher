// title: 党员包联的住户 | Households a member is linked to
// description: 一名党员（或单元长）包联的住户：特殊群体、地址，以及是否与本人同单元、同楼栋、同小区。
// area: member=Person, household=Household
// kind: table
// param: member = '' | 人员编号
MATCH (p:Person {id: $member})-[r:LINKED_TO]->(h:Household)
OPTIONAL MATCH (h)-[:PART_OF]->(u:Unit)-[:PART_OF]->(b:Building)
OPTIONAL MATCH (b)-[:PART_OF]->(cp:Compound)
OPTIONAL MATCH (p)-[:LIVES_IN]->(:Household)-[:PART_OF]->(pu:Unit)-[:PART_OF]->(pb:Building)
OPTIONAL MATCH (pb)-[:PART_OF]->(pcp:Compound)
RETURN h.id AS household, h.address AS address, h.head_name AS head_name, h.phone AS phone,
       h.special_groups AS special_groups, r.kind AS link_kind, r.since AS since,
       coalesce(u.id = pu.id, false) AS same_unit, coalesce(b.id = pb.id, false) AS same_building,
       coalesce(cp.id = pcp.id, false) AS same_compound
ORDER BY address
