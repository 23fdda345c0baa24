// title: 党组织隶属关系 | Party organisation tree
// description: 所有党组织及其上级党组织，是否负责街道（乡镇）、社区，负责多少楼栋（供网络分析使用）。
// kind: graph
MATCH (o:PartyOrg)
OPTIONAL MATCH (o)-[:SUBORDINATE_TO]->(parent:PartyOrg)
RETURN o.id AS id, o.name AS name, o.kind AS kind, o.tier_name AS tier_name, parent.id AS parent,
       EXISTS { MATCH (o)-[:RESPONSIBLE_FOR]->(:Street) } AS street_level,
       EXISTS { MATCH (o)-[:RESPONSIBLE_FOR]->(:Community) } AS community_level,
       COUNT { MATCH (o)-[:RESPONSIBLE_FOR]->(:Building) } AS buildings
