// title: 统计：结对共建单位 | Statistics: paired units
// description: 与社区签订结对共建协议的单位，按社区定位。
// kind: table
// entity: Community
MATCH (o:Organization)-[:PAIRED_WITH]->(c:Community)
RETURN o.id AS id, c.id AS anchor
