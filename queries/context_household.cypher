// title: 住户所在位置 | Where each household is
// description: 每户所在的楼栋、小区、社区、街道和覆盖它的网格（即其单元的位置）；覆盖缺口明细和汇总都用它补充上下文。
// kind: table
// entity: Household
// context: true
// A household is where its unit is: `via_unit` takes the unit's context (context_unit.cypher),
// computed once for a few thousand units instead of once per household.
MATCH (u:Unit)<-[:PART_OF]-(h:Household)
RETURN h.id AS id, h.address AS name, u.id AS via_unit
