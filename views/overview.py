"""总览 Overview: KPIs, coverage per rule, rule × community coverage coloured by severity, latest loads."""
from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from queries import coverage
from views._shared import counts, data_version, frame, rollup, store, summary, t

s = store()
version = data_version(s)
c = counts(s, s.location, version)

st.title(t("总览", "Overview"))
if not sum(v for k, v in c.items() if k != "Load"):
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
table = pd.DataFrame([{
    "rule": r["rule"], "title": r["title_en"] if st.session_state.get("lang") == "English" else r["title"],
    "total": r["total"], "violating": r["violating"], "coverage": r["coverage"]} for r in rows])
st.dataframe(frame(table.to_dict("records")), hide_index=True, width="stretch", column_config={
    t("覆盖率%", "coverage"): st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.1f%%")})

st.subheader(t("规则 × 社区 覆盖率", "Coverage % by rule and community"))
matrix: dict[str, dict[str, float | None]] = {}
for rid in coverage.rules():
    for r in rollup(s, s.location, version, rid, (), "community"):
        matrix.setdefault(r["area"], {})[rid] = r["coverage"]
grid = pd.DataFrame.from_dict(matrix, orient="index").reindex(columns=list(coverage.rules())).sort_index()
grid.index.name = t("社区", "Community")


def severity(v):
    if pd.isna(v):
        return "color: #bbbbbb"
    if v >= 98:
        return "background-color: #e3f4e1"
    if v >= 90:
        return "background-color: #fff4cc"
    return "background-color: #f9d6d2; font-weight: 600"


st.dataframe(grid.style.map(severity).format("{:.0f}", na_rep="—"), width="stretch")
st.caption(t("绿色 ≥98%，黄色 ≥90%，红色 <90%；“—”表示该社区没有此规则适用的对象。",
             "Green ≥98%, yellow ≥90%, red <90%; — means the rule applies to nothing there."))

st.subheader(t("最近导入", "Latest loads"))
loads = s.query("MATCH (l:Load) RETURN l.id AS id, l.started_at AS started, l.user AS user, l.mode AS mode, "
                "l.files AS files, l.seconds AS seconds ORDER BY l.started_at DESC LIMIT 10")
st.dataframe(pd.DataFrame([{
    t("导入", "Load"): r["id"], t("时间 (UTC)", "Started (UTC)"): r["started"], t("操作人", "User"): r["user"],
    t("方式", "Mode"): r["mode"], t("文件", "Files"): "、".join(f["name"] for f in json.loads(r["files"] or "[]")),
    t("耗时（秒）", "Seconds"): r["seconds"]} for r in loads]), hide_index=True, width="stretch")
