// title: 楼栋不在15分钟服务圈内 | Building outside every service site's 15-minute circle
// description: 在给定半径内没有任何党群服务阵地的楼栋（按WGS-84坐标计算球面距离）。
// kind: map
// entity: Building
// rule: R15
// seed: 001/003 15分钟党群服务圈; GB 50180-2018 十五分钟生活圈 800–1000 米
// param: radius_m = 1000 | 服务半径（米）
// The distance from each building to its nearest service site is measured when buildings or sites are
// written, with a spatial index (Building.nearest_site_m, see graph/derived.py): comparing every building
// with every site per view grew with the square of the county (620 ms at 10x).
MATCH (b:Building)
WHERE b.lat IS NOT NULL AND b.lon IS NOT NULL
RETURN b.id AS id, b.nearest_site_m IS NULL OR b.nearest_site_m > $radius_m AS violation, b.lat AS lat, b.lon AS lon,
       b.nearest_site_m AS nearest_m
