// title: 统计：单元长 | Statistics: unit leaders
// description: 单元长（按人计），按所任单元定位。
// kind: table
// entity: Unit
MATCH (p:Person)-[:UNIT_LEADER_OF]->(u:Unit)
RETURN p.id AS id, u.id AS anchor
