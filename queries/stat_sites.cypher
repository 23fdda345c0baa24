// title: 统计：党群服务阵地 | Statistics: service sites
// description: 党群服务中心、站点、驿站，按类型和所在社区（设在小区的按小区所属社区）。
// kind: table
// entity: Community
MATCH (s:ServiceSite)
OPTIONAL MATCH (s)-[:PART_OF]->(:Compound)-[:PART_OF]->(c1:Community)
OPTIONAL MATCH (s)-[:PART_OF]->(c2:Community)
RETURN s.id AS id, coalesce(c1.id, c2.id) AS anchor, s.kind AS kind, s.name AS name, s.lat AS lat, s.lon AS lon
