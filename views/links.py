"""包联关系 Member–household links: search, the responsibility chain, linked households, network picture."""
from __future__ import annotations

import streamlit as st

from views import _pictures as pictures
from views._shared import frame, scope, t

sc = scope()
st.title(t("包联关系", "Member–household links"))

query = st.text_input(t("搜索人员、住户或楼栋（姓名、编号、手机号、地址）", "Search a person, household or building"),
                      key="link_q", placeholder="张三 / H-000123 / 和园小区3号楼")
if not query:
    st.info(t("输入姓名、编号或地址开始。也可以按共建单位查看其报到党员。",
              "Type a name, id or address to start, or look up a co-building unit's reported members below."))
else:
    found = sc.named("search", {"q": query.strip()})
    if not found:
        st.warning(t("没有找到。", "Nothing found."))
    else:
        labels = {"Person": t("人员", "Person"), "Household": t("住户", "Household"), "Building": t("楼栋", "Building")}
        shown = found
        pick = st.radio(t("选择", "Pick one"), range(len(shown)), key="link_pick",
                        format_func=lambda i: f"{labels[shown[i]['label']]} · {shown[i]['name']} · {shown[i]['id']}")
        chosen = found[pick]
        label, key = chosen["label"], chosen["id"]
        if label == "Person":
            st.subheader(t("包联的住户", "Linked households"))
            homes = sc.named("member_households", {"member": key})
            st.dataframe(frame(homes), hide_index=True, width="stretch", key="member_homes")
            if not homes:
                st.warning(t("此人没有包联任何住户。", "This person is linked to no household."))
        elif label == "Household":
            st.subheader(t("责任链", "Chain of responsibility"))
            chain = sorted(sc.named("household_chain", {"household": key}), key=lambda r: (r["step"], r["role"]))
            st.dataframe(frame([{k: v for k, v in r.items() if k != "step"} for r in chain]),
                         hide_index=True, width="stretch", key="household_chain")
            if not any(r["step"] == 9 for r in chain):
                st.warning(t("此户没有包联党员。", "No member is linked to this household."))
        else:
            homes = sc.query("MATCH (h:Household)-[:PART_OF]->(:Unit)-[:PART_OF]->(b:Building {id: $b}) "
                             "RETURN h.id AS id, h.address AS address, h.special_groups AS special_groups "
                             "ORDER BY address", {"b": key}, what="building households", area=(("id", "Household"),))
            st.subheader(t("楼栋住户", "Households of the building"))
            st.dataframe(frame(homes), hide_index=True, width="stretch", key="building_homes")

        st.subheader(t("关系网络", "Network"))
        hops = st.slider(t("展开层数", "Hops to expand"), 1, 3, 1, key="link_hops")
        edges = sc.expand((label, key), hops=hops)

        def name_of(r, side):
            return r.get(f"{side}_name") or r[side]

        nodes, links = pictures.neighbourhood_graph(edges, name_of=name_of)
        st.caption(t(f"{len(nodes)} 个对象，{len(links)} 条关系；拖动、缩放，悬停查看类别。",
                     f"{len(nodes)} nodes, {len(links)} relationships; drag, zoom, hover for details."))
        # The picture's data reaches the page only through Jinja's tojson, which escapes HTML.
        st.iframe(pictures.to_html(nodes, links), height=580)

st.divider()
st.subheader(t("共建单位的报到党员", "A co-building unit's reported members"))
units = sc.query("MATCH (o:Organization) WHERE EXISTS { MATCH (o)-[:REPORTED_TO]->(:Community) } "
                 "RETURN o.id AS id, o.name AS name ORDER BY name", what="reported units", area=(("id", "Organization"),))
if units:
    unit = st.selectbox(t("单位", "Unit"), [u["id"] for u in units], key="link_unit",
                        format_func=lambda i: next(u["name"] for u in units if u["id"] == i))
    members = sc.named("unit_reported_members", {"organization": unit})
    st.dataframe(frame(members), hide_index=True, width="stretch", key="unit_members")
else:
    st.caption(t("还没有单位报到。", "No unit has reported yet."))
