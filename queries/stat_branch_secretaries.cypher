// title: 统计：网格党支部书记 | Statistics: grid branch secretaries
// description: 担任网格党支部书记的人（按人计），按网格定位。
// kind: table
// entity: Grid
MATCH (p:Person)-[r:OFFICER_OF]->(o:PartyOrg)-[:RESPONSIBLE_FOR]->(g:Grid)
WHERE r.role = '书记' AND o.kind = '党支部'
RETURN p.id AS id, g.id AS anchor
