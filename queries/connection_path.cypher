// title: 人员与住户的最短联系 | How a person is connected to a household
// description: 人员与住户之间的最短路径（不超过指定步数），列出途经的每个对象和关系。
// area: person=Person, household=Household
// kind: graph
// param: person = '' | 人员编号
// param: household = '' | 住户编号
// param: max_hops = 6 | 最多步数（不超过 8）
MATCH (a:Person {id: $person})
MATCH (b:Household {id: $household})
//@neo4j
MATCH p = shortestPath((a)-[*..8]-(b))
WHERE length(p) <= $max_hops
RETURN length(p) AS hops,
       [n IN nodes(p) | {id: n.id, label: labels(n)[0], name: coalesce(n.name, n.address)}] AS nodes,
       [r IN relationships(p) | type(r)] AS rels
//@kuzu
MATCH p = (a)-[* SHORTEST 1..8]-(b)
WHERE length(p) <= $max_hops
RETURN length(p) AS hops,
       list_transform(nodes(p), n -> {id: n.id, label: label(n), name: coalesce(n.name, n.address)}) AS nodes,
       list_transform(rels(p), r -> label(r)) AS rels
