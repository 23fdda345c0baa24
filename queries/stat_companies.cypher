// title: 统计：物业服务企业 | Statistics: property companies
// description: 每家物业服务企业是否有单独党支部、是否在联合党支部、是否有党建工作指导员，按其服务的小区定位。
// kind: table
// entity: Compound
MATCH (pc:PropertyCompany)
OPTIONAL MATCH (pc)-[:MANAGES]->(c:Compound)
RETURN pc.id AS id, c.id AS anchor,
       EXISTS { MATCH (:PartyOrg)-[r:PARTY_ORG_OF]->(pc) WHERE r.mode = '单独组建' } AS own_branch,
       EXISTS { MATCH (:PartyOrg)-[r:PARTY_ORG_OF]->(pc) WHERE r.mode = '联合组建' } AS joint_branch,
       EXISTS { MATCH (:Person)-[:INSTRUCTOR_OF]->(pc) } AS instructor
