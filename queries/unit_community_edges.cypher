// title: 共建单位与社区的联系 | Co-building units and the communities they serve
// description: 单位报到、结对共建、大党委成员单位，以及其在职党员的个人报到，连成“单位—社区”网络。
// area: community=Community
// kind: graph
MATCH (o:Organization)-[:REPORTED_TO]->(c:Community)
RETURN o.id AS unit, o.name AS unit_name, c.id AS community, c.name AS community_name, '单位报到' AS tie
UNION ALL
MATCH (o:Organization)-[:PAIRED_WITH]->(c:Community)
RETURN o.id AS unit, o.name AS unit_name, c.id AS community, c.name AS community_name, '结对共建' AS tie
UNION ALL
MATCH (o:Organization)-[:SEAT_ON]->(:PartyOrg)-[:RESPONSIBLE_FOR]->(c:Community)
RETURN o.id AS unit, o.name AS unit_name, c.id AS community, c.name AS community_name, '大党委成员单位' AS tie
UNION ALL
MATCH (o:Organization)<-[:WORKS_AT]-(:Person)-[:REPORTED_TO]->(c:Community)
RETURN DISTINCT o.id AS unit, o.name AS unit_name, c.id AS community, c.name AS community_name, '党员报到' AS tie
