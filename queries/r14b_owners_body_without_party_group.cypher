// title: 业委会（物管会）无党组织 | Owners' body without a party group
// description: 没有建立党组织（党小组）的业主委员会或物业管理委员会。
// kind: table
// entity: OwnersBody
// rule: R14B
// seed: 002 壶关 在业委会（物管会）中成立党小组75个; 武乡 均建立党组织
MATCH (o:OwnersBody)
RETURN o.id AS id, NOT EXISTS { MATCH (:PartyOrg)-[:PARTY_ORG_OF]->(o) } AS violation, o.kind AS body_kind
