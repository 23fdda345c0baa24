"""Ledger sheets held by column: parsing and checking a column at a time, not a row at a time.

A ledger sheet arrives from ``reading.read_columns`` as one list of cleaned cells per column.
``parse_sheet`` turns each spec column into a list of typed values (``SheetData.values``), its key
column into ``SheetData.keys`` and each reference column into lists of ids: every **distinct** cell
text of a column is parsed and checked once (``cells.to_*``, allowed values, coordinates, plausible
values) and its outcome — the value, or the errors — is applied to every row that holds that text.
The error texts are those of the per-cell rules, so a message is the same whichever way it was made.

Errors are kept per row number (``SheetData.errors``, sparse: most rows have none), in the order a
row-by-row pass would have found them: conflicting alias columns, then column by column, then
"at least one of", then the model's row rules. ``Record`` is a view of one row, for the few checks
that are about single rows (hierarchy cycles, update-only ledgers, rejects).
"""
from __future__ import annotations

import dataclasses
import os
import pickle
import re
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from graph.model import Prop

from . import cells
from .reading import ColumnSheet, read_columns
from .rules import COLUMN_RULES, RULES, TRIGGERS, plausible
from .specs import LEDGERS, Column, Ledger, Ref

# Mainland China with its islands, generously: catches swapped or zeroed coordinates.
CHINA_LAT = (3.0, 54.0)
CHINA_LON = (73.0, 136.0)


