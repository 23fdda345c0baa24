// title: 楼栋的党组织链 | Each building's party chain
// description: 每栋楼所在社区，负责它的党小组，以及党小组的上级链（供链条完整度分析使用）。
// area: building=Building
// kind: graph
MATCH (b:Building)
OPTIONAL MATCH (b)-[:PART_OF]->(:Compound)-[:PART_OF]->(c1:Community)
OPTIONAL MATCH (b)-[:PART_OF]->(c2:Community)
OPTIONAL MATCH (g:PartyOrg)-[:RESPONSIBLE_FOR]->(b)
WHERE g.kind = '党小组'
RETURN b.id AS building, coalesce(c1.id, c2.id) AS community, coalesce(c1.name, c2.name) AS community_name,
       coalesce(collect(DISTINCT g.id), []) AS groups
