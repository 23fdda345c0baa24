"""查询 Queries: the named queries with a parameter form, and a read-only free Cypher console."""
from __future__ import annotations

import streamlit as st

from reports import export
from queries.lookup import run_named
from queries.registry import ParameterError, registry
from queries import readonly
from queries.readonly import WriteRefused
from graph.store import QueryError
from views._shared import english, frame, mask_rows, store, t

s = store()
st.title(t("查询", "Queries"))
named_tab, free_tab = st.tabs([t("命名查询", "Named queries"), t("Cypher 控制台（只读）", "Cypher console (read-only)")])

with named_tab:
    reg = {n: q for n, q in registry().items() if not q.context and n != "neighbours"}
    name = st.selectbox(t("查询", "Query"), list(reg), key="q_name",
                        format_func=lambda n: f"{reg[n].rule + ' ' if reg[n].rule else ''}"
                                              f"{reg[n].title_en if english() else reg[n].title_zh}")
    q = reg[name]
    st.caption(q.description)
    with st.form(f"form_{name}"):
        values = {}
        for p in q.params:
            label = f"{p.description or p.name} ({p.name})"
            key = f"qp_{name}_{p.name}"
            if isinstance(p.default, bool):
                values[p.name] = st.checkbox(label, value=p.default, key=key)
            elif isinstance(p.default, (int, float)):
                values[p.name] = st.number_input(label, value=p.default, key=key)
            else:
                values[p.name] = st.text_input(label, value=p.default, key=key)
        run = st.form_submit_button(t("运行", "Run"))
    with st.expander(t("查看 Cypher", "Show Cypher")):
        st.code(q.cypher(s.backend), language="cypher")
    if run:
        try:
            rows = run_named(s, q, values)
        except (QueryError, ParameterError) as e:
            st.error(str(e))
        else:
            if q.rule:
                st.caption(t("规则查询只列出缺口（违反规则的对象）及其所在位置。",
                             "A rule's query lists its gaps (the entities that break it) and where they are."))
            rows = mask_rows(rows, people=q.entity == "Person")
            st.dataframe(frame(rows), hide_index=True, width="stretch", key="q_result")
            st.caption(t(f"{len(rows)} 行", f"{len(rows)} rows"))
            st.download_button(t("下载 CSV", "Download CSV"), export.to_csv(rows), f"{name}.csv", key="q_dl")

with free_tab:
    st.caption(t("只能读取：CREATE、MERGE、SET、DELETE、REMOVE、DROP、LOAD、COPY 等写操作和写入型过程会在执行前被拒绝。",
                 "Read-only: writes (CREATE, MERGE, SET, DELETE, REMOVE, DROP, LOAD, COPY, write procedures) "
                 "are refused before they run."))
    text = st.text_area("Cypher", "MATCH (c:Community)-[:PART_OF]->(s:Street)\nRETURN s.name AS street, c.name AS community\n"
                        "ORDER BY street, community LIMIT 25", height=140, key="free_cypher")
    if st.button(t("执行", "Run"), key="free_run"):
        try:
            rows = readonly.run(s, text)
        except WriteRefused as e:
            st.error(str(e))
        except QueryError as e:
            st.error(str(e))
        else:
            st.dataframe(frame(mask_rows(rows)), hide_index=True, width="stretch", key="free_result")
            st.caption(t(f"{len(rows)} 行", f"{len(rows)} rows"))
