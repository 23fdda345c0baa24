// title: 楼栋不在任何网格内 | Building that no grid covers
// description: 没有任何网格覆盖的楼栋：网格既没有覆盖这栋楼、它所在的小区，也没有覆盖它的任何单元；楼里的住户因此没有网格员。
// kind: table
// entity: Building
// rule: R17A
// seed: 003 实现居住网格全覆盖; 004 网格化服务管理
// Grids covering a building, its units or its compound, and its households, are counted when they are
// written (Building.grids, Building.households, see graph/derived.py).
MATCH (b:Building)
RETURN b.id AS id, coalesce(b.grids, 0) = 0 AS violation, coalesce(b.households, 0) AS households
