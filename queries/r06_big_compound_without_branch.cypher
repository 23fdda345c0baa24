// title: 千户以上小区无党支部 | Compound of 1000+ households without its own party branch
// description: 户数达到门槛、却没有党支部（或党总支、党委）负责的小区。
// kind: table
// entity: Compound
// rule: R06
// seed: 001 在入住1000户以上的小区全部成立党支部
// param: min_households = 1000 | 户数门槛
MATCH (c:Compound)
OPTIONAL MATCH (c)<-[:PART_OF]-(:Building)<-[:PART_OF]-(:Unit)<-[:PART_OF]-(h:Household)
WITH c, count(h) AS households
WHERE households >= $min_households
RETURN c.id AS id,
       NOT EXISTS { MATCH (o:PartyOrg)-[:RESPONSIBLE_FOR]->(c) WHERE o.kind IN ['党支部', '党总支', '党委'] } AS violation,
       households
