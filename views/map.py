"""地图 Map: buildings coloured by the rules they break, service sites with their radius circles,
a legend, tooltips that say what is wrong, and street / community filters. No tile server needed."""
from __future__ import annotations

import streamlit as st

from queries import coverage
from reports.export import natural_key
from views import _maps as maps
from views._shared import data_version, rule_label, scope, store, t, tile_url, violations

s = store()
version = data_version(s)
st.title(t("地图", "Map"))


@st.cache_data(ttl=3600, show_spinner=False)
def households_per_building(_store, location: str, version: tuple) -> dict[str, int]:
    rows = _store.query("MATCH (h:Household)-[:PART_OF]->(:Unit)-[:PART_OF]->(b:Building) "
                        "RETURN b.id AS id, count(h) AS n")
    return {r["id"]: int(r["n"]) for r in rows}


BUILDING_RULES = [rid for rid, q in coverage.rules().items() if q.entity == "Building"]
buildings = scope().context("Building")  # only what this user may see
c1, c2, c3, c4 = st.columns([3, 1, 1, 1])
chosen = c1.multiselect(t("按这些规则标红楼栋", "Colour buildings red that break"), BUILDING_RULES,
                        default=["R15"], format_func=rule_label, key="map_rules")
radius = c2.number_input(t("服务半径（米）", "Service radius (m)"), 100, 5000, 1000, step=100, key="map_radius")
streets = sorted({b["street"] for b in buildings.values() if b.get("street")}, key=natural_key)
street = c3.selectbox(t("街道", "Street"), [""] + streets, format_func=lambda v: v or t("全部", "All"), key="map_street")
communities = sorted({b["community"] for b in buildings.values() if b.get("community")
                      and (not street or b.get("street") == street)}, key=natural_key)
community = c4.selectbox(t("社区", "Community"), [""] + communities, format_func=lambda v: v or t("全部", "All"),
                         key="map_community")

broken: dict[str, list[str]] = {}
for rid in chosen:
    params = (("radius_m", radius),) if rid == "R15" else ()
    for r in violations(s, s.location, version, rid, params):
        broken.setdefault(r["id"], []).append(f"{rule_label(rid)}：{r['problem']}")  # queries.explain
homes = households_per_building(s, s.location, version)


def inside(b: dict) -> bool:
    return (not street or b.get("street") == street) and (not community or b.get("community") == community)


points = []
for b in buildings.values():
    if b.get("lat") is None or not inside(b):
        continue
    where = "·".join(x for x in (b.get("community"), b.get("compound")) if x)
    n = homes.get(b["id"], 0)
    tip = f"{b['name']}（{where}）\n{t('住户', 'Households')} {n}"
    if b["id"] in broken:
        tip += "\n" + t("问题：", "Wrong: ") + "；".join(broken[b["id"]])
    points.append({"name": b["name"], "lat": b["lat"], "lon": b["lon"], "gap": b["id"] in broken, "tip": tip,
                   "count": len(broken.get(b["id"], []))})
sites = scope().query("MATCH (x:ServiceSite) RETURN x.name AS name, x.kind AS kind, x.lat AS lat, x.lon AS lon",
                      what="service sites", county_data=True)
if street or community:
    # sites near the chosen area: within the radius of one of its buildings' bounding box
    lats = [p["lat"] for p in points] or [0.0]
    lons = [p["lon"] for p in points] or [0.0]
    pad = radius / 111_000
    sites = [x for x in sites if x.get("lat") is not None and min(lats) - pad <= x["lat"] <= max(lats) + pad
             and min(lons) - pad * 1.3 <= x["lon"] <= max(lons) + pad * 1.3]

m = st.columns(3)
m[0].metric(t("有坐标的楼栋", "Buildings with coordinates"), f"{len(points):,}")
m[1].metric(t("标红楼栋", "Buildings in red"), f"{sum(p['gap'] for p in points):,}")
m[2].metric(t("服务阵地", "Service sites"), f"{len(sites):,}")
if not points and not sites:
    st.info(t("没有带坐标的楼栋或阵地。", "No buildings or sites with coordinates."))
    st.stop()
left, right = st.columns([5, 1])
with left:
    st.pydeck_chart(maps.deck(points, sites, radius_m=radius, tile_url=tile_url()), height=620, key="main_map")
with right:
    st.markdown(f"**{t('图例', 'Legend')}**")
    red = sum(p["gap"] for p in points)
    st.html(maps.legend([
        ("gap", maps.rgb(maps.GAP), t(f"有缺口的楼栋（{red:,}）", f"Building with a gap ({red:,})")),
        ("ok", maps.rgb(maps.OK), t(f"无缺口的楼栋（{len(points) - red:,}）", f"Building without a gap ({len(points) - red:,})")),
        ("site", maps.rgb(maps.SITE), t(f"党群服务阵地（{len(sites):,}）", f"Service site ({len(sites):,})")),
        ("circle", maps.rgb(maps.SITE), t(f"服务半径 {radius:,} 米", f"Service radius {radius:,} m")),
    ]))
    st.caption(t("悬停楼栋查看住户数和问题。", "Hover a building for its households and what is wrong."))
if not tile_url():
    st.caption(t("未设置瓦片地址，因此没有底图（侧栏“地图设置”可填写内网瓦片服务）。",
                 "No tile URL is set, so there is no base map (see Map settings in the sidebar)."))
