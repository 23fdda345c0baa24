// title: 包联规划：党员 | Link planner: members
// description: 每名党员：现有包联户数、居住单元、担任单元长的单元、是否已报到并编入（R10B）、编入党组织负责的楼栋和报到社区（没有居住户时用来定位）。
// kind: table
MATCH (p:Person)
WHERE p.is_member = true
OPTIONAL MATCH (p)-[:LIVES_IN]->(:Household)-[:PART_OF]->(u:Unit)
OPTIONAL MATCH (p)-[:UNIT_LEADER_OF]->(lu:Unit)
OPTIONAL MATCH (p)-[:ASSIGNED_TO]->(:PartyOrg)-[:RESPONSIBLE_FOR]->(ab:Building)
OPTIONAL MATCH (p)-[:REPORTED_TO]->(rc:Community)
RETURN p.id AS id, min(u.id) AS unit_id, coalesce(collect(DISTINCT lu.id), []) AS leader_units,
       min(ab.id) AS assigned_building_id, min(rc.id) AS reported_community_id,
       COUNT { MATCH (p)-[:LINKED_TO]->(:Household) } AS links,
       EXISTS { MATCH (p)-[:REPORTED_TO]->(:Community) } AND EXISTS { MATCH (p)-[:ASSIGNED_TO]->(:PartyOrg) } AS assigned
