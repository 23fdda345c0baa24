// title: 统计：物业企业党建工作指导员 | Statistics: instructors of property companies
// description: 派驻物业服务企业的党建工作指导员（按人计），按企业服务的小区定位。
// kind: table
// entity: Compound
MATCH (p:Person)-[:INSTRUCTOR_OF]->(pc:PropertyCompany)
OPTIONAL MATCH (pc)-[:MANAGES]->(c:Compound)
RETURN p.id AS id, c.id AS anchor
