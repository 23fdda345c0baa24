"""历史与变化 History: the loads in time order, coverage per rule and area over time, and what changed
between two loads (each line with the ledger file, sheet and row responsible)."""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from graph.config import archive_dir
from queries import coverage, diff, history
from queries.registry import ParameterError
from views._shared import data_version, frame, plain, principal, rule_label, scope, store, t

s = store()
version = data_version(s)
st.title(t("历史与变化", "History and changes"))

loads = history.loads(s)
if not loads:
    st.info(t("还没有导入记录：在“数据导入”页导入台账，或运行 `orgnet demo`。",
              "No loads yet: load ledgers on the Import page, or run `orgnet demo`."))
    st.stop()

st.subheader(t("导入记录", "Loads"))
st.dataframe(pd.DataFrame([{t("数据截至", "As of"): r["as_of"], t("导入", "Load"): r["id"],
                            t("时间 (UTC)", "Started (UTC)"): r["started"], t("方式", "Mode"): r["mode"],
                            t("文件", "Files"): "、".join(r["files"])} for r in loads[::-1]]),
             hide_index=True, width="stretch", key="loads")

st.subheader(t("覆盖率变化", "Coverage over time"))
levels = {"county": t("全县", "County"), "street": t("街道", "Street"), "community": t("社区", "Community")}
c1, c2 = st.columns(2)
rule_id = c1.selectbox(t("规则", "Rule"), list(coverage.rules()), format_func=rule_label, key="trend_rule",
                       index=list(coverage.rules()).index("R08"))
level = c2.selectbox(t("层级", "Level"), list(levels), format_func=levels.get, key="trend_level", index=2)
points = history.trend(s, rule_id, level)
area = scope().area  # staff of a street, community or grid see their own area's figures only
if area is not None:
    allowed = scope().allowed_ids({"street": "Street", "community": "Community", "grid": "Grid"}[area[0]]) or set()
    points = [p for p in points if p["area_id"] in allowed] if level != "county" else []
if not points:
    st.info(t("这条规则还没有记录的结果：每次导入后会自动记录。", "No recorded results for this rule yet: each load records them."))
else:
    df = pd.DataFrame(points)
    df["date"] = df["as_of"].map(str)
    # the axis follows the figures (coverage moves by tenths of a percent between quarters)
    chart = alt.Chart(df).mark_line(point=True).encode(
        x=alt.X("date:O", title=t("数据截至", "As of")),
        y=alt.Y("coverage:Q", title=t("覆盖率 %", "Coverage %"), scale=alt.Scale(zero=False)),
        color=alt.Color("area:N", title=levels[level]),
        tooltip=["date", "area", "coverage", "violating", "total"])
    st.altair_chart(chart, width="stretch")
    gaps = df.pivot_table(index="area", columns="as_of", values="violating", aggfunc="last")
    gaps.columns = [str(c) for c in gaps.columns]
    gaps.index.name = levels[level]
    st.caption(t("各区域缺口数（按数据截至日期）", "Gaps per area, by as-of date"))
    st.dataframe(gaps, width="stretch", key="trend_gaps")

st.subheader(t("两次导入之间的变化", "What changed between two loads"))
if area is not None or not principal().may("detail"):
    st.info(t("两次导入之间的逐条变化涉及全县的对象和人员，仅县级角色（管理员、县级分析员）可见。",
              "The line-by-line changes cover the whole county's entities and people: county-wide roles only."))
    st.stop()
if len([r for r in loads if r["recorded"]]) < 2:
    st.info(t("只有一次导入：再导入一次（例如下一季度的台账）后即可比较。",
              "Only one load so far: load again (e.g. next quarter's ledgers) to compare."))
    st.stop()
label = {r["id"]: f"{r['as_of']} · {r['id']}" for r in loads}
ids = [r["id"] for r in loads if r["recorded"]]  # the points in time whose snapshot was recorded
c1, c2 = st.columns(2)
a = c1.selectbox(t("从（较早）", "From (earlier)"), ids, index=len(ids) - 2, format_func=label.get, key="diff_a")
b = c2.selectbox(t("到（较晚）", "To (later)"), ids, index=len(ids) - 1, format_func=label.get, key="diff_b")
if a == b:
    st.warning(t("请选择两次不同的导入。", "Pick two different loads."))
    st.stop()


@st.cache_data(ttl=3600, show_spinner=t("正在比较…", "Comparing…"))
def changes(_s, location: str, version: tuple, a: str, b: str) -> list[dict]:
    return diff.diff(_s, archive_dir(_s), a, b)


try:
    lines = scope().mask_properties(changes(s, s.location, version, a, b), what="history:diff")
except ParameterError as e:
    st.error(plain(e))
    st.stop()
kinds = {k: t(v, k) for k, v in diff.KINDS.items()}


def _text(v) -> str | None:
    return None if v is None else "、".join(map(str, v)) if isinstance(v, list) else str(v)


cols = st.columns(len(kinds))
for col, (k, name) in zip(cols, kinds.items()):
    col.metric(name, sum(1 for x in lines if x["kind"] == k))
pick = st.multiselect(t("类别", "Kinds"), list(kinds), default=list(kinds), format_func=kinds.get, key="diff_kinds")
shown = [{"change_kind": kinds[x["kind"]], "change": t(diff.CHANGES[x["change"]], x["change"]), "what": x["what"],
          "id": x["id"], "detail": x["detail"], "old_value": _text(x["before"]), "new_value": _text(x["after"]), "file": x["file"],
          "sheet": x["sheet"], "row": x["row"], "ended_on": x.get("ended_on")}
         for x in lines if x["kind"] in pick]
if shown:
    st.dataframe(frame(shown), hide_index=True, width="stretch", key="diff_lines")
else:
    st.info(t("两次导入之间没有变化。", "Nothing changed between these loads."))
