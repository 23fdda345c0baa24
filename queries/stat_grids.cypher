// title: 统计：网格 | Statistics: grids
// description: 每个网格的层级和层级名称。
// kind: table
// entity: Grid
MATCH (g:Grid)
RETURN g.id AS id, g.id AS anchor, g.level AS level, g.level_name AS kind