@dataclass(frozen=True)
class LedgerError:
    """One problem in one cell (or row, or sheet), as the user sees it in Excel."""

    code: str
    file: str
    sheet: str
    row: int | None
    column: str
    value: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class SheetData:
    """One ledger sheet, parsed, by column. Index ``i`` is the i-th data row (Excel row ``numbers[i]``)."""

    spec: Ledger
    file: str
    sheet: str
    path: Path
    header_row: int
    #: spec header → header as written in the file
    present: dict[str, str]
    columns: list[str]
    #: pairs of columns that mean the same (a header and its alias, e.g. 楼栋编号 and building_id)
    also: list[tuple[str, str]] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    #: the key of each row (None when empty or invalid)
    keys: list[str | None] = field(default_factory=list)
    #: property name → value of each row (None when empty or invalid)
    values: dict[str, list] = field(default_factory=dict)
    #: reference header → ids of each row, as written (None when empty or invalid)
    refs: dict[str, list[list[str] | None]] = field(default_factory=dict)
    #: reference header → property → value of each row (relationship properties of a node ledger)
    ref_values: dict[str, dict[str, list]] = field(default_factory=dict)
    #: reference header → resolved [(label, id)] of each row (None when it has no ids), or just the
    #: label when every id of the row resolved to that one kind (see ``resolved_at``)
    resolved: dict[str, list[list[tuple[str, str]] | str | None]] = field(default_factory=dict)
    #: row index → errors, only for rows that have any
    errors: dict[int, list[LedgerError]] = field(default_factory=dict)
    #: column → the cells as the file holds them, for a rejects file: not kept while loading (a
    #: county's raw cells would double the memory), read again for the rejected rows (``restore_raw``)
    raw: dict[str, list] = field(default_factory=dict)
    #: while other sheets are read and checked, a large sheet's ``values`` wait in an anonymous
    #: temporary file (``spill``; the references and keys the cross-sheet checks need stay here)
    _spilled: Any = field(default=None, repr=False, compare=False)
    #: the fingerprint of each row's raw cells (``graph.fingerprint``), written as ``src_hash``
    fingerprints: list[str] = field(default_factory=list)
    #: rows of the file left out before parsing because the database already holds them exactly so
    #: (``loaders.incremental.Unchanged``), or None
    unchanged: Any = None

    def __len__(self) -> int:
        return len(self.numbers)

    def rows_in_file(self) -> int:
        """Data rows of the sheet: those read and those left out unread (``unchanged``)."""
        return len(self.numbers) + (len(self.unchanged) if self.unchanged is not None else 0)

    def error(self, i: int, code: str, column: str, value: Any, message: str) -> None:
        self.errors.setdefault(i, []).append(LedgerError(code, self.file, self.sheet, self.numbers[i], column,
                                                         None if value is None else str(value), message))

    def spill(self) -> bool:
        """Move ``values`` (the bulk of a sheet: every typed property cell) to an anonymous
        temporary file, so a load holds one large sheet's values at a time, not the county's. The
        file has no name (it is gone when closed or when the process dies, even by ``kill -9``).
        When it cannot be written (a full disk) the values simply stay in memory."""
        if self._spilled is not None or not self.values:
            return False
        f = None
        try:
            f = tempfile.TemporaryFile(prefix="orgnet-sheet-", dir=os.environ.get("ORGNET_SPILL_DIR") or None)
            pickle.dump(self.values, f, protocol=pickle.HIGHEST_PROTOCOL)
            f.flush()
        except OSError:
            if f is not None:
                f.close()
            return False
        self._spilled, self.values = f, {}
        return True

    def unspill(self) -> dict[str, list]:
        """``values``, read back from the temporary file if the sheet was spilled."""
        if self._spilled is not None:
            f, self._spilled = self._spilled, None
            with f:
                f.seek(0)
                self.values = pickle.load(f)
        return self.values

    def drop_values(self) -> None:
        """Forget ``values`` (in memory or spilled): a node sheet's properties, once planned."""
        if self._spilled is not None:
            self._spilled.close()
            self._spilled = None
        self.values = {}

    def resolved_at(self, header: str, i: int) -> list[tuple[str, str]] | None:
        """The resolved references [(label, id)] of row ``i`` in column ``header`` (None if none)."""
        col = self.resolved.get(header)
        entry = col[i] if col is not None else None
        if entry.__class__ is str:
            return [(entry, x) for x in self.refs[header][i]]
        return entry

    def restore_raw(self, is_header) -> None:
        """Read the file again for the cells of this sheet's rows as the file holds them (the reader is
        deterministic: same file, same rows and numbers)."""
        if self.raw or not self.numbers:
            return
        for table in read_columns(self.path, is_header=is_header, display_name=self.file):
            if table.sheet == self.sheet:
                at = {n: i for i, n in enumerate(table.numbers)}
                self.raw = {c: [table.originals[c][at[n]] if n in at else None for n in self.numbers]
                            for c in self.columns if c in table.originals}
                return

    @property
    def records(self) -> list["Record"]:
        return [Record(self, i) for i in range(len(self.numbers))]

    def keep_only(self, rows: list[int]) -> None:
        """Keep rows ``rows`` (indices, in order) and forget the rest: after planning, only the
        rejected rows are still needed (for the rejects file)."""
        if self._spilled is not None:  # the values of the kept rows only
            self.unspill()
        pick = lambda col: [col[i] for i in rows]  # noqa: E731
        self.errors = {n: self.errors[i] for n, i in enumerate(rows) if i in self.errors}
        self.numbers = pick(self.numbers)
        self.keys = pick(self.keys)
        self.values = {k: pick(c) for k, c in self.values.items()}
        self.refs = {k: pick(c) for k, c in self.refs.items()}
        self.ref_values = {h: {k: pick(c) for k, c in d.items()} for h, d in self.ref_values.items()}
        self.resolved = {k: pick(c) for k, c in self.resolved.items()}
        self.raw = {k: pick(c) for k, c in self.raw.items()}
        if self.fingerprints:
            self.fingerprints = pick(self.fingerprints)


