// title: 规划：楼栋户数 | Planning: households per building
// description: 每栋有坐标的楼栋的户数，服务阵地选址按户数计算覆盖。
// kind: table
MATCH (b:Building)
WHERE b.lat IS NOT NULL AND b.lon IS NOT NULL
RETURN b.id AS id, b.name AS name, b.lat AS lat, b.lon AS lon,
       COUNT { MATCH (b)<-[:PART_OF]-(:Unit)<-[:PART_OF]-(:Household) } AS households
ORDER BY id
