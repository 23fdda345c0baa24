"""统计与核稿 Figures: the statistics table reports cite (county, streets, communities, with counting basis)
and its XLSX, the report checker (paste or upload a draft), and a community's printable brief."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from queries.registry import ParameterError
from reports import brief, checker, stats
from reports.export import display
from views._shared import data_version, english, plain, principal, scope, store, t

s = store()
version = data_version(s)
st.title(t("统计与核稿", "Figures and report check"))


@st.cache_data(ttl=3600, show_spinner=t("正在统计…", "Counting…"))
def table(_s, location: str, version: tuple) -> list[dict]:
    return stats.statistics(_s)


def _figure(v):
    """A figure as the table shows it: — where there is none (0 workers: no households per worker)."""
    v = display("", v)
    return int(v) if isinstance(v, float) and v.is_integer() else v


figures = table(s, s.location, version)
if not figures or not figures[0]["county"]:
    st.info(t("数据库为空：先导入台账或运行 `orgnet demo`。", "The database is empty: load ledgers or run `orgnet demo`."))
    st.stop()
names = figures[0]["area_names"]
area = scope().area  # staff of a street or community see the county and their own area's columns
if area is not None:
    allowed = (scope().allowed_ids("Street") or set()) | (scope().allowed_ids("Community") or set())
    names = {a: n for a, n in names.items() if a in allowed}
tab_stats, tab_check, tab_brief = st.tabs([t("统计表", "Statistics"), t("核对文稿", "Check a report"),
                                           t("社区简报", "Community brief")])

with tab_stats:
    st.caption(t("每个数字都由图谱计算，并注明统计口径；一人在两个社区任职时各计一次，全县只计一次。",
                 "Every figure is computed from the graph with its counting basis; a person serving in two "
                 "communities counts in each, once in the county."))
    areas = st.multiselect(t("显示的街道和社区", "Streets and communities shown"), list(names), format_func=names.get,
                           default=list(names)[:8], key="stats_areas")
    rows = []
    for r in figures:
        row = {t("统计项", "Figure"): r["figure_en"] if english() else r["figure"],
               t("单位", "Unit"): r["unit"], t("全县", "County"): _figure(r["county"])}
        row.update({names[a]: _figure(r["areas"].get(a)) for a in areas})
        row[t("统计口径", "Counting basis")] = r["basis"]
        rows.append(row)
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="stats_table",
                 height=min(36 * len(rows) + 40, 1400))
    st.download_button(t("下载统计表（Excel）", "Download the table (Excel)"), stats.to_xlsx(figures), "统计表.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="stats_xlsx",
                       on_click=scope().audit_export, args=("统计表.xlsx", len(figures), "xlsx"))

with tab_check:
    st.caption(t("粘贴文稿或上传 .docx / .txt：逐条找出文中关于组织网络的数字，与图谱核对；无法对应的数字单独列出并说明原因，不做猜测。",
                 "Paste a draft or upload .docx / .txt: each figure it claims about the network is checked against "
                 "the graph; figures that cannot be mapped are listed with the reason, never guessed."))
    upload = st.file_uploader(t("上传文稿", "Upload a draft"), type=["docx", "txt"], key="check_upload")
    pasted = st.text_area(t("或粘贴文字", "Or paste the text"), key="check_text", height=160,
                          placeholder="推选楼长1315人、单元长1569人……")
    text = None
    try:
        if upload is not None:
            text = checker.read_text(upload.name, upload.getvalue())
        elif pasted.strip():
            text = pasted
    except ParameterError as e:
        st.error(plain(e))
    if text:
        claims = checker.check(text, s, table=figures)
        n = checker.summary(claims)
        c1, c2, c3 = st.columns(3)
        c1.metric(t("一致", "Agree"), n["agree"])
        c2.metric(t("不一致", "Differ"), n["differ"])
        c3.metric(t("未能对应", "Not mapped"), n["unmapped"])
        status = {"agree": t("一致", "agree"), "differ": t("不一致", "differs"), "unmapped": t("未对应", "not mapped")}
        checked = [c for c in claims if c["status"] != "unmapped"]
        if checked:
            st.dataframe(pd.DataFrame([{
                t("结论", "Result"): status[c["status"]], t("原文数字", "Claim"): c["text"],
                t("统计项", "Figure"): c["figure"], t("区域", "Area"): c["area"], t("图谱数字", "Graph"): c["graph"],
                t("差值", "Difference"): c["difference"], t("句子", "Sentence"): c["sentence"]} for c in checked]),
                hide_index=True, width="stretch", key="check_claims")
        for c in claims:
            if c["status"] == "differ" and c["entities"]:
                with st.expander(t(f"“{c['text']}”差异背后的对象（{len(c['entities'])}）",
                                   f"Entities behind “{c['text']}” ({len(c['entities'])})")):
                    st.caption(c["basis"])
                    st.write("、".join(c["entities"]))
        unmapped = [c for c in claims if c["status"] == "unmapped"]
        if unmapped:
            with st.expander(t(f"未能对应的数字（{len(unmapped)}）", f"Figures not mapped ({len(unmapped)})")):
                st.dataframe(pd.DataFrame([{t("原文数字", "Claim"): c["text"], t("原因", "Reason"): c["reason"],
                                            t("句子", "Sentence"): c["sentence"]} for c in unmapped]),
                             hide_index=True, width="stretch", key="check_unmapped")

with tab_brief:
    if not principal().may("detail"):
        st.info(t("简报列出缺口对象，需要“查看明细”权限。", "A brief lists entities: it needs the detail permission."))
        st.stop()
    comms = [r for r in s.query("MATCH (c:Community) RETURN c.id AS id, c.name AS name ORDER BY c.id")
             if scope().allows("Community", r["id"])]
    pick = st.selectbox(t("社区", "Community"), [c["id"] for c in comms],
                        format_func={c["id"]: c["name"] for c in comms}.get, key="brief_community")
    fmt = st.radio(t("格式", "Format"), ["PDF", "Word (.docx)"], horizontal=True, key="brief_format")
    if st.button(t("生成简报", "Make the brief"), key="brief_make"):
        with st.spinner(t("正在生成…", "Making the brief…")):
            data = brief.brief_data(scope(), pick)
            pdf = fmt == "PDF"
            st.session_state["brief_file"] = (
                f"{data['community']}简报.{'pdf' if pdf else 'docx'}",
                brief.to_pdf(data) if pdf else brief.to_docx(data), len(data["gaps"]) + len(data["cases"]))
    if st.session_state.get("brief_file"):
        name, data, listed = st.session_state["brief_file"]
        st.download_button(t(f"下载 {name}", f"Download {name}"), data, name, key="brief_download",
                           on_click=scope().audit_export, args=(name, listed, name.rsplit(".", 1)[-1]))
