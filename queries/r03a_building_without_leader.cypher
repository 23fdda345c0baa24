// title: 楼栋无楼长 | Building without a building leader
// description: 没有任何楼长的楼栋。
// kind: table
// entity: Building
// rule: R03A
// seed: 003 推选楼长1315人
// Leaders per building are counted when they are written (Building.leaders_in_service and
// leaders_not_in_service, see graph/derived.py): the rule reads them instead of walking the relationships.
MATCH (b:Building)
RETURN b.id AS id, coalesce(b.leaders_in_service, 0) + coalesce(b.leaders_not_in_service, 0) = 0 AS violation
