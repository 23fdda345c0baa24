// title: 统计：网格党支部 | Statistics: grid branches
// description: 负责网格的党支部（网格党支部、小区(网格)党支部），按所负责的网格定位。
// kind: table
// entity: Grid
MATCH (o:PartyOrg)-[:RESPONSIBLE_FOR]->(g:Grid)
WHERE o.kind = '党支部'
RETURN o.id AS id, g.id AS anchor
