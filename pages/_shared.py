"""What every page shares: the one store of this process, and small display helpers."""
from __future__ import annotations

import streamlit as st

from graph.config import open_store
from graph.store import GraphStore


@st.cache_resource(show_spinner="正在打开数据库 Opening the database…")
def store() -> GraphStore:
    """Created once per process (Kùzu allows one open database per process) and shared by sessions."""
    s = open_store()
    s.create_schema()
    return s


@st.cache_data(ttl=30, show_spinner=False)
def counts(_store: GraphStore, location: str) -> dict[str, int]:
    return _store.counts()
