// title: 住户责任链断裂 | Household whose responsibility chain does not reach the street
// description: 负责该户所在单元、楼栋、小区、社区或网格的党组织，没有一个能沿上级关系追溯到街道（乡镇）党组织。
// kind: table
// entity: Household
// rule: R16
// seed: 003 街道党工委—社区党总支—网格党支部—楼栋（单元）党小组; 001/002/004 五级组织链条
MATCH (o:PartyOrg)-[:SUBORDINATE_TO*0..6]->(:PartyOrg)-[:RESPONSIBLE_FOR]->(:Street)
WITH coalesce(collect(DISTINCT o.id), []) AS anchored
MATCH (h:Household)
RETURN h.id AS id,
       NOT EXISTS { MATCH (h)-[:PART_OF]->(:Unit)<-[:RESPONSIBLE_FOR]-(o:PartyOrg) WHERE o.id IN anchored }
       AND NOT EXISTS { MATCH (h)-[:PART_OF]->(:Unit)-[:PART_OF]->(:Building)<-[:RESPONSIBLE_FOR]-(o:PartyOrg) WHERE o.id IN anchored }
       AND NOT EXISTS { MATCH (h)-[:PART_OF*3..3]->(:Compound)<-[:RESPONSIBLE_FOR]-(o:PartyOrg) WHERE o.id IN anchored }
       AND NOT EXISTS { MATCH (h)-[:PART_OF*3..4]->(:Community)<-[:RESPONSIBLE_FOR]-(o:PartyOrg) WHERE o.id IN anchored }
       AND NOT EXISTS { MATCH (h)-[:PART_OF*1..3]->()<-[:COVERS]-(:Grid)<-[:RESPONSIBLE_FOR]-(o:PartyOrg) WHERE o.id IN anchored }
       AS violation
