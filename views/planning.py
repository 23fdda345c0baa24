"""规划 Planning: 包联 suggestions (min-cost flow), where to put new service sites (maximal covering,
with a coverage curve and an R15 what-if), and grid staffing — each with a ledger to download."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import sites as site_planner
from analysis.links_plan import TIERS, plan_links
from analysis.workers import plan_workers
from loaders.engine import LoadRefused
from loaders.uploads import staged
from queries import coverage
from reports import export
from views import _maps as maps
from views._shared import data_version, deny, frame, plain, principal, scope, store, t, tile_url

s = store()
version = data_version(s)
st.title(t("规划", "Planning"))
if not (principal().may("detail") and principal().county_wide):
    # the planners work on the whole county's members, households and sites
    deny("规划需要县级明细权限（管理员或县级分析员）。", "Planning needs county-wide detail access (administrator or analyst).")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@st.cache_data(ttl=3600, show_spinner=False)
def staffing(_s, location: str, v: tuple, cap: int) -> dict:
    return plan_workers(_s, max_households=cap)


def bar():
    b = st.progress(0.0)
    return lambda label, done, total: b.progress(min(1.0, done / max(total, 1)), text=label)


links_tab, sites_tab, workers_tab = st.tabs([t("包联建议", "Link suggestions"), t("服务阵地选址", "Service sites"),
                                             t("网格员配置", "Grid staffing")])

with links_tab:
    st.caption(t("把有余力的党员（每人最多包联户数减去已包联户数）分配给无人包联的住户：特殊群体户优先，"
                 "优先同单元的单元长和党员，其次同楼栋、同小区、同网格，再按距离。结果是一份包联台账，导入后即可核对。",
                 "Members with spare capacity are matched to households nobody looks after: special groups first, "
                 "same unit first, then building, compound, grid and distance. The result is a 包联 ledger."))
    r09 = {p.name: p.default for p in coverage.rule("R09").params}
    c1, c2, _ = st.columns([1, 1, 3])
    lo = c1.number_input(t("每名党员最少包联户数", "Min links per member"), min_value=0, value=int(r09["min_links"]), key="pl_min")
    hi = c2.number_input(t("每名党员最多包联户数", "Max links per member"), min_value=1, value=int(r09["max_links"]), key="pl_max")
    if st.button(t("生成包联建议", "Plan links"), type="primary", key="pl_run"):
        try:
            st.session_state["pl_result"] = (version, plan_links(s, min_links=lo, max_links=hi, progress=bar()))
        except ValueError as e:
            st.error(plain(e))
    got = st.session_state.get("pl_result")
    if got and got[0] == version:
        plan = got[1]
        cols = st.columns(5)
        cols[0].metric(t("建议包联", "Links proposed"), f"{len(plan.links):,}")
        for col, rule in zip(cols[1:], ("R07", "R08", "R09", "R10B")):
            col.metric(f"{rule} {t('缺口', 'gaps')}", f"{len(plan.residue[rule]):,}",
                       delta=len(plan.residue[rule]) - plan.before[rule], delta_color="inverse")
        tiers = pd.DataFrame([{t("亲近程度", "Closeness"): TIERS[k], t("条数", "Links"): sum(r["tier"] == k for r in plan.links)}
                              for k in sorted(TIERS)])
        st.dataframe(tiers, hide_index=True, key="pl_tiers")
        st.dataframe(frame([{**r, "tier": TIERS[r["tier"]]} for r in plan.links]), hide_index=True, width="stretch",
                     key="pl_links")
        st.download_button(t("下载包联台账 XLSX", "Download the 包联 ledger"), plan.ledger_xlsx(), "包联建议.xlsx",
                           mime=XLSX, key="pl_dl", on_click=scope().audit_export, args=("包联建议.xlsx", len(plan.links), "xlsx"))
        if any(plan.residue.values()):
            with st.expander(t("规划无法解决的缺口", "What the plan cannot fix")):
                st.dataframe(pd.DataFrame([{t("规则", "Rule"): k, t("编号", "Ids"): "、".join(v)}
                                           for k, v in plan.residue.items() if v]), hide_index=True, key="pl_residue")

with sites_tab:
    st.caption(t("在候选位置（各楼栋位置）中选出 p 个新阵地，使服务半径内覆盖的住户最多，现有阵地保留（最大覆盖选址，精确求解）。",
                 "Choose p new sites among building locations to cover the most households within the radius, "
                 "keeping existing sites (maximal covering location, solved exactly)."))
    radius_default = next(p.default for p in coverage.rule("R15").params if p.name == "radius_m")
    c1, c2, c3 = st.columns(3)
    p = c1.number_input(t("新建阵地数 p", "New sites p"), min_value=0, max_value=50, value=3, key="ps_p")
    radius = c2.number_input(t("服务半径（米）", "Radius (m)"), min_value=100, value=int(radius_default), step=100, key="ps_r")
    curve_to = c3.number_input(t("覆盖曲线到 p =", "Curve up to p ="), min_value=0, max_value=50, value=max(6, int(p)),
                               key="ps_curve")
    upload = st.file_uploader(t("候选点台账（可选，服务阵地台账格式：阵地编号、名称、阵地类型、纬度、经度）",
                                "Candidate sites (optional, in the service-site ledger format)"),
                              type=["xlsx", "csv"], key="ps_candidates")
    if st.button(t("选址", "Plan sites"), type="primary", key="ps_run"):
        try:
            candidates = None
            if upload is not None:
                with staged([(upload.name, upload.getvalue())]) as (path,):  # the file's own name, never a path
                    candidates = site_planner.read_candidates(path, s)
            st.session_state["ps_result"] = (version, site_planner.plan_sites(
                s, int(p), radius_m=radius, candidates=candidates, curve_to=int(curve_to), progress=bar()))
        except LoadRefused as e:
            st.error(t(f"候选点台账有 {len(e.validation.errors)} 处错误：", f"{len(e.validation.errors)} errors in the candidates:"))
            st.dataframe(pd.DataFrame([x.as_dict() for x in e.validation.errors]), hide_index=True, key="ps_errors")
        except ValueError as e:
            st.error(plain(e))
    got = st.session_state.get("ps_result")
    if got and got[0] == version:
        plan = got[1]
        before = site_planner.what_if(s, [], radius_m=plan.radius_m)
        after = site_planner.what_if(s, plan.solution.chosen, radius_m=plan.radius_m)
        if plan.note():
            st.info(plan.note(t("zh", "en")))
        cols = st.columns(3)
        cols[0].metric(t("新增覆盖住户", "Households newly covered"), f"{plan.solution.covered:,}")
        cols[1].metric(t("住户覆盖率", "Households covered"),
                       f"{100 * (plan.covered_before + plan.solution.covered) / max(plan.households, 1):.1f}%")
        cols[2].metric(t("R15 楼栋缺口（假设建成）", "R15 gaps if built"), f"{len(after):,}",
                       delta=len(after) - len(before), delta_color="inverse")
        # what each extra site adds (existing sites' households are the baseline at p = 0)
        curve = pd.DataFrame([{"p": c["p"], t("新增覆盖户数", "Households newly covered"): c["covered"] - plan.covered_before}
                              for c in plan.curve]).set_index("p")
        st.line_chart(curve, x_label=t("新建阵地数 p", "New sites p"), y_label=t("新增覆盖户数", "Households newly covered"))
        chosen = pd.DataFrame(plan.ledger_rows())
        st.dataframe(chosen, hide_index=True, width="stretch", key="ps_sites")
        existing = s.query("MATCH (x:ServiceSite) RETURN x.name AS name, x.lat AS lat, x.lon AS lon")
        gaps = [{"name": r["name"] or r["id"], "lat": b["lat"], "lon": b["lon"], "gap": True}
                for r in after for b in [coverage.context(s, "Building").get(r["id"], {})] if b.get("lat") is not None]
        new = [{"name": r["名称"], "lat": r["纬度"], "lon": r["经度"]} for r in plan.ledger_rows()]
        st.pydeck_chart(maps.deck(gaps, existing + new, radius_m=plan.radius_m, tile_url=tile_url()), height=460,
                        key="ps_map")
        st.download_button(t("下载服务阵地台账 XLSX", "Download the service-site ledger"), plan.ledger_xlsx(),
                           "新建服务阵地.xlsx", mime=XLSX, key="ps_dl",
                           on_click=scope().audit_export, args=("新建服务阵地.xlsx", len(plan.ledger_rows()), "xlsx"))

with workers_tab:
    st.caption(t("按每名专职网格员最多户数，计算各网格缺几名专职网格员，并提出可调整到相邻网格的楼栋。",
                 "Full-time grid workers each grid is short under the household cap, and buildings that could move."))
    cap_default = next(p.default for p in coverage.rule("R05A").params if p.name == "max_households")
    cap = st.number_input(t("每名专职网格员最多户数", "Households per full-time worker"), min_value=1,
                          value=int(cap_default), key="pw_cap")
    result = staffing(s, s.location, version, int(cap))
    sm = result["summary"]
    cols = st.columns(3)
    cols[0].metric(t("缺专职网格员的网格", "Grids short of workers"), f"{sm['short_grids']:,}")
    cols[1].metric(t("共缺专职网格员", "Workers short"), f"{sm['workers_short']:,}")
    cols[2].metric(t("调整楼栋后仍缺", "Short after moves"), f"{sm['workers_short_after_moves']:,}")
    short = [g for g in result["grids"] if g["short"]]
    st.dataframe(frame(short), hide_index=True, width="stretch", key="pw_grids")
    if result["moves"]:
        st.subheader(t("可调整的楼栋", "Buildings that could move"))
        st.dataframe(frame(result["moves"]), hide_index=True, width="stretch", key="pw_moves")
    d1, d2, _ = st.columns([1, 1, 3])
    d1.download_button(t("下载缺员网格 XLSX", "Download short grids"), export.to_xlsx(short, sheet="网格员缺口"),
                       "网格员缺口.xlsx", mime=XLSX, key="pw_dl",
                       on_click=scope().audit_export, args=("网格员缺口.xlsx", len(short), "xlsx"))
    if result["moves"]:
        d2.download_button(t("下载楼栋调整 XLSX", "Download moves"), export.to_xlsx(result["moves"], sheet="楼栋调整"),
                           "楼栋调整.xlsx", mime=XLSX, key="pw_dl_moves",
                           on_click=scope().audit_export, args=("楼栋调整.xlsx", len(result["moves"]), "xlsx"))
