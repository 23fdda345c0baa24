// title: 楼栋的党组织链 | Each building's party chain
// description: 每栋楼所在社区，负责它的党小组，以及党小组的上级链（供链条完整度分析使用）。
// kind: graph
MATCH (b:Building)
OPTIONAL MATCH (b)-[:PART_OF*1..2]->(c:Community)
OPTIONAL MATCH (g:PartyOrg)-[:RESPONSIBLE_FOR]->(b)
WHERE g.kind = '党小组'
RETURN b.id AS building, c.id AS community, c.name AS community_name, coalesce(collect(DISTINCT g.id), []) AS groups
