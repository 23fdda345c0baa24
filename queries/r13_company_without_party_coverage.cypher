// title: 物业企业党建未覆盖 | Property company without party coverage
// description: 既无单独或联合党支部、也没有党建工作指导员的物业服务企业（两个覆盖）。
// kind: table
// entity: PropertyCompany
// rule: R13
// seed: 002 壶关 单独党支部7个、联合党支部4个，下派党建工作指导员4名; 004 物业企业党支部8个，党建指导员16名
MATCH (c:PropertyCompany)
RETURN c.id AS id,
       NOT EXISTS { MATCH (:PartyOrg)-[:PARTY_ORG_OF]->(c) } AND NOT EXISTS { MATCH (:Person)-[:INSTRUCTOR_OF]->(c) }
       AS violation,
       COUNT { MATCH (c)-[:MANAGES]->(:Compound) } AS compounds
