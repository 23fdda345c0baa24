"""地图 Map: buildings coloured by coverage, service sites with their radius circles. No tile server needed."""
from __future__ import annotations

import streamlit as st

from queries import coverage
from views import _maps as maps
from views._shared import data_version, rule_label, scope, store, t, tile_url, violations

s = store()
version = data_version(s)
st.title(t("地图", "Map"))

BUILDING_RULES = [rid for rid, q in coverage.rules().items() if q.entity == "Building"]
c1, c2 = st.columns([3, 1])
chosen = c1.multiselect(t("按这些规则标红楼栋", "Colour buildings red that break"), BUILDING_RULES,
                        default=["R15"], format_func=rule_label, key="map_rules")
radius = c2.number_input(t("服务半径（米）", "Service radius (m)"), 100, 5000, 1000, step=100, key="map_radius")

buildings = scope().context("Building")
bad: set[str] = set()
for rid in chosen:
    params = (("radius_m", radius),) if rid == "R15" else ()
    bad |= {r["id"] for r in violations(s, s.location, version, rid, params)}
points = [{"name": b["name"], "lat": b["lat"], "lon": b["lon"], "gap": b["id"] in bad,
           "community": b.get("community") or ""} for b in buildings.values() if b.get("lat") is not None]
sites = scope().query("MATCH (x:ServiceSite) RETURN x.name AS name, x.kind AS kind, x.lat AS lat, x.lon AS lon",
                      what="service sites", county_data=True)

m = st.columns(3)
m[0].metric(t("有坐标的楼栋", "Buildings with coordinates"), f"{len(points):,}")
m[1].metric(t("标红楼栋", "Buildings in red"), f"{sum(p['gap'] for p in points):,}")
m[2].metric(t("服务阵地", "Service sites"), f"{len(sites):,}")
if not points and not sites:
    st.info(t("没有带坐标的楼栋或阵地。", "No buildings or sites with coordinates."))
    st.stop()
st.pydeck_chart(maps.deck(points, sites, radius_m=radius, tile_url=tile_url(), tooltip="{name}"), height=620,
                key="main_map")
st.caption(t("红色：有缺口的楼栋；绿色：无缺口；橙色圆点和圆圈：服务阵地及其服务半径。"
             + ("" if tile_url() else "未设置瓦片地址，因此没有底图（侧栏“地图设置”可填写内网瓦片服务）。"),
             "Red: buildings with a gap; green: none; orange: service sites and their radius."
             + ("" if tile_url() else " No tile URL is set, so there is no base map (see Map settings).")))
