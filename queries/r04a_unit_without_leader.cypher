// title: 单元无单元长 | Unit without a unit leader
// description: 没有单元长的单元。
// kind: table
// entity: Unit
// rule: R04A
// seed: 002 平顺 每个单元推荐选拔一名党员担任单元长; 003 单元长1569人
// Leaders per unit are counted when they are written (Unit.leaders, see graph/derived.py).
MATCH (u:Unit)
RETURN u.id AS id, coalesce(u.leaders, 0) = 0 AS violation
