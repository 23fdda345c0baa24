// title: 楼栋无党小组 | Building without a building party group
// description: 没有“党小组”负责的楼栋（一个党小组可负责多栋楼）。
// kind: table
// entity: Building
// rule: R02
// seed: 002 平顺 每三个楼宇设立一个党小组; 003 楼栋（单元）党小组; 004 楼栋党小组
MATCH (b:Building)
RETURN b.id AS id, NOT EXISTS { MATCH (o:PartyOrg)-[:RESPONSIBLE_FOR]->(b) WHERE o.kind = '党小组' } AS violation
