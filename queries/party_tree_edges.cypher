// title: 党组织隶属关系 | Party organisation tree
// description: 所有党组织及其上级党组织，是否负责街道（乡镇）、社区，是否为单位（企业、业委会）党组织，负责多少楼栋，书记（组长）和党员中心户数（供组织架构页和网络分析使用）。
// area: community_id=Community
// kind: graph
MATCH (o:PartyOrg)
OPTIONAL MATCH (o)-[:SUBORDINATE_TO]->(parent:PartyOrg)
OPTIONAL MATCH (lead:Person)-[r:OFFICER_OF]->(o)
WHERE r.role IN ['书记', '组长']
WITH o, parent, coalesce(collect(lead.name), []) AS leaders
OPTIONAL MATCH (o)-[:RESPONSIBLE_FOR]->(c:Community)
RETURN o.id AS id, o.name AS name, o.kind AS kind, o.tier_name AS tier_name, parent.id AS parent,
       EXISTS { MATCH (o)-[:RESPONSIBLE_FOR]->(:Street) } AS street_level,
       EXISTS { MATCH (o)-[:PARTY_ORG_OF]->() } AS unit_org,
       min(c.id) AS community_id,
       COUNT { MATCH (o)-[:RESPONSIBLE_FOR]->(:Building) } AS buildings,
       COUNT { MATCH (:Household)-[:CENTRE_HOUSEHOLD_OF]->(o) } AS centre_households,
       COUNT { MATCH (:Person)-[:MEMBER_OF]->(o) } AS members,
       leaders
