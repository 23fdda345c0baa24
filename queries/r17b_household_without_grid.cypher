// title: 住户不在任何网格内 | Household that no grid covers
// description: 所在单元、楼栋和小区都没有网格覆盖的住户（没有网格员上门服务）。
// kind: table
// entity: Household
// rule: R17B
// seed: 003 实现居住网格全覆盖; 004 网格化服务管理
// Grids covering a household's unit, building or compound are counted when they are written
// (Household.grids, -1 for a household in no unit of a building, see graph/derived.py).
// A gap's head and room are added to the violating households only (queries/coverage.py): read for
// every household they doubled the rule's time.
MATCH (h:Household)
WHERE h.grids >= 0
RETURN h.id AS id, h.grids = 0 AS violation
