// title: 规划：现有服务阵地 | Planning: existing service sites
// description: 现有党群服务阵地的坐标，选址时保留。
// kind: table
MATCH (s:ServiceSite)
WHERE s.lat IS NOT NULL AND s.lon IS NOT NULL
RETURN s.id AS id, s.name AS name, s.lat AS lat, s.lon AS lon
ORDER BY id
