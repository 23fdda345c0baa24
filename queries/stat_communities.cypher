// title: 统计：社区 | Statistics: communities
// description: 每个社区及其所属街道（统计表的区域）。
// kind: table
// entity: Community
MATCH (c:Community)
OPTIONAL MATCH (c)-[:PART_OF]->(s:Street)
RETURN c.id AS id, c.id AS anchor, c.name AS name, s.id AS street_id, s.name AS street
ORDER BY street_id, id
