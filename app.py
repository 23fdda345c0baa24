"""orgnet 组织网络图谱 — the Streamlit app. Start it with `orgnet app` (or `streamlit run app.py`)."""
import os

import streamlit as st

from views._shared import login_gate, logout, role_label

st.set_page_config(page_title="orgnet 组织网络图谱", layout="wide")
os.umask(0o077)  # exports, rejects and archives this process writes: owner only

# The pages live in views/, not pages/: Streamlit also auto-discovers a pages/ folder the old way
# and showed its file names in the sidebar on a page's first load.
# No page icons: Streamlit turns the active page's Material icon into a favicon fetched from
# Google's font server, which an intranet cannot reach.
PAGES = [
    # (file, 中文, English, url)
    ("views/overview.py", "总览", "Overview", "overview"),
    ("views/gaps.py", "覆盖缺口", "Coverage gaps", "gaps"),
    ("views/links.py", "包联关系", "Member–household links", "links"),
    ("views/org_chart.py", "组织架构", "Organisation chart", "org"),
    ("views/map.py", "地图", "Map", "map"),
    ("views/history.py", "历史与变化", "History", "history"),
    ("views/stats.py", "统计与核稿", "Figures", "figures"),
    ("views/queries.py", "查询", "Queries", "queries"),
    ("views/cases.py", "整改", "Rectification", "cases"),
    ("views/planning.py", "规划", "Planning", "planning"),
    ("views/imports.py", "数据导入", "Import", "import"),
    ("views/model.py", "数据模型", "Model", "model"),
    ("views/audit.py", "审计日志", "Audit log", "audit"),
]
#: pages a role must hold a permission to see (the query layer enforces it again below the page)
NEEDS = {"views/imports.py": "load", "views/audit.py": "audit", "views/links.py": "detail", "views/org_chart.py": "detail",
         "views/map.py": "detail"}

me = login_gate()

with st.sidebar:
    st.radio("界面语言 Labels", ["中文", "English"], key="lang", horizontal=True)
    st.caption(f"{me.user} · {role_label(me)}" + (f" · {me.area}" if me.area else ""))
    if st.session_state.get("_single_user"):
        st.caption("单机模式：尚未创建账户，只对本机开放。 Single-user mode (no accounts yet): local only.")
    elif st.button("退出登录 Log out", key="logout"):
        logout()
        st.rerun()
    if me.may("unmask"):
        st.toggle("显示完整姓名、电话、身份证号 Show names and numbers", key="unmask", value=False,
                  help="默认脱敏显示（张*明、138****5678）；每次查看完整信息都记入审计日志。 Masked by default; "
                       "every unmasked view is audited.")
    with st.expander("地图设置 Map settings"):
        st.text_input("瓦片地址 Tile URL (可选)", key="tile_url", value=os.environ.get("ORGNET_TILE_URL", ""),
                      placeholder="http://内网瓦片服务/{z}/{x}/{y}.png",
                      help="没有瓦片服务时地图照常显示楼栋和阵地，只是没有底图。 Optional: the map works without tiles.")

english = st.session_state.get("lang") == "English"
pages = [st.Page(f, title=(en if english else zh), url_path=url if i else "home", default=(i == 0))
         for i, (f, zh, en, url) in enumerate(PAGES) if NEEDS.get(f) is None or me.may(NEEDS[f])]
# Streamlit serves the default page at the root only; its own address (/overview, which people
# bookmark and links name) would show "Page not found". The same page, hidden from the menu,
# answers there too.
f, zh, en, url = PAGES[0]
pages.append(st.Page(f, title=(en if english else zh), url_path=url, visibility="hidden"))
st.navigation(pages).run()
