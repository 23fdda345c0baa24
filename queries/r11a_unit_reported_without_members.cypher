// title: 报到单位无党员报到 | Co-building unit reported but none of its members did
// description: 单位已到社区报到（单位报到），但其在职党员无人到居住地社区报到（个人报到）。
// kind: table
// entity: Organization
// rule: R11A
// seed: 001 双报到; 003 80个机关企事业单位2921名在职党员到社区报到; 004 78个共建单位、3500名在职党员
// Whether an organisation or a person reported to a community is kept when reports are written
// (Organization.reported, Person.reported, see graph/derived.py).
MATCH (o:Organization)
WHERE o.reported = true
RETURN o.id AS id,
       NOT EXISTS { MATCH (p:Person)-[:WORKS_AT]->(o) WHERE p.reported = true } AS violation,
       COUNT { MATCH (:Person)-[:WORKS_AT]->(o) } AS staff
