// title: 单元无单元长 | Unit without a unit leader
// description: 没有单元长的单元。
// kind: table
// entity: Unit
// rule: R04A
// seed: 002 平顺 每个单元推荐选拔一名党员担任单元长; 003 单元长1569人
MATCH (u:Unit)
RETURN u.id AS id, NOT EXISTS { MATCH (:Person)-[:UNIT_LEADER_OF]->(u) } AS violation
