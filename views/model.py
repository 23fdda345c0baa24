"""数据模型 — the model browser: every label and relationship type, its Chinese name and its count."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from graph.model import BOOKKEEPING
from views._shared import counts, data_version, store, t

s = store()
model = s.model
c = counts(s, s.location, data_version(s))

st.title(t("数据模型", "Data model"))
st.caption(f"数据库 Database: **{s.backend}** · `{s.location}`")

n_nodes = sum(c[n.label] for n in model.nodes)
n_rels = sum(c[r.type] for r in model.rels)
cols = st.columns(4)
cols[0].metric("节点标签 Labels", len(model.nodes))
cols[1].metric("关系类型 Relationship types", len(model.rels))
cols[2].metric("节点 Nodes", f"{n_nodes:,}")
cols[3].metric("关系 Relationships", f"{n_rels:,}")
if n_nodes == 0:
    st.info("数据库为空。用 `orgnet load 台账.xlsx` 导入台账。 The database is empty: load ledgers with `orgnet load`.")

nodes_tab, rels_tab, diagram_tab = st.tabs(["节点 Nodes", "关系 Relationships", "关系图 Diagram"])

with nodes_tab:
    st.dataframe(pd.DataFrame([{
        t("标签", "Label"): n.label, t("中文", "Chinese"): n.zh, "English": n.en, t("含义", "Meaning"): n.doc, t("数量", "Count"): c[n.label],
    } for n in model.nodes]), hide_index=True, width="stretch")
    label = st.selectbox("查看属性 Properties of", model.labels,
                         format_func=lambda l: f"{model.node(l).zh} {l}", key="label")
    st.dataframe(pd.DataFrame([{
        t("属性", "Property"): p.name, t("类型", "Type"): p.type, t("中文", "Chinese"): p.zh, "English": p.en,
        t("必填", "Required"): t("是", "yes") if p.required else "", t("取值", "Allowed values"): "、".join(p.values), t("说明", "Notes"): p.doc,
    } for p in model.node(label).all_props]), hide_index=True, width="stretch")

with rels_tab:
    st.dataframe(pd.DataFrame([{
        t("类型", "Type"): r.type, t("中文", "Chinese"): r.zh, "English": r.en,
        t("起点 → 终点", "From → to"): "; ".join(f"{a} → {b}" for a, b in r.pairs), t("含义", "Meaning"): r.doc, t("数量", "Count"): c[r.type],
    } for r in model.rels]), hide_index=True, width="stretch")
    rel = st.selectbox("查看属性 Properties of", model.rel_types,
                       format_func=lambda t: f"{model.rel(t).zh} {t}", key="rel")
    st.dataframe(pd.DataFrame([{
        t("属性", "Property"): p.name, t("类型", "Type"): p.type, t("中文", "Chinese"): p.zh, "English": p.en, t("说明", "Notes"): p.doc,
    } for p in model.rel(rel).all_props]), hide_index=True, width="stretch")

with diagram_tab:
    dot = ["digraph model {", "rankdir=LR;", 'node [shape=box, style="rounded,filled", fillcolor="#fff3f0", '
           'color="#c0392b", fontname="sans-serif"];', 'edge [fontname="sans-serif", fontsize=9, color="#888888"];']
    for n in model.nodes:
        if n.label not in BOOKKEEPING:
            dot.append(f'{n.label} [label="{n.zh}\\n{n.label}\\n{c[n.label]:,}"];')
    for r in model.rels:
        for a, b in r.pairs:
            dot.append(f'{a} -> {b} [label="{r.zh}"];')
    dot.append("}")
    st.graphviz_chart("\n".join(dot), width="stretch")
