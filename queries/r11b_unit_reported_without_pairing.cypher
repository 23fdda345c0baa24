// title: 报到单位未结对共建 | Co-building unit reported but has no co-building agreement
// description: 单位已到社区报到，但没有签订结对共建协议（“三张清单”）。
// kind: table
// entity: Organization
// rule: R11B
// seed: 001 签订党组织结对共建协议，建立需求、资源、服务“三张清单”
// Whether an organisation reported to a community is kept when reports are written
// (Organization.reported, see graph/derived.py).
MATCH (o:Organization)
WHERE o.reported = true
RETURN o.id AS id, NOT EXISTS { MATCH (o)-[:PAIRED_WITH]->(:Community) } AS violation
