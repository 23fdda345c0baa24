// title: 网格所属社区 | Where each grid is
// description: 每个网格所属的社区和街道（下级网格沿上级网格查找），以及所覆盖楼栋的中心位置。
// kind: table
// entity: Grid
// context: true
MATCH (g:Grid)
OPTIONAL MATCH (g)-[:SUBGRID_OF*0..4]->(:Grid)-[:GRID_OF]->(c:Community)
OPTIONAL MATCH (g)-[:SUBGRID_OF*0..4]->(:Grid)-[:GRID_OF]->(sg:Street)
OPTIONAL MATCH (c)-[:PART_OF]->(s:Street)
WITH g, min(c.id) AS community_id, min(c.name) AS community, min(coalesce(s.id, sg.id)) AS street_id,
     min(coalesce(s.name, sg.name)) AS street
OPTIONAL MATCH (g)-[:COVERS]->()<-[:PART_OF*0..1]-(b:Building)
RETURN g.id AS id, g.name AS name, community_id, community, street_id, street, [g.id] AS grid_ids,
       avg(b.lat) AS lat, avg(b.lon) AS lon
