// title: 网格无党组织负责 | Grid without a responsible party organisation
// description: 没有任何党组织（网格党支部、小区党支部等）负责的网格。小区（网格）党支部应全覆盖。
// kind: table
// entity: Grid
// rule: R01
// seed: 001 镇党委—社区党组织—小区(网格)党支部; 002 武乡 小区(网格)党支部全覆盖; 003 网格党支部
MATCH (g:Grid)
RETURN g.id AS id, NOT EXISTS { MATCH (:PartyOrg)-[:RESPONSIBLE_FOR]->(g) } AS violation, g.level_name AS level_name
