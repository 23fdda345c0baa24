// title: 统计：志愿服务队 | Statistics: volunteer teams
// description: 社区志愿服务队，按社区定位。
// kind: table
// entity: Community
MATCH (t:VolunteerTeam)
OPTIONAL MATCH (t)-[:PART_OF]->(c:Community)
RETURN t.id AS id, c.id AS anchor
