"""The coverage rules as they were before graph/derived.py counted for them: each walks the graph
per view. The derived-property tests (tests/test_derived.py) check that the rules reading derived values
answer exactly as these walks do after every kind of write. R16 here still reads ``Unit.chain_ok`` (tested
on its own); R15 compares every building with every site."""

WALKED = {
    "R03A": """MATCH (b:Building)
RETURN b.id AS id, NOT EXISTS { MATCH (:Person)-[:BUILDING_LEADER_OF]->(b) } AS violation""",
    "R03B": """MATCH (b:Building)
WHERE EXISTS { MATCH (:Person)-[:BUILDING_LEADER_OF]->(b) }
WITH b,
     COUNT { MATCH (:Person)-[r:BUILDING_LEADER_OF]->(b) WHERE r.in_service = true } AS in_service,
     COUNT { MATCH (:Person)-[r:BUILDING_LEADER_OF]->(b) WHERE r.in_service = false } AS not_in_service
RETURN b.id AS id, in_service = 0 OR not_in_service = 0 AS violation, in_service, not_in_service""",
    "R04A": """MATCH (u:Unit)
RETURN u.id AS id, NOT EXISTS { MATCH (:Person)-[:UNIT_LEADER_OF]->(u) } AS violation""",
    "R04B": """MATCH (p:Person)-[:UNIT_LEADER_OF]->(u:Unit)
WITH u, collect(CASE WHEN p.is_member = true THEN NULL ELSE p.name END) AS non_members
RETURN u.id AS id, size(non_members) > 0 AS violation, non_members""",
    "R05A": """MATCH (u:Unit)-[:PART_OF]->(b:Building)
OPTIONAL MATCH (b)-[:PART_OF]->(cp:Compound)
OPTIONAL MATCH (g1:Grid)-[:COVERS]->(u)
WITH u, b, cp, coalesce(collect(g1.id), []) AS via_unit
OPTIONAL MATCH (g2:Grid)-[:COVERS]->(b)
WITH u, cp, via_unit, coalesce(collect(g2.id), []) AS via_building
OPTIONAL MATCH (g3:Grid)-[:COVERS]->(cp)
WITH u, via_unit, via_building, coalesce(collect(g3.id), []) AS via_compound
UNWIND via_unit + via_building + via_compound AS gid
WITH DISTINCT u, gid
MATCH (h:Household)-[:PART_OF]->(u)
WITH gid, count(h) AS households
MATCH (g:Grid) WHERE g.id = gid
WITH g, households, COUNT { MATCH (:Person)-[r:GRID_WORKER_OF]->(g) WHERE r.full_time = true } AS workers
WHERE workers > 0
RETURN g.id AS id, households > $max_households * workers AS violation, households, workers,
       households / workers AS per_worker
UNION ALL
MATCH (g:Grid)
WHERE EXISTS { MATCH (g)-[:COVERS]->() }
  AND NOT EXISTS { MATCH (g)-[:COVERS]->(:Unit)<-[:PART_OF]-(:Household) }
  AND NOT EXISTS { MATCH (g)-[:COVERS]->(:Building)<-[:PART_OF]-(:Unit)<-[:PART_OF]-(:Household) }
  AND NOT EXISTS { MATCH (g)-[:COVERS]->(:Compound)<-[:PART_OF]-(:Building)<-[:PART_OF]-(:Unit)<-[:PART_OF]-(:Household) }
WITH g, COUNT { MATCH (:Person)-[r:GRID_WORKER_OF]->(g) WHERE r.full_time = true } AS workers
WHERE workers > 0
RETURN g.id AS id, false AS violation, 0 AS households, workers, 0 AS per_worker""",
    "R05B": """MATCH (u:Unit)-[:PART_OF]->(b:Building)
OPTIONAL MATCH (b)-[:PART_OF]->(cp:Compound)
OPTIONAL MATCH (g1:Grid)-[:COVERS]->(u)
WITH u, b, cp, coalesce(collect(g1.id), []) AS via_unit
OPTIONAL MATCH (g2:Grid)-[:COVERS]->(b)
WITH u, cp, via_unit, coalesce(collect(g2.id), []) AS via_building
OPTIONAL MATCH (g3:Grid)-[:COVERS]->(cp)
WITH u, via_unit, via_building, coalesce(collect(g3.id), []) AS via_compound
UNWIND via_unit + via_building + via_compound AS gid
WITH DISTINCT u, gid
MATCH (h:Household)-[:PART_OF]->(u)
WITH gid, count(h) AS households
MATCH (g:Grid) WHERE g.id = gid
RETURN g.id AS id, NOT EXISTS { MATCH (:Person)-[r:GRID_WORKER_OF]->(g) WHERE r.full_time = true } AS violation,
       households, COUNT { MATCH (:Person)-[:GRID_WORKER_OF]->(g) } AS workers""",
    "R07": """MATCH (h:Household)
WHERE size(h.special_groups) > 0
RETURN h.id AS id,
       NOT EXISTS {
         MATCH (p:Person)-[:LINKED_TO]->(h)
         WHERE p.is_member = true OR EXISTS { MATCH (p)-[:UNIT_LEADER_OF]->(:Unit) }
       } AS violation,
       h.special_groups AS special_groups""",
    "R08": """MATCH (h:Household)
RETURN h.id AS id, NOT EXISTS { MATCH (p:Person)-[:LINKED_TO]->(h) WHERE p.is_member = true } AS violation""",
    "R09": """MATCH (p:Person)
WHERE p.is_member = true
WITH p, COUNT { MATCH (p)-[:LINKED_TO]->(:Household) } AS links
RETURN p.id AS id, links < $min_links OR links > $max_links AS violation, p.member_kind AS member_kind, links""",
    "R10A": """MATCH (p:Person)
WHERE EXISTS { MATCH (p)-[:REPORTED_TO]->(:Community) }
RETURN p.id AS id, NOT EXISTS { MATCH (p)-[:ASSIGNED_TO]->(:PartyOrg) } AS violation""",
    "R10B": """MATCH (p:Person)
WHERE EXISTS { MATCH (p)-[:REPORTED_TO]->(:Community) } AND EXISTS { MATCH (p)-[:ASSIGNED_TO]->(:PartyOrg) }
RETURN p.id AS id, NOT EXISTS { MATCH (p)-[:LINKED_TO]->(:Household) } AS violation""",
    "R11A": """MATCH (o:Organization)
WHERE EXISTS { MATCH (o)-[:REPORTED_TO]->(:Community) }
RETURN o.id AS id,
       NOT EXISTS { MATCH (p:Person)-[:WORKS_AT]->(o) WHERE EXISTS { MATCH (p)-[:REPORTED_TO]->(:Community) } } AS violation,
       COUNT { MATCH (:Person)-[:WORKS_AT]->(o) } AS staff""",
    "R11B": """MATCH (o:Organization)
WHERE EXISTS { MATCH (o)-[:REPORTED_TO]->(:Community) }
RETURN o.id AS id, NOT EXISTS { MATCH (o)-[:PAIRED_WITH]->(:Community) } AS violation""",
    "R15": """MATCH (b:Building)
WHERE b.lat IS NOT NULL AND b.lon IS NOT NULL
OPTIONAL MATCH (s:ServiceSite)
WITH b, min(2 * 6371000 * asin(sqrt(sin(radians(s.lat - b.lat) / 2) ^ 2
       + cos(radians(b.lat)) * cos(radians(s.lat)) * sin(radians(s.lon - b.lon) / 2) ^ 2))) AS nearest_m
RETURN b.id AS id, nearest_m IS NULL OR nearest_m > $radius_m AS violation, b.lat AS lat, b.lon AS lon, nearest_m""",
    "R16": """MATCH (u:Unit)<-[:PART_OF]-(h:Household)
RETURN h.id AS id, NOT coalesce(u.chain_ok, false) AS violation
UNION ALL
MATCH (h:Household)
WHERE NOT EXISTS { MATCH (h)-[:PART_OF]->(:Unit) }
RETURN h.id AS id, true AS violation""",
    "R17A": """MATCH (b:Building)
OPTIONAL MATCH (g1:Grid)-[:COVERS]->(b)
OPTIONAL MATCH (g2:Grid)-[:COVERS]->(:Unit)-[:PART_OF]->(b)
OPTIONAL MATCH (g3:Grid)-[:COVERS]->(:Compound)<-[:PART_OF]-(b)
WITH b, count(g1) + count(g2) + count(g3) AS grids
RETURN b.id AS id, grids = 0 AS violation,
       COUNT { MATCH (:Household)-[:PART_OF]->(:Unit)-[:PART_OF]->(b) } AS households""",
    "R17B": """MATCH (u:Unit)-[:PART_OF]->(b:Building)
OPTIONAL MATCH (g1:Grid)-[:COVERS]->(u)
OPTIONAL MATCH (g2:Grid)-[:COVERS]->(b)
OPTIONAL MATCH (g3:Grid)-[:COVERS]->(:Compound)<-[:PART_OF]-(b)
WITH u, count(g1) + count(g2) + count(g3) AS grids
MATCH (h:Household)-[:PART_OF]->(u)
RETURN h.id AS id, grids = 0 AS violation, h.room AS room, h.head_name AS head_name""",
}
