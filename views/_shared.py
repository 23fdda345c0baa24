"""What every page shares: the one store of this process, settings, masking and cached results."""
from __future__ import annotations

import os
from typing import Any

import pandas as pd
import streamlit as st

from graph import coverage
from graph.config import open_store
from graph.export import header
from graph.store import GraphStore

PERSON_COLUMNS = ("head_name", "non_members", "leaders")
SECRET_COLUMNS = ("phone", "id_card")


@st.cache_resource(show_spinner="正在打开数据库 Opening the database…")
def store() -> GraphStore:
    """Created once per process (Kùzu allows one open database per process) and shared by sessions."""
    s = open_store()
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
def rollup(_store: GraphStore, location: str, version: tuple, rule_id: str, params: tuple, by: str) -> list[dict]:
    return coverage.rollup(_store, rule_id, dict(params), by=by)


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
def mask_name(name: Any) -> Any:
    """张三 → 张*, 张小明 → 张*明, 欧阳小明 → 欧**明."""
    if not isinstance(name, str) or len(name) < 2:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: Any) -> Any:
    """13800005678 → 138****5678; other numbers keep their last four digits."""
    if not isinstance(phone, str) or len(phone) < 7:
        return phone
    if len(phone) == 11 and phone.isdigit():
        return phone[:3] + "****" + phone[-4:]
    return "*" * (len(phone) - 4) + phone[-4:]


def mask_id_card(value: Any) -> Any:
    if not isinstance(value, str) or len(value) < 10:
        return value
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_rows(rows: list[dict], people: bool = False) -> list[dict]:
    """Mask people's names, phones and ID numbers unless the user unmasked them in the sidebar.

    ``people``: the rows are people, so their ``name`` column is a person's name. Rows with
    ``label == 'Person'`` are masked whatever ``people`` says.
    """
    if unmasked():
        return rows
    out = []
    for r in rows:
        r = dict(r)
        if people or r.get("label") == "Person":
            r["name"] = mask_name(r.get("name"))
        for c in PERSON_COLUMNS:
            if c in r:
                r[c] = [mask_name(v) for v in r[c]] if isinstance(r[c], list) else mask_name(r[c])
        if "phone" in r:
            r["phone"] = mask_phone(r["phone"])
        if "id_card" in r:
            r["id_card"] = mask_id_card(r["id_card"])
        out.append(r)
    return out


def frame(rows: list[dict]) -> pd.DataFrame:
    """Rows as a table with Chinese (or English) column headers; lists shown as 、-joined text."""
    df = pd.DataFrame(rows)
    for c in df.columns:
        if df[c].map(lambda v: isinstance(v, list)).any():
            df[c] = df[c].map(lambda v: "、".join(map(str, v)) if isinstance(v, list) else v)
    return df.rename(columns={c: header(c, "en" if english() else "zh") for c in df.columns})


def rule_label(rule_id: str) -> str:
    q = coverage.rule(rule_id)
    return f"{rule_id} {q.title_en if english() else q.title_zh}"
