"""覆盖缺口 Coverage gaps: pick a rule, filter by area, see the gaps as a table and on a map, download them."""
from __future__ import annotations

import streamlit as st

from queries import coverage
from reports import export
from reports.export import natural_key
from views import _maps as maps
from cases.ledger import case_id
from views._shared import (case_rows, data_version, english, frame, principal, rollup, rule_label, scope, store, t, tile_url, unmasked,
                           violations)

s = store()
version = data_version(s)
st.title(t("覆盖缺口", "Coverage gaps"))

rules = coverage.rules()
rule_id = st.selectbox(t("规则", "Rule"), list(rules), format_func=rule_label, key="gap_rule")
q = rules[rule_id]
st.caption(f"{q.describe('en' if english() else 'zh')}  \n{t('依据', 'Source')}: {q.seed}")

params = {}
if q.params:
    cols = st.columns(len(q.params))
    for col, p in zip(cols, q.params):
        params[p.name] = col.number_input(p.label("en" if english() else "zh"), value=p.default,
                                          key=f"p_{rule_id}_{p.name}", **p.number_range())
key = tuple(sorted(params.items()))

if not principal().may("detail"):
    # aggregates only: the roll-up, no entity lists
    st.info(t("您的角色只能查看汇总。", "Your role sees aggregates only."))
    by = st.radio(t("按", "By"), ["community", "street", "grid"], horizontal=True, key="gap_by",
                  format_func=lambda v: {"community": t("社区", "Community"), "street": t("街道", "Street"),
                                         "grid": t("网格", "Grid")}[v])
    st.dataframe(frame(rollup(s, s.location, version, rule_id, key, by)), hide_index=True, width="stretch")
    st.stop()
rows = violations(s, s.location, version, rule_id, key)
ctx = scope().context(q.entity)
streets = sorted({c["street"] for c in ctx.values() if c.get("street")}, key=natural_key)
f1, f2, f3 = st.columns(3)
street = f1.selectbox(t("街道", "Street"), [""] + streets, format_func=lambda v: v or t("全部", "All"), key="gap_street")
communities = sorted({c["community"] for c in ctx.values() if c.get("community") and (not street or c.get("street") == street)},
                     key=natural_key)
community = f2.selectbox(t("社区", "Community"), [""] + communities, format_func=lambda v: v or t("全部", "All"),
                         key="gap_community")
grids = sorted({g for c in ctx.values() if (not community or c.get("community") == community)
                for g in (c.get("grid") or "").split("、") if g}, key=natural_key)
grid = f3.selectbox(t("网格", "Grid"), [""] + grids, format_func=lambda v: v or t("全部", "All"), key="gap_grid")

shown = [r for r in rows if (not street or r.get("street") == street)
         and (not community or r.get("community") == community)
         and (not grid or grid in (r.get("grid") or "").split("、"))]
# each gap's case in the rectification ledger (整改), linked to the 整改 page
case_status = {r["id"]: r["status"] for r in case_rows(s, s.location, version) if r["rule"] == rule_id}
for r in shown:
    cid = case_id(rule_id, str(r["id"]))
    r["case"] = f"cases?case={cid}" if cid in case_status else None
    r["case_status"] = case_status.get(cid)

m1, m2 = st.columns(2)
m1.metric(t("缺口", "Gaps"), f"{len(shown):,}")
m2.metric(t("本规则全部缺口", "All gaps of this rule"), f"{len(rows):,}")

