// title: 住户责任链断裂 | Household whose responsibility chain does not reach the street
// description: 负责该户所在单元、楼栋、小区、社区或网格的党组织，没有一个能沿上级关系追溯到街道（乡镇）党组织。
// kind: table
// entity: Household
// rule: R16
// seed: 003 街道党工委—社区党总支—网格党支部—楼栋（单元）党小组; 001/002/004 五级组织链条
// Written as lists of the places anchored organisations look after, checked with IN: Kùzu's
// variable-length joins from every household took minutes at county scale; this takes 0.5 s.
MATCH (a:PartyOrg)-[:SUBORDINATE_TO*0..6]->(:PartyOrg)-[:RESPONSIBLE_FOR]->(:Street)
WITH DISTINCT a
OPTIONAL MATCH (a)-[:RESPONSIBLE_FOR]->(c:Community)
OPTIONAL MATCH (a)-[:RESPONSIBLE_FOR]->(cp:Compound)
OPTIONAL MATCH (a)-[:RESPONSIBLE_FOR]->(b:Building)
OPTIONAL MATCH (a)-[:RESPONSIBLE_FOR]->(u:Unit)
OPTIONAL MATCH (a)-[:RESPONSIBLE_FOR]->(:Grid)-[:COVERS]->(gcp:Compound)
OPTIONAL MATCH (a)-[:RESPONSIBLE_FOR]->(:Grid)-[:COVERS]->(gb:Building)
OPTIONAL MATCH (a)-[:RESPONSIBLE_FOR]->(:Grid)-[:COVERS]->(gu:Unit)
WITH coalesce(collect(DISTINCT c.id), []) AS communities,
     coalesce(collect(DISTINCT cp.id), []) AS cp1, coalesce(collect(DISTINCT gcp.id), []) AS cp2,
     coalesce(collect(DISTINCT b.id), []) AS b1, coalesce(collect(DISTINCT gb.id), []) AS b2,
     coalesce(collect(DISTINCT u.id), []) AS u1, coalesce(collect(DISTINCT gu.id), []) AS u2
WITH communities, cp1 + cp2 AS compounds, b1 + b2 AS buildings, u1 + u2 AS units
MATCH (h:Household)
OPTIONAL MATCH (h)-[:PART_OF]->(u:Unit)-[:PART_OF]->(b:Building)
OPTIONAL MATCH (b)-[:PART_OF]->(cp:Compound)
OPTIONAL MATCH (cp)-[:PART_OF]->(c1:Community)
OPTIONAL MATCH (b)-[:PART_OF]->(c2:Community)
RETURN h.id AS id,
       NOT (coalesce(u.id IN units, false) OR coalesce(b.id IN buildings, false) OR coalesce(cp.id IN compounds, false)
            OR coalesce(c1.id IN communities, false) OR coalesce(c2.id IN communities, false)) AS violation
