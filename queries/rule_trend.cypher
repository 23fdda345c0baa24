// title: 覆盖率变化 | Coverage over time
// description: 每次导入后记录的规则结果：某一层级（county 全县、street 街道、community 社区、grid 网格）各区域的总数、缺口和覆盖率，按数据截至日期排列。规则留空为全部规则。
// kind: table
// param: rule = '' | 规则（如 R08；留空为全部）
// param: level = community | 层级：county / street / community / grid
MATCH (r:RuleResult)
WHERE ($rule = '' OR r.rule = $rule) AND r.level = $level
MATCH (l:Load)
WHERE l.id = r.load_id
RETURN r.load_id AS load_id, r.as_of AS as_of, l.started_at AS started, r.rule AS rule, r.area_id AS area_id,
       r.area AS area, r.total AS total, r.violating AS violating, r.coverage AS coverage
ORDER BY as_of, started, rule, area
