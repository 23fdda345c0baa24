"""总览 Overview: KPIs, coverage per rule, rule × community coverage coloured by severity, latest loads."""
from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from graph.model import BOOKKEEPING
from queries import coverage, history
from reports import export
from reports.export import display, natural_key
from cases.ledger import per_community as per_community_cases
from views._shared import case_rows, counts, data_version, frame, principal, rollup, scope, store, summary, t

s = store()
version = data_version(s)
c = counts(s, s.location, version)

st.title(t("总览", "Overview"))
if not sum(v for k, v in c.items() if k not in BOOKKEEPING):
    st.info(t("数据库为空：在“数据导入”页上传台账，或运行 `orgnet demo` 生成示范县。",
              "The database is empty: upload ledgers on the Import page, or run `orgnet demo`."))
    st.stop()

kpi = s.query("MATCH (p:Person) WHERE p.is_member = true RETURN count(p) AS members")[0]
rows = summary(s, s.location, version)
by_rule = {r["rule"]: r for r in rows}
cols = st.columns(6)
cols[0].metric(t("住户", "Households"), f"{c['Household']:,}")
cols[1].metric(t("党员", "Members"), f"{kpi['members']:,}")
cols[2].metric(t("包联关系", "Links"), f"{c['LINKED_TO']:,}")
cols[3].metric(t("住户包联覆盖率", "Households linked"), f"{by_rule['R08']['coverage'] or 0:.1f}%")
cols[4].metric(t("楼栋党小组覆盖率", "Buildings with a party group"), f"{by_rule['R02']['coverage'] or 0:.1f}%")
cols[5].metric(t("15分钟服务圈覆盖率", "Buildings in a service circle"), f"{by_rule['R15']['coverage'] or 0:.1f}%")

st.subheader(t("各项覆盖规则", "Coverage by rule"))
# the change since the previous load, from the rule results recorded after each load
# (county figures: shown to county-wide roles, whose table is the county's)
change = {r["rule"]: r["violating_change"] for r in history.since_previous(s)} if principal().county_wide else {}
table = pd.DataFrame([{
    "rule": r["rule"], "title": r["title_en"] if st.session_state.get("lang") == "English" else r["title"],
    "total": r["total"], "violating": r["violating"], "coverage": r["coverage"],
    "gap_change": change.get(r["rule"])} for r in rows])
