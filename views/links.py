"""包联关系 Member–household links: search, the responsibility chain, linked households, network picture."""
from __future__ import annotations

import streamlit as st

from views import _pictures as pictures
from reports.export import natural_key
from views._shared import english, frame, scope, t

sc = scope()
st.title(t("包联关系", "Member–household links"))

query = st.text_input(t("搜索人员、住户或楼栋（姓名、编号、地址、户主；可看完整信息时也可用手机号、身份证号）",
                        "Search a person, household or building (name, id, address, head; phone or ID number "
                        "when you may see them in full)"),
                      key="link_q", placeholder="张三 / H-000123 / 手机号 / 和园小区3号楼")
PER_KIND = 20
if not query:
    st.info(t("输入姓名、编号、手机号或地址开始。也可以按共建单位查看其报到党员。",
              "Type a name, id, phone number or address to start, or look up a co-building unit's reported members below."))
else:
    raw = sc.named("search", {"q": query.strip(), "limit": PER_KIND + 1})
    found, capped = [], []
    for kind in ("Person", "Household", "Building"):
        rows = sorted((r for r in raw if r["label"] == kind), key=lambda r: (natural_key(r["name"]), r["id"]))
        if len(rows) > PER_KIND:
            capped.append(kind)
        found += rows[:PER_KIND]
    if not found:
        st.warning(t("没有找到。", "Nothing found."))
    else:
        labels = {"Person": t("人员", "Person"), "Household": t("住户", "Household"), "Building": t("楼栋", "Building")}
        if capped:
            st.caption(t(f"{'、'.join(labels[k] for k in capped)}超过 {PER_KIND} 条，只列出前 {PER_KIND} 条（按名称排序）："
                         "请输入更具体的关键词，如加上小区或楼号。",
                         f"More than {PER_KIND} {', '.join(labels[k] for k in capped)} match; the first {PER_KIND} "
                         "by name are listed: type more of the name or address."))
        roles = (("building_leader", t("楼长", "building leader")), ("unit_leader", t("单元长", "unit leader")),
                 ("grid_worker", t("网格员", "grid worker")), ("officer", t("党组织任职", "party officer")))
        where = {k: sc.context(k) for k in {r["label"] for r in found}}

        def describe(r: dict) -> str:
            ctx = where[r["label"]].get(r["id"], {})
            parts = [labels[r["label"]], r["name"] or r["id"]]
            if r["label"] == "Person":
                parts.append(r["detail"] or "")
                parts += [name for col, name in roles if r.get(col)]
            elif r["label"] == "Household" and r.get("detail"):
                parts.append(t("户主 ", "head ") + str(r["detail"]))
            parts.append(ctx.get("community") or "")
            parts.append(r["id"])
            return " · ".join(p for p in parts if p)

        shown = found
        pick = st.radio(t("选择", "Pick one"), range(len(shown)), key="link_pick",
                        format_func=lambda i: describe(shown[i]))
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
        hops = st.radio(t("展开层数", "Hops to expand"), [1, 2, 3], horizontal=True, key="link_hops",
                        format_func=lambda h: t(f"{h} 层", f"{h} hop{'s' if h > 1 else ''}"))
        edges = sc.expand((label, key), hops=hops)

        def name_of(r, side):
            return r.get(f"{side}_name") or r[side]

        nodes, links = pictures.neighbourhood_graph(edges, name_of=name_of)
        total = len(nodes)
        nodes, links = pictures.collapse(nodes, links, keep={f"{label}:{key}"})
        st.html(pictures.legend(nodes, english=english()))
        grouped = t(f"，同一单元的住户等合并为一个圆点（共 {total} 个对象）" if len(nodes) < total else "",
                    f"; households of a unit and the like are grouped ({total} in all)" if len(nodes) < total else "")
        st.caption(t(f"{len(nodes)} 个节点，{len(links)} 条关系{grouped}；拖动、缩放，悬停查看名称和关系。",
                     f"{len(nodes)} nodes, {len(links)} relationships{grouped}; drag, zoom, hover for names."))
        # The picture's data reaches the page only through Jinja's tojson, which escapes HTML.
        st.iframe(pictures.to_html(nodes, links, height="560px"), height=566)

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