class Record:
    """A view of one row of a ``SheetData`` (nothing is copied; ``error`` records on the sheet)."""

    __slots__ = ("source", "i")

    def __init__(self, source: SheetData, i: int):
        self.source, self.i = source, i

    @property
    def row(self) -> int:
        return self.source.numbers[self.i]

    @property
    def key(self) -> str | None:
        return self.source.keys[self.i]

    @property
    def props(self) -> dict[str, Any]:
        i = self.i
        return {k: col[i] for k, col in self.source.unspill().items() if col[i] is not None}

    @property
    def refs(self) -> dict[str, list[str]]:
        i = self.i
        return {h: col[i] for h, col in self.source.refs.items() if col[i] is not None}

    @property
    def resolved(self) -> dict[str, list[tuple[str, str]]]:
        return {h: r for h in self.source.resolved if (r := self.source.resolved_at(h, self.i)) is not None}

    @property
    def raw(self) -> dict[str, Any]:
        i = self.i
        return {c: col[i] for c, col in self.source.raw.items()}

    @property
    def errors(self) -> list[LedgerError]:
        return self.source.errors.get(self.i, [])

    @property
    def provenance(self) -> dict[str, Any]:
        return {"src_file": self.source.file, "src_sheet": self.source.sheet, "src_row": self.row}

    def error(self, code: str, column: str, value: Any, message: str) -> None:
        self.source.error(self.i, code, column, value, message)


# --- cell parsing ---------------------------------------------------------------------------------
def _parse_value(prop: Prop, col: Column, text: str) -> Any:
    t = prop.type
    if prop.name == "id":
        return cells.fix_id(text)
    if col.check == "id_card":
        return cells.check_id_card(text)
    if col.check == "mobile":
        return cells.check_mobile(text)
    if t == "STRING":
        return text
    if t == "INT64":
        return cells.to_int(text)
    if t == "DOUBLE":
        return cells.to_float(text)
    if t == "BOOL":
        return cells.to_bool(text)
    if t == "DATE":
        return cells.to_date(text)
    if t == "TIMESTAMP":
        return cells.to_timestamp(text)
    if t == "STRING[]":
        return cells.to_list(text)
    raise AssertionError(t)


@dataclass(frozen=True)
class _Col:
    """A spec column with what parsing needs, worked out once per ledger."""

    col: Column | Ref
    prop: Prop | None
    required: bool
    #: for a relationship property written from a node ledger: the reference it belongs to
    ref: Ref | None


@lru_cache(maxsize=None)
def _columns(spec_name: str) -> tuple[_Col, ...]:
    spec = LEDGERS[spec_name]
    out = []
    for col in spec.all_columns():
        owner = next((r for r in spec.refs if isinstance(col, Column) and col in r.props), None)
        prop = spec.prop_of(col) if isinstance(col, Column) else None
        out.append(_Col(col, prop, spec.is_required(col), owner))
    return tuple(out)


#: (code, column, value, message) of one error of a cell, before it knows its row
Problem = tuple[str, str, Any, str]


def _check_text(prop: Prop, col: Column, header: str, text: str) -> tuple[Any, list[Problem]]:
    """(value, problems) of one non-empty cell text: the per-cell rules, in their order."""
    try:
        value = _parse_value(prop, col, text)
    except cells.CellError as e:
        return None, [(e.code, header, text, f"“{header}”：{e.message}")]
    if prop.values and value is not None:
        bad = [v for v in (value if isinstance(value, list) else [value]) if v not in prop.values]
        if bad:
            out = []
            for v in bad:
                hint = cells.suggest(v, prop.values)
                tip = f"您是否想填“{hint}”？" if hint else f"可选值：{'、'.join(prop.values)}"
                out.append(("forbidden-value", header, v, f"“{header}”的值“{v}”不在允许范围内，{tip}"))
            return None, out
    if col.check in ("lat", "lon"):
        lo, hi = CHINA_LAT if col.check == "lat" else CHINA_LON
        if not lo <= value <= hi:
            return None, [("out-of-china", header, text,
                           f"“{header}” {value} 不在中国境内（{lo}–{hi}）：请检查是否填反了经纬度，或使用 WGS-84 坐标")]
    why = plausible(prop.name, prop.type, value)
    if why:
        return None, [("implausible-value", header, text, f"“{header}”：{why}")]
    return value, []


