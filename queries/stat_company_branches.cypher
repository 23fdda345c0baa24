// title: 统计：物业企业党组织 | Statistics: property companies' party organisations
// description: 物业服务企业的党组织及其组建方式（单独组建、联合组建），按企业服务的小区定位。
// kind: table
// entity: Compound
MATCH (o:PartyOrg)-[r:PARTY_ORG_OF]->(pc:PropertyCompany)
OPTIONAL MATCH (pc)-[:MANAGES]->(c:Compound)
RETURN o.id AS id, pc.id AS company, c.id AS anchor, r.mode AS kind
