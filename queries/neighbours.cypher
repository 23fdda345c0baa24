// title: 相邻对象 | Neighbours
// description: 与给定编号的对象直接相连的对象和关系（包联关系页的网络图逐层展开时使用）。
// area: src=@src_label, dst=@dst_label
// kind: graph
// param: limit = 300 | 最多关系数
MATCH (a)-[r]->(b)
WHERE a.id IN $ids OR b.id IN $ids
//@neo4j
RETURN a.id AS src, labels(a)[0] AS src_label, coalesce(a.name, a.address) AS src_name, type(r) AS rel,
       b.id AS dst, labels(b)[0] AS dst_label, coalesce(b.name, b.address) AS dst_name
//@kuzu
RETURN a.id AS src, label(a) AS src_label, coalesce(a.name, a.address) AS src_name, label(r) AS rel,
       b.id AS dst, label(b) AS dst_label, coalesce(b.name, b.address) AS dst_name
//@both
LIMIT $limit
