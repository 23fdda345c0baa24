// title: 统计：报到党员 | Statistics: reported members
// description: 到社区报到且未注销的在职党员（按人计），按报到的社区定位，不按其单位或所在支部重复计数。
// kind: table
// entity: Community
MATCH (p:Person)-[r:REPORTED_TO]->(c:Community)
WHERE coalesce(r.status, '已报到') <> '已注销'
RETURN p.id AS id, c.id AS anchor
