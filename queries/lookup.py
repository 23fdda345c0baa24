"""Refusing what does not exist: ids given to named queries, and the way a user runs a named query.

A query asked about an id that is not in the database returns no rows, which looks like a real
answer ("no links"). Every parameter that names an entity (``household``, ``member``, ``person``,
``organization``) is therefore checked first: a missing value or an unknown id is a
``ParameterError`` that names it and offers the closest ids — or, when the user typed a name
instead of an id, the ids of the entities with that name.

Examples
--------
>>> check_ids(store, registry()["household_chain"], {"household": "H-00001"})  # doctest: +SKIP
ParameterError: 没有编号为“H-00001”的住户 … 相近的编号：H000001、H000010
"""
from __future__ import annotations

import difflib
from typing import Any

from graph.store import GraphStore, Row

from . import coverage
from .registry import NamedQuery, ParameterError

#: parameter name → (label, Chinese noun, name property)
ID_PARAMS = {
    "household": ("Household", "住户", "address"),
    "member": ("Person", "人员", "name"),
    "person": ("Person", "人员", "name"),
    "organization": ("Organization", "单位", "name"),
}


def check_ids(store: GraphStore, q: NamedQuery, params: dict[str, Any] | None) -> None:
    """Raise ``ParameterError`` for a missing or unknown id among ``q``'s id parameters."""
    params = params or {}
    for p in q.params:
        if p.name not in ID_PARAMS:
            continue
        label, noun, name_prop = ID_PARAMS[p.name]
        value = str(params.get(p.name) or "").strip()
        if not value:
            raise ParameterError(f"缺少必填参数 {p.name}（{p.description or noun + '编号'}）：例如 -p {p.name}=编号"
                                 f"（missing required parameter {p.name!r}）")
        found = store.query(f"MATCH (n:{label}) WHERE n.id = $v RETURN n.id AS id", {"v": value})
        if found:
            continue
        raise ParameterError(f"没有编号为“{value}”的{noun}（no {label} with id {value!r}）。{_hint(store, label, name_prop, value)}")


def _hint(store: GraphStore, label: str, name_prop: str, value: str) -> str:
    named = store.query(f"MATCH (n:{label}) WHERE n.{name_prop} = $v RETURN n.id AS id ORDER BY id LIMIT 5", {"v": value})
    if named:
        return f"名称为“{value}”的编号是：{'、'.join(r['id'] for r in named)}"
    ids = [r["id"] for r in store.query(f"MATCH (n:{label}) RETURN n.id AS id")]
    close = difflib.get_close_matches(value, ids, n=3, cutoff=0.5)
    if close:
        return f"相近的编号：{'、'.join(close)}"
    sample = "、".join(sorted(ids)[:3])
    return f"编号形如：{sample}" if sample else "数据库中还没有这类对象"


def run_named(store: GraphStore, q: NamedQuery, params: dict[str, Any] | None = None) -> list[Row]:
    """Run a named query as a user asks for it.

    A rule's query answers with its gaps (and where they are), not with the whole population it
    checks; any other query runs as written once its ids are known to exist.
    """
    if q.rule:
        return coverage.violations(store, q.rule, params)
    check_ids(store, q, params)
    return q.run(store, params)
