// title: 统计：楼长 | Statistics: building leaders
// description: 楼长（按人计），是否在职、是否红色楼长，按所任楼栋定位。
// kind: table
// entity: Building
MATCH (p:Person)-[r:BUILDING_LEADER_OF]->(b:Building)
RETURN p.id AS id, b.id AS anchor, coalesce(r.in_service, false) AS in_service, coalesce(r.red, false) AS red