st.dataframe(frame(table.to_dict("records")), hide_index=True, width="stretch", column_config={
    t("覆盖率%", "Coverage %"): st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.1f%%")})



def matrix_rows(numbers: pd.DataFrame) -> list[dict]:
    """The matrix as export rows: one per community, the rules' coverage % (empty where none applies)."""
    return [{"community": c, **{k: (None if pd.isna(v) else v) for k, v in numbers.loc[c].items()}}
            for c in numbers.index]


st.subheader(t("规则 × 社区 覆盖率", "Coverage % by rule and community"))
rule_ids = list(coverage.rules())
matrix: dict[str, dict[str, float | None]] = {}
gaps_of: dict[str, int] = {}
for rid in rule_ids:
    for r in rollup(s, s.location, version, rid, (), "community"):
        matrix.setdefault(r["area"], {})[rid] = r["coverage"]
        gaps_of[r["area"]] = gaps_of.get(r["area"], 0) + r["violating"]
numbers = pd.DataFrame.from_dict(matrix, orient="index").reindex(columns=rule_ids)
order = st.radio(t("排序", "Order"), ["name", "gaps", "worst"], horizontal=True, key="ov_order",
                 format_func=lambda v: {"name": t("按社区名称", "By name"), "gaps": t("按缺口总数（多→少）", "Most gaps first"),
                                        "worst": t("按最低覆盖率（低→高）", "Lowest coverage first")}[v])
if order == "gaps":
    numbers = numbers.loc[sorted(numbers.index, key=lambda c: (-gaps_of.get(c, 0), natural_key(c)))]
elif order == "worst":
    numbers = numbers.loc[sorted(numbers.index, key=lambda c: (numbers.loc[c].min(skipna=True), natural_key(c)))]
else:
    numbers = numbers.loc[sorted(numbers.index, key=natural_key)]
numbers.insert(0, t("缺口总数", "Gaps"), [gaps_of.get(c, 0) for c in numbers.index])
# Shown as text so an empty cell reads "—" (a Styler's na_rep does not reach the grid); the
# colours come from the numbers.
shown = numbers.map(lambda v: "—" if pd.isna(v) else f"{v:.0f}")
shown.index.name = t("社区", "Community")


def severity(v):
    if pd.isna(v):
        return "color: #bbbbbb"
    if v >= 98:
        return "background-color: #e3f4e1"
    if v >= 90:
        return "background-color: #fff4cc"
    return "background-color: #f9d6d2; font-weight: 600"


colours = numbers.map(severity)
colours.iloc[:, 0] = ""
picked = st.dataframe(shown.style.apply(lambda _: colours, axis=None), width="stretch", key="ov_matrix",
                      on_select="rerun", selection_mode="single-cell")
st.caption(t("绿色 ≥98%，黄色 ≥90%，红色 <90%；“—”表示该社区没有此规则适用的对象。点击一格查看该社区这条规则的缺口。",
             "Green ≥98%, yellow ≥90%, red <90%; — means the rule applies to nothing there. "
             "Click a cell to open that community's gaps of that rule."))
cells = picked.selection.get("cells", []) if picked else []
if cells:
    row, column = cells[0]
    community = shown.index[row]
    rule_id = column if column in rule_ids else None
    if rule_id and community not in ("(未归属)",):
        st.session_state.update(gap_rule=rule_id, gap_street="", gap_community=community, gap_grid="")
        st.switch_page("views/gaps.py")
st.download_button(t("下载覆盖率矩阵（XLSX）", "Download the matrix (XLSX)"),
                   export.to_xlsx(matrix_rows(numbers), sheet=t("规则×社区", "rules x communities"),
                                  title=t("规则 × 社区 覆盖率（%）", "Coverage % by rule and community")),
                   t("覆盖率矩阵.xlsx", "coverage-matrix.xlsx"), key="ov_matrix_dl",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   on_click=scope().audit_export, args=(t("覆盖率矩阵.xlsx", "coverage-matrix.xlsx"), len(numbers), "xlsx"))

st.subheader(t("整改情况", "Rectification"))
per_community = per_community_cases(case_rows(s, s.location, version))
if per_community:
    st.dataframe(frame([{k: r[k] for k in ("community", "open", "overdue", "awaiting_check", "closed")}
                        for r in per_community]), hide_index=True, width="stretch", key="overview_cases")
    st.caption(t("待整改含整改中；逾期指超过整改期限仍未整改。详见“整改”页。",
                 "Open includes in progress; overdue means past the deadline. See the Rectification page."))
else:
    st.caption(t("还没有整改案件。", "No rectification cases yet."))

if not (principal().may("detail") and principal().county_wide):
    st.stop()
st.subheader(t("最近导入", "Latest loads"))
loads = scope().query("MATCH (l:Load) RETURN l.id AS id, l.as_of AS as_of, l.started_at AS started, l.user AS user, "
                      "l.mode AS mode, l.files AS files, l.seconds AS seconds ORDER BY l.started_at DESC LIMIT 10",
                      what="loads")
st.dataframe(pd.DataFrame([{
    t("导入", "Load"): r["id"], t("数据截至", "As of"): r["as_of"],
    t("时间（北京时间）", "Started (UTC+8)"): display("started", r["started"]), t("操作人", "User"): r["user"],
    t("方式", "Mode"): r["mode"], t("文件", "Files"): "、".join(f["name"] for f in json.loads(r["files"] or "[]")),
    t("耗时（秒）", "Seconds"): r["seconds"]} for r in loads]), hide_index=True, width="stretch")
