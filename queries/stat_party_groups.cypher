// title: 统计：楼栋党小组 | Statistics: building party groups
// description: 负责楼栋的党小组，按所负责的楼栋定位。
// kind: table
// entity: Building
MATCH (o:PartyOrg)-[:RESPONSIBLE_FOR]->(b:Building)
WHERE o.kind = '党小组'
RETURN o.id AS id, b.id AS anchor
