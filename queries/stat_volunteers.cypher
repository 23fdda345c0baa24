// title: 统计：志愿者 | Statistics: volunteers
// description: 志愿服务队的志愿者（按人计），按服务队所在社区定位。
// kind: table
// entity: Community
MATCH (p:Person)-[:VOLUNTEERS_IN]->(t:VolunteerTeam)
OPTIONAL MATCH (t)-[:PART_OF]->(c:Community)
RETURN p.id AS id, c.id AS anchor
