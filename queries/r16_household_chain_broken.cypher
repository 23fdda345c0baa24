// title: 住户责任链断裂 | Household whose responsibility chain does not reach the street
// description: 负责该户所在单元、楼栋、小区、社区或网格的党组织，没有一个能沿上级关系追溯到街道（乡镇）党组织。
// kind: table
// entity: Household
// rule: R16
// seed: 003 街道党工委—社区党总支—网格党支部—楼栋（单元）党小组; 001/002/004 五级组织链条
// Whether a household's chain reaches the street is derived once per write (Household.chain_ok from
// Unit.chain_ok, see graph/derived.py), so the rule is one scan: walking each household's chain per
// view grew faster than the county (7 s at 10x). A household in no unit has no chain.
// A gap's head and room are added to the violating households only (queries/coverage.py): read for
// every household they doubled the rule's time.
MATCH (h:Household)
RETURN h.id AS id, NOT coalesce(h.chain_ok, false) AS violation
