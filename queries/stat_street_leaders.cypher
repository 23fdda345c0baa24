// title: 统计：联系网格的街道领导 | Statistics: street leaders contacting grids
// description: 直接联系网格的街道（乡镇）领导班子成员（按人计），按所联系的网格定位。
// kind: table
// entity: Grid
MATCH (p:Person)-[:CONTACTS_GRID]->(g:Grid)
RETURN p.id AS id, g.id AS anchor
