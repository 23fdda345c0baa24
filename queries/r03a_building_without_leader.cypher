// title: 楼栋无楼长 | Building without a building leader
// description: 没有任何楼长的楼栋。
// kind: table
// entity: Building
// rule: R03A
// seed: 003 推选楼长1315人
MATCH (b:Building)
RETURN b.id AS id, NOT EXISTS { MATCH (:Person)-[:BUILDING_LEADER_OF]->(b) } AS violation
