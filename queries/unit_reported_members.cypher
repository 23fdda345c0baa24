// title: 共建单位的报到党员 | A co-building unit's reported members
// description: 一个单位的在职党员到哪个社区报到、编入了哪个党组织、包联了哪些住户。
// area: organization=Organization, member=Person
// kind: table
// param: organization = '' | 单位编号
MATCH (o:Organization {id: $organization})<-[:WORKS_AT]-(p:Person)-[rep:REPORTED_TO]->(c:Community)
OPTIONAL MATCH (p)-[:ASSIGNED_TO]->(g:PartyOrg)
OPTIONAL MATCH (p)-[:LINKED_TO]->(h:Household)
RETURN p.id AS member, p.name AS name, p.phone AS phone, c.name AS community, rep.date AS reported,
       collect(DISTINCT g.name) AS assigned_to, collect(DISTINCT h.address) AS linked_households
ORDER BY community, name
