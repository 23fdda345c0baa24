"""orgnet 组织网络图谱 — the Streamlit app. Start it with `orgnet app` (or `streamlit run app.py`)."""
import streamlit as st

st.set_page_config(page_title="orgnet 组织网络图谱", page_icon="🏘️", layout="wide")

pages = [
    st.Page("pages/model.py", title="数据模型 Model", icon="🧩", url_path="model", default=True),
]
st.navigation(pages).run()
