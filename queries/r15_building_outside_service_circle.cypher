// title: 楼栋不在15分钟服务圈内 | Building outside every service site's 15-minute circle
// description: 在给定半径内没有任何党群服务阵地的楼栋（按WGS-84坐标计算球面距离）。
// kind: map
// entity: Building
// rule: R15
// seed: 001/003 15分钟党群服务圈; GB 50180-2018 十五分钟生活圈 800–1000 米
// param: radius_m = 1000 | 服务半径（米）
MATCH (b:Building)
WHERE b.lat IS NOT NULL AND b.lon IS NOT NULL
OPTIONAL MATCH (s:ServiceSite)
WITH b, min(2 * 6371000 * asin(sqrt(sin(radians(s.lat - b.lat) / 2) ^ 2
       + cos(radians(b.lat)) * cos(radians(s.lat)) * sin(radians(s.lon - b.lon) / 2) ^ 2))) AS nearest_m
RETURN b.id AS id, nearest_m IS NULL OR nearest_m > $radius_m AS violation, b.lat AS lat, b.lon AS lon, nearest_m
