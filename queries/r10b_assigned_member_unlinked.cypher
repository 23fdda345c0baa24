// title: 编入党员未联系到户 | Assigned member linked to no household
// description: 已报到并编入组织，但没有包联任何住户（未做到“明确到楼栋、联系到户”）。
// kind: table
// entity: Person
// rule: R10B
// seed: 002 平顺 明确到楼栋、联系到户
MATCH (p:Person)
WHERE EXISTS { MATCH (p)-[:REPORTED_TO]->(:Community) } AND EXISTS { MATCH (p)-[:ASSIGNED_TO]->(:PartyOrg) }
RETURN p.id AS id, NOT EXISTS { MATCH (p)-[:LINKED_TO]->(:Household) } AS violation
