"""Masking personal data by what a value is, never by what its column happens to be called.

The model marks personal properties (``graph.model.Prop.personal``: name, phone, id_card, address,
birth_date). Three nets, applied together by :class:`Masker` to every value of every row, however
deeply nested (maps, lists, nodes, relationships, paths):

1. **Structure**: a node or relationship value (Kùzu's ``{'_label': 'Person', …}`` dicts, Neo4j's
   ``Node``/``Relationship``/``Path``) has its marked properties masked by their kind.
2. **Lineage**: :func:`personal_columns` reads the statement's ``WITH``/``RETURN`` items and says
   which result columns are derived from a marked property (``RETURN p.name AS x``,
   ``{n: p.name}``, ``collect(p.phone)``, ``WITH p.id_card AS c RETURN c``); every string (and date)
   anywhere in such a column is masked.
3. **Values**: any string equal to a personal value held in the database (the index the query layer
   builds from the marked properties) is masked by that value's kind, and ID-card numbers (with a
   valid check digit) and mobile numbers are masked wherever they appear inside any string.

Examples
--------
>>> mask_name("张小明"), mask_phone("13800005678"), mask_id_card("110101199003074512")
('张*明', '138****5678', '110101********4512')
>>> m = Masker({"王芳": "name"})
>>> m.rows([{"x": "王芳", "note": "电话13800005678", "n": {"_label": "Person", "id": "P1", "name": "李四"}}])
[{'x': '王*', 'note': '电话138****5678', 'n': {'_label': 'Person', 'id': 'P1', 'name': '李*'}}]
>>> personal_columns("MATCH (p:Person) RETURN p.id AS id, {n: p.name} AS x, collect(p.phone) AS c")
[set(), {'name'}, {'phone'}]
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from graph.model import MODEL, Model
from graph.store import plain


def mask_name(name: Any) -> Any:
    """张三 → 张*, 张小明 → 张*明, 欧阳小明 → 欧**明."""
    if not isinstance(name, str) or not name:
        return name
    if len(name) == 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: Any) -> Any:
    """13800005678 → 138****5678; other numbers keep their last four digits."""
    if not isinstance(phone, str) or not phone:
        return phone
    if len(phone) == 11 and phone.isdigit():
        return phone[:3] + "****" + phone[-4:]
    if len(phone) <= 4:
        return "*" * len(phone)
    return "*" * (len(phone) - 4) + phone[-4:]


def mask_id_card(value: Any) -> Any:
    """110101199003074512 → 110101********4512 (area code and last four only)."""
    if not isinstance(value, str) or not value:
        return value
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


_ROOM = re.compile(r"[0-9０-９A-Za-z\-－]+(室|号|户)?$")


def mask_address(value: Any) -> Any:
    """和园小区3号楼2单元501 → 和园小区3号楼2单元***: the door number goes, the building stays."""
    if not isinstance(value, str) or not value:
        return value
    m = _ROOM.search(value)
    if m and m.start() > 0:
        return value[:m.start()] + "***"
    if len(value) <= 3:
        return "*" * len(value)
    return value[:-3] + "***"


def mask_birth_date(value: Any) -> Any:
    """1990-03-07 → 1990-**-** (the year only)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.year}-**-**"
    if isinstance(value, str) and len(value) >= 4:
        return value[:4] + "-**-**"
    return value


MASKS: dict[str, Callable[[Any], Any]] = {
    "name": mask_name, "phone": mask_phone, "id_card": mask_id_card, "address": mask_address,
    "birth_date": mask_birth_date,
}

