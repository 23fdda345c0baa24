// title: 搜索人员、住户、楼栋 | Search people, households and buildings
// description: 按姓名、编号、地址或户主查找（包含即可）；可查看完整个人信息的用户还可按手机号、身份证号查找人员，按联系电话查找住户。每类最多返回 limit 条；区域内的用户只查找本区域（先按区域筛选，再取前 limit 条）。
// area: id=@label
// kind: table
// param: q = '' | 关键词
// param: limit = 20 | 每类最多条数
MATCH (p:Person)
WHERE (p.name CONTAINS $q OR p.id = $q OR ($unmasked AND (p.phone = $q OR p.id_card = $q)))
WITH p WHERE NOT $scoped OR p.id IN $area_Person
WITH p ORDER BY p.name, p.id LIMIT $limit
OPTIONAL MATCH (p)-[:BUILDING_LEADER_OF]->(bl:Building)
OPTIONAL MATCH (p)-[:UNIT_LEADER_OF]->(ul:Unit)
OPTIONAL MATCH (p)-[:GRID_WORKER_OF]->(gw:Grid)
OPTIONAL MATCH (p)-[:OFFICER_OF]->(po:PartyOrg)
RETURN 'Person' AS label, p.id AS id, p.name AS name,
       CASE WHEN p.is_member THEN coalesce(p.member_kind, '党员') ELSE '群众' END AS detail,
       count(DISTINCT bl) AS building_leader, count(DISTINCT ul) AS unit_leader, count(DISTINCT gw) AS grid_worker,
       count(DISTINCT po) AS officer
UNION ALL
MATCH (h:Household)
WHERE (h.address CONTAINS $q OR h.id = $q OR h.head_name CONTAINS $q OR ($unmasked AND h.phone = $q))
WITH h WHERE NOT $scoped OR h.id IN $area_Household
WITH h ORDER BY h.address, h.id LIMIT $limit
RETURN 'Household' AS label, h.id AS id, h.address AS name, h.head_name AS detail,
       0 AS building_leader, 0 AS unit_leader, 0 AS grid_worker, 0 AS officer
UNION ALL
MATCH (b:Building)
WHERE (b.name CONTAINS $q OR b.id = $q OR b.address CONTAINS $q)
WITH b WHERE NOT $scoped OR b.id IN $area_Building
WITH b ORDER BY b.name, b.id LIMIT $limit
OPTIONAL MATCH (b)-[:PART_OF]->(c:Compound)
RETURN 'Building' AS label, b.id AS id, coalesce(c.name, '') + b.name AS name, b.address AS detail,
       0 AS building_leader, 0 AS unit_leader, 0 AS grid_worker, 0 AS officer
