// title: 整改台账 | Rectification cases
// description: 每一个整改案件：规则、对象、位置、状态、期限，以及最近一次指定的责任主体。
// kind: table
MATCH (c:Rectification)
OPTIONAL MATCH (c)-[o:CASE_OWNER]->(w)
OPTIONAL MATCH (l:Load)
WHERE l.id = o.src_load
RETURN c.id AS id, c.rule AS rule, c.entity_label AS entity_label, c.entity_id AS entity_id,
       c.entity_name AS entity_name, c.problem AS problem, c.remedy AS remedy,
       c.street_id AS street_id, c.street AS street, c.community_id AS community_id, c.community AS community,
       c.grid AS grid, c.status AS status, c.reason AS reason, c.deadline AS deadline, c.notes AS notes,
       c.opened_load AS opened_load, c.opened_on AS opened_on, c.fixed_load AS fixed_load,
       c.gap_present AS gap_present, c.reopened AS reopened, c.checked_by AS checked_by,
       w.id AS owner_id, w.name AS owner_name,
//@neo4j
       labels(w)[0] AS owner_label,
//@kuzu
       label(w) AS owner_label,
//@both
       l.started_at AS owner_at, o.src_load AS owner_load
ORDER BY id