# An id that ``fix_id`` returns unchanged: letters, digits and the usual separators, no leading
# apostrophe, no float or exponent form. Most id cells are like this.
_PLAIN_ID = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")


def _parse_cells(prop: Prop, col: Column, header: str, texts: list[str | None]) -> tuple[list, dict[int, list[Problem]]]:
    """Values of a column's cells (None for empty or invalid ones) and the problems per row index.
    Each distinct text is checked once."""
    plain = prop.type == "STRING" and not prop.values and prop.name != "id"
    if plain and not col.check:
        return list(texts), {}  # free text: the cleaned cell is the value
    memo: dict[str, tuple[Any, list[Problem]]] = {}
    values: list = [None] * len(texts)
    problems: dict[int, list[Problem]] = {}
    is_id = prop.name == "id"
    # A cell that already is an 11-digit mobile number is what ``check_mobile`` would return.
    mobile = cells._MOBILE.fullmatch if plain and col.check == "mobile" else None
    mutable = prop.type == "STRING[]"
    for i, text in enumerate(texts):
        if text is None:
            continue
        if (is_id and _PLAIN_ID.fullmatch(text)) or (mobile is not None and mobile(text)):
            values[i] = text
            continue
        hit = memo.get(text)
        if hit is None:
            hit = memo[text] = _check_text(prop, col, header, text)
        value, found = hit
        if found:
            problems[i] = found
        else:
            values[i] = list(value) if mutable else value
    return values, problems


class _RowProps(Mapping):
    """One row's parsed values, for the row rules (``rules.RULES``): ``get`` like a dict."""

    __slots__ = ("values", "i")

    def __init__(self, values: dict[str, list], i: int):
        self.values, self.i = values, i

    def __getitem__(self, name: str) -> Any:
        v = self.values[name][self.i]
        if v is None:
            raise KeyError(name)
        return v

    def __iter__(self) -> Iterator[str]:
        return (k for k, col in self.values.items() if col[self.i] is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


# Control characters survive in a name only by accident (a paste from a web page or a database
# export); private-use code points show as boxes everywhere but on the machine that typed them.
_BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000-\uf8ff\U000f0000-\U0010ffff]")

#: the longest a cell may be, in characters: a name (the longest real organisation names run to
#: about 60), any other text (an address, a remark). Longer is a paste gone wrong, not a value.
MAX_NAME, MAX_TEXT = 100, 1000


