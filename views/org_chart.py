"""组织架构 Organisation chart: the party chain from the street down to party-centre households."""
from __future__ import annotations

import networkx as nx
import pandas as pd
import streamlit as st

from analysis import network as analysis
from views._orgchart import children as _children, org_dot
from views._shared import data_version, deny, plain, principal, scope, store, t

s = store()
st.title(t("组织架构", "Organisation chart"))
if not principal().county_wide:
    deny("组织架构涵盖全县党组织，只对县级角色开放；本辖区的责任链请在“包联关系”页查看。",
         "The organisation chart covers the whole county: county-wide roles only. See your area's chains on the Links page.")


@st.cache_data(ttl=3600, show_spinner=False)
def tree_data(_store, location: str, version: tuple):
    tree = analysis.party_tree(_store)
    return tree, analysis.anchored(tree), {r["community_id"]: r for r in analysis.chain_completeness(_store)}


tree, anchored, completeness = tree_data(s, s.location, data_version(s))
if tree.number_of_nodes() == 0:
    st.info(t("还没有党组织数据。", "No party organisations loaded yet."))
    st.stop()


def children(n: str) -> list[str]:
    return _children(tree, n)


def badge(n: str) -> str:
    d = tree.nodes[n]
    parts = [t("链条完整", "chain ok") if n in anchored else t("断链", "cut off")]
    if d.get("community_id") in completeness:
        parts.append(t(f"楼栋链条 {completeness[d['community_id']]['completeness']}%",
                       f"buildings chained {completeness[d['community_id']]['completeness']}%"))
    if d.get("buildings"):
        parts.append(t(f"{d['buildings']}栋", f"{d['buildings']} bldg"))
    if d.get("centre_households"):
        parts.append(t(f"中心户{d['centre_households']}", f"{d['centre_households']} centre hh"))
    return " ".join(parts)


# The largest tree first: that is the street most people open the page for.
roots = sorted((n for n, d in tree.nodes(data=True) if d.get("street_level")),
               key=lambda n: (-len(nx.ancestors(tree, n)), tree.nodes[n]["name"]))
path = st.session_state.setdefault("org_path", [])
path[:] = [n for n in path if n in tree]
# A link can open an organisation directly: /org?org=O-00004 (its id, or its exact name).
wanted = st.query_params.get("org")
if wanted and st.session_state.get("org_opened") != wanted:
    st.session_state["org_opened"] = wanted
    hit = wanted if wanted in tree else next((n for n, d in tree.nodes(data=True) if d.get("name") == wanted), None)
    if hit is None:
        st.warning(t(f"没有找到党组织“{plain(wanted)}”。", f"No party organisation “{plain(wanted)}”."))
    else:
        chain = [hit]
        while tree.out_degree(chain[-1]) and next(iter(tree.successors(chain[-1]))) not in chain:
            chain.append(next(iter(tree.successors(chain[-1]))))
        if chain[-1] in roots:
            path[:] = list(reversed(chain))
if not path:
    if not roots:
        st.warning(t("没有负责街道（乡镇）的党组织，无法形成组织树。", "No party organisation is responsible for a street."))
        st.stop()
    path.append(roots[0])

top = st.selectbox(t("街道（乡镇）党组织", "Street party organisation"), roots, index=roots.index(path[0]) if path[0] in roots else 0,
                   format_func=lambda n: tree.nodes[n]["name"], key="org_root")
if top != path[0]:
    path[:] = [top]
current = path[-1]
st.markdown(" › ".join(f"**{plain(tree.nodes[n]['name'])}**" if n == current else plain(tree.nodes[n]["name"])
                        for n in path))
if len(path) > 1 and st.button(t("返回上一级", "Up one level"), key="org_up"):
    path.pop()
    st.rerun()

d = tree.nodes[current]
cols = st.columns(3)
cols[0].metric(t("层级", "Tier"), d.get("tier_name") or d.get("kind") or "—")
leaders = scope().mask([{"leaders": d.get("leaders") or []}], keys={"leaders": {"name"}}, what=f"org:{current}")[0]["leaders"]
cols[1].metric(t("书记/组长", "Secretary / leader"), "、".join(leaders) or "—")
cols[2].metric(t("下级组织", "Sub-organisations"), len(children(current)))
# The chain note is a sentence, not a number: a metric would cut it off.
(st.success if current in anchored else st.error)(t("链条：", "Chain: ") + badge(current))

# The current organisation and the levels below it, growing to the right so siblings stack.
kids = children(current)
st.graphviz_chart(org_dot(tree, current, badge, anchored=anchored, more=t("… 另有 {n} 个，见下表", "… {n} more, see the table")),
                  width="content")
if len(kids) > 24:
    st.caption(t(f"共 {len(kids)} 个下级组织，图中画出前 24 个；用下表逐级进入。",
                 f"{len(kids)} sub-organisations; the picture shows 24. Drill down with the table."))

if kids:
    st.subheader(t("下级组织（选中一行进入）", "Sub-organisations (select a row to drill down)"))
    table = pd.DataFrame([{
        t("名称", "Name"): tree.nodes[c]["name"], t("层级", "Tier"): tree.nodes[c].get("tier_name") or tree.nodes[c].get("kind"),
        t("下级", "Below"): len(children(c)), t("楼栋", "Buildings"): tree.nodes[c].get("buildings"),
        t("党员中心户", "Centre households"): tree.nodes[c].get("centre_households"),
        t("党员", "Members"): tree.nodes[c].get("members"), t("链条", "Chain"): badge(c)} for c in kids])
    picked = st.dataframe(table, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                          key=f"org_children_{current}")
    rows = picked.selection.rows if picked else []
    if rows:
        path.append(kids[rows[0]])
        st.rerun()

centre = scope().query("MATCH (h:Household)-[:CENTRE_HOUSEHOLD_OF]->(o:PartyOrg {id: $o}) "
                       "RETURN h.id AS id, h.address AS address ORDER BY address", {"o": current},
                       what="centre households", area=(("id", "Household"),))
if centre:
    st.subheader(t("党员中心户", "Party-centre households"))
    st.dataframe(pd.DataFrame(centre).rename(columns={"id": t("编号", "Id"), "address": t("地址", "Address")}),
                 hide_index=True, width="stretch")

orphans = scope().mask(analysis.orphan_orgs(s), what="orphan organisations")
if orphans:
    with st.expander(t(f"{len(orphans)} 个党组织未接入组织树（断链）", f"{len(orphans)} organisations cut off from the tree")):
        st.dataframe(pd.DataFrame(orphans), hide_index=True, width="stretch")
