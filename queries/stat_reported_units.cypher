// title: 统计：报到单位 | Statistics: reporting units
// description: 向社区报到（双报到）且未注销的机关企事业单位，按报到的社区定位。
// kind: table
// entity: Community
MATCH (o:Organization)-[r:REPORTED_TO]->(c:Community)
WHERE coalesce(r.status, '已报到') <> '已注销'
RETURN o.id AS id, c.id AS anchor
