// title: 楼栋非“双楼长” | Building whose leaders are not a 双楼长 pair
// description: 有楼长，但不是“1名在职人员＋1名非在职人员”的双楼长配置。
// kind: table
// entity: Building
// rule: R03B
// seed: 003 完善1名在职人员＋1名非在职人员的“双楼长”模式
// Leaders per building are counted when they are written (Building.leaders_in_service and
// leaders_not_in_service, see graph/derived.py).
MATCH (b:Building)
WHERE b.leaders_in_service + b.leaders_not_in_service > 0
RETURN b.id AS id, b.leaders_in_service = 0 OR b.leaders_not_in_service = 0 AS violation,
       b.leaders_in_service AS in_service, b.leaders_not_in_service AS not_in_service
