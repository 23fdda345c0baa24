// title: 网格员负担过重 | Grid with too many households per full-time grid worker
// description: 基础网格（有覆盖范围的网格）中，户数 ÷ 专职网格员数 超过上限。
// kind: table
// entity: Grid
// rule: R05A
// seed: 003 按照每300户配备1名社区专职工作者
// param: max_households = 300 | 每名专职网格员最多户数
// Households per grid (a unit's households, once per grid that covers the unit, its building or its
// compound) and full-time workers per grid are counted when they are written (Grid.households,
// Grid.full_time_workers, Grid.covering, see graph/derived.py): counted per view they grew with the
// county (1.4 s at 10x).
MATCH (g:Grid)
WHERE g.covering = true AND g.full_time_workers > 0
RETURN g.id AS id, g.households > $max_households * g.full_time_workers AS violation, g.households AS households,
       g.full_time_workers AS workers, g.households / g.full_time_workers AS per_worker
