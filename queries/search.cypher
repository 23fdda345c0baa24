// title: 搜索人员、住户、楼栋 | Search people, households and buildings
// description: 按姓名、编号或地址查找（姓名和地址包含即可）；可查看完整个人信息的用户还可按手机号、身份证号查找。
// area: id=@label
// kind: table
// param: q = '' | 关键词
// param: limit = 20 | 每类最多条数
MATCH (p:Person)
WHERE p.name CONTAINS $q OR p.id = $q OR ($unmasked AND (p.phone = $q OR p.id_card = $q))
RETURN 'Person' AS label, p.id AS id, p.name AS name, p.member_kind AS detail
ORDER BY name LIMIT $limit
UNION ALL
MATCH (h:Household)
WHERE h.address CONTAINS $q OR h.id = $q OR h.head_name CONTAINS $q
RETURN 'Household' AS label, h.id AS id, h.address AS name, h.head_name AS detail
ORDER BY name LIMIT $limit
UNION ALL
MATCH (b:Building)
WHERE b.name CONTAINS $q OR b.id = $q OR b.address CONTAINS $q
OPTIONAL MATCH (b)-[:PART_OF]->(c:Compound)
RETURN 'Building' AS label, b.id AS id, coalesce(c.name, '') + b.name AS name, b.address AS detail
ORDER BY name LIMIT $limit
