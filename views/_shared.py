"""What every page shares: the one store of this process, settings, masking and cached results."""
from __future__ import annotations

import os

import pandas as pd
import streamlit as st

from access import masking
from graph.config import open_store
from graph.store import GraphStore
from queries import coverage
from graph.model import MODEL
from reports.export import display, header

REL_NAMES = {r.name: r.zh for r in MODEL.rels}


@st.cache_resource(show_spinner="正在打开数据库 Opening the database…")
def store() -> GraphStore:
    """Created once per process (Kùzu allows one open database per process) and shared by sessions."""
    s = open_store()
    if not getattr(s, "read_only", False):  # a read-only data folder still serves reads
        s.create_schema()
    return s


def data_version(s: GraphStore) -> tuple:
    """Changes when a load commits; cached results are keyed by it."""
    return coverage._version(s)


@st.cache_data(ttl=3600, show_spinner=False)
def counts(_store: GraphStore, location: str, version: tuple) -> dict[str, int]:
    return _store.counts()


@st.cache_data(ttl=3600, show_spinner="正在计算覆盖情况 Computing coverage…")
def summary(_store: GraphStore, location: str, version: tuple) -> list[dict]:
    return coverage.summary(_store)


@st.cache_data(ttl=3600, show_spinner=False)
def rollup(_store: GraphStore, location: str, version: tuple, rule_id: str, params: tuple, by: str,
           areas: tuple = (None, None, None)) -> list[dict]:
    """``areas``: (street, community, grid) to roll up within, each a name or id or None."""
    street, community, grid = areas
    return coverage.rollup(_store, rule_id, dict(params), by=by, street=street, community=community, grid=grid)


@st.cache_data(ttl=3600, show_spinner=False)
def violations(_store: GraphStore, location: str, version: tuple, rule_id: str, params: tuple) -> list[dict]:
    return coverage.violations(_store, rule_id, dict(params))


# --- settings ---------------------------------------------------------------------------------------
def english() -> bool:
    return st.session_state.get("lang", "中文") == "English"


def t(zh: str, en: str) -> str:
    """Chinese first; English when the user chose English labels."""
    return en if english() else zh


def unmasked() -> bool:
    return bool(st.session_state.get("unmask", False))


def tile_url() -> str:
    return st.session_state.get("tile_url", os.environ.get("ORGNET_TILE_URL", ""))


# --- masking ----------------------------------------------------------------------------------------
def mask_rows(rows: list[dict], people: bool = False) -> list[dict]:
    """Masked (``access.masking``) unless the user unmasked them in the sidebar."""
    return rows if unmasked() else masking.mask_rows(rows, people=people)


def frame(rows: list[dict], keep: tuple[str, ...] = ("coverage",)) -> pd.DataFrame:
    """Rows as a table a person reads: Chinese (or English) headers, model labels in words, lists
    joined with 、, empty cells as —, local times without microseconds, rounded coordinates and
    distances (``reports.export.display``). Columns in ``keep`` stay numbers (progress bars)."""
    lang = "en" if english() else "zh"
    shown = []
    for r in rows:
        out = {}
        for c, v in r.items():
            if c in ("label", "src_label", "dst_label") and isinstance(v, str) and v in MODEL.labels:
                v = MODEL.node(v).en if lang == "en" else MODEL.node(v).zh
            elif c in ("rel", "type") and isinstance(v, str) and v in REL_NAMES:
                v = v if lang == "en" else REL_NAMES[v]
            out[c] = v if c in keep else display(c, v)
        shown.append(out)
    df = pd.DataFrame(shown)
    return df.rename(columns={c: header(c, lang) for c in df.columns})


def rule_label(rule_id: str) -> str:
    q = coverage.rule(rule_id)
    return f"{rule_id} {q.title_en if english() else q.title_zh}"