table_tab, map_tab, rollup_tab = st.tabs([t("明细", "Detail"), t("地图", "Map"), t("汇总", "Roll-up")])
with table_tab:
    st.dataframe(frame(shown), hide_index=True, width="stretch", key="gap_table", column_config={
        t("整改案件", "case"): st.column_config.LinkColumn(display_text=r"cases\?case=(.*)")})
    name = "-".join([rule_id, *(x for x in (street, community, grid) if x)] or []) if (street or community or grid) \
        else f"{rule_id}-{t('全部', 'all')}"
    d1, d2, _ = st.columns([1, 1, 4])
    filters = "；".join(f"{k}：{v}" for k, v in ((t("街道", "Street"), street), (t("社区", "Community"), community),
                                                 (t("网格", "Grid"), grid)) if v) or t("全部区域", "All areas")
    if params:
        filters += "；" + "，".join(f"{p.label('en' if english() else 'zh')} = {params[p.name]}" for p in q.params)
    title, note, lang = rule_label(rule_id), t("筛选：", "Filter: ") + filters, "en" if english() else "zh"
    # built when clicked, not on every run: openpyxl takes ~0.5 CPU-s for a rule's 800 gaps
    d1.download_button(t("下载 XLSX", "Download XLSX"),
                       lambda: export.to_xlsx(shown, sheet=rule_id, lang=lang, title=title, note=note),
                       f"{name}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="dl_xlsx",
                       on_click=scope().audit_export, args=(f"{name}.xlsx", len(shown), "xlsx"))
    d2.download_button(t("下载 CSV", "Download CSV"), export.to_csv(shown), f"{name}.csv", mime="text/csv", key="dl_csv",
                       on_click=scope().audit_export, args=(f"{name}.csv", len(shown), "csv"))
    if not unmasked():
        st.caption(t("下载的文件与屏幕一致：姓名和电话已脱敏。", "Downloads match the screen: names and numbers are masked."))
with map_tab:
    # Entities in one building share its coordinates: one circle per place, sized by its count.
    places: dict[tuple, dict] = {}
    for r in shown:
        if r.get("lat") is None:
            continue
        p = places.setdefault((r["lat"], r["lon"]), {"name": r.get("building") or r.get("name") or r["id"],
                                                      "lat": r["lat"], "lon": r["lon"], "gap": True, "items": []})
        p["items"].append(str(r.get("name") or r["id"]))
    points = []
    for p in places.values():
        n = len(p["items"])
        listed = "、".join(p["items"][:6]) + (t(f" 等 {n} 个", f" and {n - 6} more") if n > 6 else "")
        points.append(dict(p, count=n, tip=f"{p['name']}：{q.title_zh if not english() else q.title_en}"
                                           f" × {n}\n{listed}"))
    if points:
        sites = None
        if rule_id == "R15":
            sites = scope().query("MATCH (x:ServiceSite) RETURN x.name AS name, x.kind AS kind, x.lat AS lat, x.lon AS lon",
                                  what="service sites", county_data=True)
        left, right = st.columns([5, 1])
        left.pydeck_chart(maps.deck(points, sites, radius_m=params.get("radius_m", 1000), tile_url=tile_url()),
                          height=520, key="gap_map")
        items = [("gap", maps.rgb(maps.GAP), t(f"有缺口的位置（{len(points):,}），越大缺口越多",
                                               f"Places with gaps ({len(points):,}); larger = more"))]
        if sites:
            items += [("site", maps.rgb(maps.SITE), t("党群服务阵地", "Service site")),
                      ("circle", maps.rgb(maps.SITE), t("服务半径", "Service radius"))]
        with right:
            st.markdown(f"**{t('图例', 'Legend')}**")
            st.html(maps.legend(items))
        st.caption(t(f"{len(shown)} 处缺口位于 {len(points)} 个位置（按楼栋坐标）；悬停查看是哪些。",
                     f"{len(shown)} gaps at {len(points)} places (building coordinates); hover to see which."))
    else:
        st.info(t("这些对象没有坐标，无法上图。", "These entities have no coordinates to map."))
with rollup_tab:
    by = st.radio(t("按", "By"), ["community", "street", "grid"], horizontal=True, key="gap_by",
                  format_func=lambda v: {"community": t("社区", "Community"), "street": t("街道", "Street"),
                                         "grid": t("网格", "Grid")}[v])
    areas = (street or None, community or None, grid or None)
    if any(areas):
        st.caption(t("按上方的街道、社区、网格筛选汇总。", "Rolled up within the street, community and grid chosen above."))
    st.dataframe(frame(rollup(s, s.location, version, rule_id, key, by, areas)), hide_index=True, width="stretch",
                 column_config={t("覆盖率%", "Coverage %"): st.column_config.ProgressColumn(
                     min_value=0, max_value=100, format="%.1f%%")}, key="gap_rollup")
