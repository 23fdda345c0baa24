// title: 住户责任链 | A household's chain of responsibility
// description: 从单元长、楼长、楼栋党小组、网格党支部及书记、网格员，到社区党组织和街道党组织，以及包联党员：姓名与电话。
// area: household=Household
// kind: table
// param: household = '' | 住户编号
MATCH (h:Household {id: $household})-[:PART_OF]->(u:Unit)<-[:UNIT_LEADER_OF]-(p:Person)
RETURN 1 AS step, '单元长' AS role, 'Person' AS label, p.id AS id, p.name AS name, p.phone AS phone, u.name AS via
UNION ALL
MATCH (h:Household {id: $household})-[:PART_OF]->(:Unit)-[:PART_OF]->(b:Building)<-[r:BUILDING_LEADER_OF]-(p:Person)
RETURN 2 AS step, CASE WHEN r.in_service THEN '楼长（在职）' ELSE '楼长' END AS role, 'Person' AS label, p.id AS id,
       p.name AS name, p.phone AS phone, b.name AS via
UNION ALL
MATCH (h:Household {id: $household})-[:PART_OF]->(:Unit)-[:PART_OF]->(b:Building)<-[:RESPONSIBLE_FOR]-(o:PartyOrg)
RETURN 3 AS step, coalesce(o.tier_name, o.kind) AS role, 'PartyOrg' AS label, o.id AS id, o.name AS name,
       toString(NULL) AS phone, b.name AS via
UNION ALL
MATCH (h:Household {id: $household})-[:PART_OF*1..3]->()<-[:COVERS]-(g:Grid)<-[:RESPONSIBLE_FOR]-(o:PartyOrg)
RETURN DISTINCT 4 AS step, coalesce(o.tier_name, o.kind) AS role, 'PartyOrg' AS label, o.id AS id, o.name AS name,
       toString(NULL) AS phone, g.name AS via
UNION ALL
MATCH (h:Household {id: $household})-[:PART_OF*1..3]->()<-[:COVERS]-(g:Grid)<-[:RESPONSIBLE_FOR]-(:PartyOrg)<-[r:OFFICER_OF]-(p:Person)
RETURN DISTINCT 5 AS step, '网格党组织' + r.role AS role, 'Person' AS label, p.id AS id, p.name AS name,
       p.phone AS phone, g.name AS via
UNION ALL
MATCH (h:Household {id: $household})-[:PART_OF*1..3]->()<-[:COVERS]-(g:Grid)<-[r:GRID_WORKER_OF]-(p:Person)
RETURN DISTINCT 6 AS step, CASE WHEN r.full_time THEN '专职网格员' ELSE '兼职网格员' END AS role, 'Person' AS label,
       p.id AS id, p.name AS name, p.phone AS phone, g.name AS via
UNION ALL
MATCH (h:Household {id: $household})-[:PART_OF*3..4]->(c:Community)<-[:RESPONSIBLE_FOR]-(o:PartyOrg)
RETURN 7 AS step, coalesce(o.tier_name, o.kind) AS role, 'PartyOrg' AS label, o.id AS id, o.name AS name,
       toString(NULL) AS phone, c.name AS via
UNION ALL
MATCH (h:Household {id: $household})-[:PART_OF*4..5]->(s:Street)<-[:RESPONSIBLE_FOR]-(o:PartyOrg)
RETURN 8 AS step, coalesce(o.tier_name, o.kind) AS role, 'PartyOrg' AS label, o.id AS id, o.name AS name,
       toString(NULL) AS phone, s.name AS via
UNION ALL
MATCH (h:Household {id: $household})<-[r:LINKED_TO]-(p:Person)
RETURN 9 AS step, '包联' + coalesce(CASE WHEN p.is_member THEN '党员' ELSE '人员' END, '') AS role, 'Person' AS label,
       p.id AS id, p.name AS name, p.phone AS phone, r.kind AS via