def parse_sheet(sd: SheetData, table: ColumnSheet) -> None:
    """Fill ``sd`` from ``table``: typed values, keys, references and every error of single rows."""
    spec, n = sd.spec, len(table.numbers)
    sd.numbers = table.numbers
    sd.fingerprints = table.fingerprints
    texts = table.cells
    sd.keys = [None] * n
    # per row: [(stage, problems)] gathered column by column, then flattened in order
    staged: dict[int, list[Problem]] = {}

    def add(i: int, found: list[Problem]) -> None:
        staged.setdefault(i, []).extend(found)

    for used, other in sd.also:
        base, _, nth = other.rpartition("_")
        twice = nth.isdigit() and base == used
        for i, (a, b) in enumerate(zip(texts[used], texts[other])):
            if a is not None and b is not None and a != b:
                if twice:  # the same header written twice (``reading._unique`` numbered the second)
                    add(i, [("conflicting-columns", f"{base}（第 {nth} 个）", b,
                             f"表头“{base}”出现了 {nth} 次，这一行两列的值不同（“{a}”和“{b}”）："
                             "请删除多余的一列，或让两者一致")])
                else:
                    add(i, [("conflicting-columns", other, b,
                             f"“{other}”与“{used}”是同一列（别名），但这一行两者的值不同（“{a}”和“{b}”）："
                             "请删除其中一列，或让两者一致")])
    for c in _columns(spec.name):
        col = c.col
        header = sd.present.get(col.header)
        column = texts[header] if header else [None] * n
        if c.prop is None:  # a reference column
            refs: list[list[str] | None] = [None] * n
            memo: dict[str, Any] = {}
            for i, text in enumerate(column):
                if text is None:
                    if c.required:
                        add(i, [("missing-value", col.header, None, f"“{col.header}”为必填项，请填写所引用对象的编号")])
                    continue
                if not col.many and _PLAIN_ID.fullmatch(text):
                    refs[i] = [text]  # what fix_id returns for it
                    continue
                hit = memo.get(text)
                if hit is None:
                    try:
                        ids = cells.to_list(text) if col.many else [text]
                        hit = [cells.fix_id(x) for x in ids]
                    except cells.CellError as e:
                        hit = (e.code, col.header, text, f"“{col.header}”：{e.message}")
                    memo[text] = hit
                if isinstance(hit, tuple):
                    add(i, [hit])
                else:
                    refs[i] = list(hit)
            sd.refs[col.header] = refs
            continue
        where = header or col.header
        if c.required:
            for i, text in enumerate(column):
                if text is None:
                    add(i, [("missing-value", where, None, f"“{where}”为必填项，请填写")])
        if c.prop.name == "name" and header:
            raw = table.originals[header]
            bad = {}
            for i, (text, r) in enumerate(zip(column, raw)):
                if text is not None and isinstance(r, str) and (m := _BAD_TEXT.search(r)):
                    add(i, [("bad-text", header, r, f"“{header}”含有不可见的控制字符或私用区字符（U+{ord(m[0]):04X}）："
                                                    "请删除后重新输入这个名称")])
                    bad[i] = True
            if bad:
                column = [None if i in bad else t for i, t in enumerate(column)]
        if header and c.prop.type.startswith("STRING"):
            limit = MAX_NAME if c.prop.name == "name" else MAX_TEXT
            if max(map(len, filter(None, column)), default=0) > limit:
                long = {i for i, t in enumerate(column) if t is not None and len(t) > limit}
                for i in long:
                    add(i, [("too-long", header, column[i][:20] + "…",
                             f"“{header}”有 {len(column[i])} 个字符，超过上限 {limit}：请检查是否误粘贴了多余内容")])
                column = [None if i in long else t for i, t in enumerate(column)]
        values, problems = _parse_cells(c.prop, col, where, column)
        for i, found in problems.items():
            add(i, found)
        if c.ref is not None:
            sd.ref_values.setdefault(c.ref.header, {})[c.prop.name] = values
        elif c.prop.name == "id":
            sd.keys = values
        else:
            sd.values[c.prop.name] = values
    for group in spec.one_of:
        cols = [sd.refs.get(h, [None] * n) for h in group]
        for i in range(n):
            if not any(col[i] for col in cols):
                add(i, [("missing-value", group[0], None, f"“{'”或“'.join(group)}”至少填写一项")])
    if spec.rules:
        rules = [RULES[r] for r in spec.rules]
        # only rows where some rule has a filled input (``rules.TRIGGERS``)
        inputs = [col for r in spec.rules for name in TRIGGERS.get(r, ())
                  if (col := sd.values.get(name) or sd.refs.get(name)) is not None]
        candidates = sorted({i for col in inputs for i, v in enumerate(col) if v is not None}) \
            if all(r in TRIGGERS for r in spec.rules) else range(n)
        for i in candidates:
            props = _RowProps(sd.values, i)
            refs = {h: col[i] for h, col in sd.refs.items() if col[i] is not None}
            for rule in rules:
                for column, message in rule(props, refs, sd.keys[i]):
                    cell = texts.get(sd.present.get(column, column))
                    add(i, [("rule-violation", column, cell[i] if cell is not None else None, message)])
    for check in COLUMN_RULES:
        for i, column, message in check(sd.values):
            cell = texts.get(sd.present.get(column, column))
            add(i, [("rule-violation", column, cell[i] if cell is not None else None, message)])
    for i in sorted(staged):
        for found in staged[i]:
            sd.error(i, *found)
