// title: 网格无专职网格员 | Grid with households and no full-time grid worker
// description: 有住户的基础网格却没有专职网格员（“1名专职＋N名兼职”）。
// kind: table
// entity: Grid
// rule: R05B
// seed: 003 实现居住网格全覆盖; 004 1名专职网格员+N个兼职网格员
// Households and workers per grid are counted when they are written (Grid.households,
// Grid.full_time_workers, Grid.workers, see graph/derived.py).
MATCH (g:Grid)
WHERE g.households > 0
RETURN g.id AS id, g.full_time_workers = 0 AS violation, g.households AS households, g.workers AS workers