# --- values recognised wherever they appear ---------------------------------------------------------
_ID_CARD = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_card_valid(value: str) -> bool:
    """GB 11643 check digit of an 18-digit ID-card number."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    check = "10X98765432"[sum(int(c) * w for c, w in zip(value[:17], _ID_WEIGHTS)) % 11]
    return value[17].upper() == check


def mask_patterns(text: str) -> str:
    """Mask ID-card numbers (valid check digit) and mobile numbers anywhere inside ``text``."""
    if len(text) < 11:
        return text
    text = _ID_CARD.sub(lambda m: mask_id_card(m.group(0)) if id_card_valid(m.group(0)) else m.group(0), text)
    return _MOBILE.sub(lambda m: mask_phone(m.group(0)), text)


# --- lineage: which result columns come from personal properties ------------------------------------
_TOKEN = re.compile(r"""
    (?P<ws>\s+) | (?P<comment>//[^\n]*|/\*.*?(?:\*/|\Z)) | (?P<str>'(?:[^'\\]|\\.)*'?|"(?:[^"\\]|\\.)*"?)
  | (?P<bt>`(?:[^`]|``)*`?) | (?P<word>[A-Za-z_][A-Za-z_0-9]*) | (?P<num>[0-9][0-9.]*) | (?P<sym>.)""",
                    re.X | re.S)
_CLAUSES = {"MATCH", "OPTIONAL", "WHERE", "WITH", "RETURN", "UNWIND", "ORDER", "SKIP", "LIMIT", "UNION", "CALL",
            "CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "FOREACH", "LOAD", "COPY", "YIELD", "USE"}


def _tokens(cypher: str) -> list[tuple[str, str]]:
    """(kind, text) tokens, comments and whitespace dropped; identifiers unquoted. Linear time."""
    out = []
    for m in _TOKEN.finditer(cypher):
        kind = m.lastgroup
        if kind in ("ws", "comment"):
            continue
        text = m.group(0)
        if kind == "bt":
            kind, text = "word", text.strip("`").replace("``", "`")
        out.append((kind, text))
    return out


def _personal_by_prop(model: Model) -> tuple[dict[str, dict[str, str]], dict[str, set[str]]]:
    by_label: dict[str, dict[str, str]] = {}
    any_label: dict[str, set[str]] = {}
    for (label, prop), kind in model.personal_props().items():
        by_label.setdefault(label.lower(), {})[prop] = kind
        any_label.setdefault(prop, set()).add(kind)
    return by_label, any_label


def personal_columns(cypher: str, model: Model = MODEL, union: str = "merge") -> list[set[str]] | None:
    """Personal kinds each result column is derived from, by position (None: cannot tell).

    Variables get their label from patterns (``(p:Person)``, ``[r:LIVES_IN]``); a property of a
    variable with no known label counts as personal if it is personal on any label. Aliases made by
    ``WITH``/``UNWIND`` carry their source's kinds on; a node passed on under a new name keeps its label.
    For a ``UNION`` the kinds of each position are merged over every branch (``union="merge"``, for
    statements typed by users); ``union="agree"`` keeps only kinds every branch agrees on and leaves
    the rest to the value nets (for the curated named queries, whose branches mix people and places).
    """
    toks = _tokens(cypher)
    by_label, any_label = _personal_by_prop(model)
    labels: dict[str, str] = {}      # variable → label (lower case)
    taint: dict[str, set[str]] = {}  # alias → personal kinds it carries
    # pattern variables: "(" or "[" var ":" Label
    for i in range(len(toks) - 3):
        if toks[i][1] in "([" and toks[i + 1][0] == "word" and toks[i + 2][1] == ":" and toks[i + 3][0] == "word":
            labels.setdefault(toks[i + 1][1], toks[i + 3][1].lower())

    def kinds_of(item: list[tuple[str, str]]) -> set[str]:
        found: set[str] = set()
        for j, (kind, text) in enumerate(item):
            if kind != "word":
                continue
            nxt = item[j + 1][1] if j + 1 < len(item) else ""
            prev = item[j - 1][1] if j else ""
            if prev == ".":
                continue
            if nxt == "." and j + 2 < len(item) and item[j + 2][0] == "word":
                prop = item[j + 2][1]
                label = labels.get(text)
                if label is not None and label in by_label:
                    if prop in by_label[label]:
                        found.add(by_label[label][prop])
                elif label is None:
                    found |= any_label.get(prop, set())
                found |= taint.get(text, set())
            elif nxt != "(" and nxt != ":":
                found |= taint.get(text, set())
        return found

    columns: list[set[str]] | None = None
    i, n = 0, len(toks)
    while i < n:
        word = toks[i][1].upper() if toks[i][0] == "word" else ""
        if word not in ("WITH", "RETURN", "UNWIND"):
            i += 1
            continue
        # the clause's items run to the next clause keyword at depth 0
        j, depth = i + 1, 0
        while j < n:
            k, t = toks[j]
            if t in "([{":
                depth += 1
            elif t in ")]}":
                depth -= 1
            elif depth == 0 and k == "word" and t.upper() in _CLAUSES:
                break
            j += 1
        items: list[list[tuple[str, str]]] = [[]]
        depth = 0
        for k, t in toks[i + 1:j]:
            if t in "([{":
                depth += 1
            elif t in ")]}":
                depth -= 1
            if t == "," and depth == 0 and k == "sym":
                items.append([])
            else:
                items[-1].append((k, t))
        clause_cols: list[set[str]] = []
        for item in items:
            if item and item[0][0] == "word" and item[0][1].upper() == "DISTINCT":
                item = item[1:]
            alias = None
            if len(item) >= 2 and item[-2][0] == "word" and item[-2][1].upper() == "AS":
                alias, item = item[-1][1], item[:-2]
            if len(item) == 1 and item[0][1] == "*":
                clause_cols.append(set().union(*taint.values()) if taint else set())
                continue
            kinds = kinds_of(item)
            if alias:
                if len(item) == 1 and item[0][1] in labels:
                    labels[alias] = labels[item[0][1]]
                if kinds:
                    taint[alias] = kinds
                else:
                    taint.pop(alias, None)
            clause_cols.append(kinds)
        if word == "RETURN":
            if columns is None:
                columns = clause_cols
            elif len(columns) == len(clause_cols):
                columns = [(a | b) if union == "merge" else (a if a == b else set())
                           for a, b in zip(columns, clause_cols)]
            else:
                return None
        i = j
    return columns


# --- the masker -------------------------------------------------------------------------------------
def _strongest(kinds: set[str]) -> Callable[[Any], Any]:
    if len(kinds) == 1:
        return MASKS[next(iter(kinds))]
    return mask_name  # several kinds mixed in one value: keep only its first and last character


class Masker:
    """Masks rows by structure, lineage and value (see the module docstring).

    ``index``: personal value → kind, built from the database by the query layer.
    """

    def __init__(self, index: Mapping[str, str] | None = None, model: Model = MODEL):
        self.index = index or {}
        self.model = model
        self._props = {}
        for (label, prop), kind in model.personal_props().items():
            self._props.setdefault(label, {})[prop] = kind

    def rows(self, rows: list[dict], cypher: str | None = None, columns: list[set[str]] | None = None,
             union: str = "merge") -> list[dict]:
        """Masked copies of ``rows``; ``cypher`` (the statement that made them) adds lineage."""
        if columns is None and cypher is not None:
            columns = personal_columns(cypher, self.model, union)
        out = []
        for r in rows:
            kinds_by_key = {}
            if columns:
                kinds_by_key = {k: columns[i] for i, k in enumerate(r) if i < len(columns) and columns[i]}
            out.append({k: self.value(v, kinds_by_key.get(k)) for k, v in r.items()})
        return out

    def value(self, v: Any, kinds: set[str] | None = None) -> Any:
        """One value, masked: whole strings by ``kinds`` (lineage) or by the index; patterns anywhere."""
        if isinstance(v, str):
            if kinds:
                return _strongest(kinds)(v)
            kind = self.index.get(v)
            if kind:
                return MASKS[kind](v)
            return mask_patterns(v)
        if isinstance(v, (dt.date, dt.datetime)):
            return mask_birth_date(v) if kinds else v
        if isinstance(v, dict):
            label = v.get("_label")
            marks = self._props.get(label, {}) if isinstance(label, str) else {}
            return {k: (MASKS[marks[k]](x) if k in marks and x is not None and not kinds else self.value(x, kinds))
                    for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [self.value(x, kinds) for x in v]
        graph_value = _graph_value(v)
        if graph_value is not None:
            return self.value(graph_value, kinds)
        return v


def _graph_value(v: Any) -> Any:
    """A Neo4j driver Node / Relationship / Path as the plain dicts Kùzu returns, else None.

    Property values become plain Python too: the driver's ``neo4j.time.Date`` is no ``datetime.date``,
    and a birth date left in it would pass the masks untouched."""
    if hasattr(v, "nodes") and hasattr(v, "relationships") and not isinstance(v, dict):
        return {"_nodes": list(v.nodes), "_rels": list(v.relationships)}
    if hasattr(v, "labels") and hasattr(v, "items"):
        return {"_label": next(iter(v.labels), None), **{k: plain(x) for k, x in v.items()}}
    if hasattr(v, "type") and hasattr(v, "items") and hasattr(v, "start_node"):
        return {"_label": v.type, **{k: plain(x) for k, x in v.items()}}
    return None

