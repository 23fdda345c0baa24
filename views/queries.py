"""查询 Queries: the named queries with a parameter form, and a read-only free Cypher console."""
from __future__ import annotations

import streamlit as st

from access.roles import AccessDenied
from reports import export
from queries.registry import ParameterError, registry
from graph.store import QueryError
from views._console import console_tab
from views._shared import deny, english, frame, plain, principal, scope, store, t

s = store()
sc = scope()
st.title(t("查询", "Queries"))
if not principal().may("detail"):
    deny("您的角色只能查看汇总（总览、覆盖缺口的汇总）。", "Your role sees aggregates only (Overview, gap roll-ups).")
console = principal().may("console") and principal().county_wide
named_tab, free_tab = st.tabs([t("命名查询", "Named queries"), t("Cypher 控制台（只读）", "Cypher console (read-only)")])

with named_tab:
    reg = {n: q for n, q in registry().items() if not q.context and n != "neighbours"}
    name = st.selectbox(t("查询", "Query"), list(reg), key="q_name",
                        format_func=lambda n: f"{reg[n].rule + ' ' if reg[n].rule else ''}"
                                              f"{reg[n].title_en if english() else reg[n].title_zh}")
    q = reg[name]
    st.caption(q.describe("en" if english() else "zh"))
    with st.form(f"form_{name}"):
        values = {}
        for p in q.params:
            label = p.label("en" if english() else "zh")
            key = f"qp_{name}_{p.name}"
            if isinstance(p.default, bool):
                values[p.name] = st.checkbox(label, value=p.default, key=key)
            elif isinstance(p.default, (int, float)):
                values[p.name] = st.number_input(label, value=p.default, key=key, **p.number_range())
            elif p.choices:
                values[p.name] = st.selectbox(label, p.choices, index=p.choices.index(p.default), key=key)
            else:
                values[p.name] = st.text_input(label, value=p.default, key=key)
        run = st.form_submit_button(t("运行", "Run"))
    with st.expander(t("查看 Cypher", "Show Cypher")):
        st.code(q.cypher(s.backend), language="cypher")
    if run:
        try:
            rows = sc.named(name, values, lang="en" if english() else "zh")
        except (QueryError, AccessDenied, ParameterError) as e:
            st.error(plain(e))
        else:
            if q.rule:
                st.caption(t("规则查询只列出缺口（违反规则的对象）及其所在位置。",
                             "A rule's query lists its gaps (the entities that break it) and where they are."))
            st.dataframe(frame(rows), hide_index=True, width="stretch", key="q_result")
            st.caption(t(f"{len(rows)} 行", f"{len(rows)} rows"))
            st.download_button(t("下载 CSV", "Download CSV"), export.to_csv(rows), f"{name}.csv", key="q_dl",
                               on_click=sc.audit_export, args=(f"{name}.csv", len(rows), "csv"))

with free_tab:
    if not console:
        st.info(t("Cypher 控制台只对县级分析员和管理员开放。", "The Cypher console is for county analysts and administrators."))
        st.stop()
    console_tab(lambda text, timeout, row_cap, cancel: sc.run_console(text, timeout=timeout, row_cap=row_cap,
                                                                     cancel=cancel))
