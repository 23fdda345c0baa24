// title: 统计：住户 | Statistics: households
// description: 每户是否为党员中心户。
// kind: table
// entity: Household
MATCH (h:Household)
RETURN h.id AS id, h.id AS anchor, coalesce(h.party_centre, false) AS party_centre
