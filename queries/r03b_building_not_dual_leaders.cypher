// title: 楼栋非“双楼长” | Building whose leaders are not a 双楼长 pair
// description: 有楼长，但不是“1名在职人员＋1名非在职人员”的双楼长配置。
// kind: table
// entity: Building
// rule: R03B
// seed: 003 完善1名在职人员＋1名非在职人员的“双楼长”模式
MATCH (b:Building)
WHERE EXISTS { MATCH (:Person)-[:BUILDING_LEADER_OF]->(b) }
WITH b,
     COUNT { MATCH (:Person)-[r:BUILDING_LEADER_OF]->(b) WHERE r.in_service = true } AS in_service,
     COUNT { MATCH (:Person)-[r:BUILDING_LEADER_OF]->(b) WHERE r.in_service = false } AS not_in_service
RETURN b.id AS id, in_service = 0 OR not_in_service = 0 AS violation, in_service, not_in_service
