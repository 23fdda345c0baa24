"""The one engine that reads, validates and writes every ledger.

``validate(paths, store)`` reads the files, matches each sheet to a spec, parses every cell,
checks keys, references and the model's rules, and collects **every** error (none is raised one
at a time). ``load(paths, store)`` writes what validated in **one transaction**: all or nothing by
default, or with ``skip_invalid`` the valid rows, with the rejected rows and their reasons written
to a rejects workbook. Each load is recorded (``Load`` node and ``loads.jsonl`` in the archive) and
its files are archived by hash, so ``rebuild`` can recreate the database from the ledgers.

Examples
--------
>>> from graph.config import open_store                   # doctest: +SKIP
>>> store = open_store("data/orgnet.kuzu")                 # doctest: +SKIP
>>> report = validate(["台账.xlsx"], store)                # doctest: +SKIP
>>> [e.message for e in report.errors][:1]                 # doctest: +SKIP
['“小区类型”的值“大产权”不在允许范围内，您是否想填“大产权小区”？']
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import hashlib
import json
import re
import shutil
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from graph.model import BOOKKEEPING, MODEL, Prop
from graph.store import GraphStore, StoreError, utcnow

from . import cells
from .hierarchy import cycles as _cycles
from .incremental import changed
from .archive import (DISK_FULL_HINT, LoadFailed, archive_files, archived_loads, check_space, commit_pending,  # noqa: F401
                      log_entry, reconcile, replay_files, sha256, write_pending)
from .reading import ReadError, Sheet, read_file
from .rejects import write_rejects
from .retire import retire
from .rules import RULES, existing_only, plausible
from .specs import LEDGERS, Column, Ledger, Ref

Progress = Callable[[str, int, int], None]

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


@dataclass(slots=True)
class Record:
    """One parsed row of a ledger sheet (slots: a county holds hundreds of thousands of them)."""

    source: "SheetData"
    row: int
    #: the cells as the file holds them, written unchanged to a rejects file
    raw: dict[str, Any]
    key: str | None = None
    props: dict[str, Any] = field(default_factory=dict)
    #: reference header → ids (as written); resolved → [(label, id)]
    refs: dict[str, list[str]] = field(default_factory=dict)
    resolved: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    ref_props: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: list[LedgerError] = field(default_factory=list)

    def error(self, code: str, column: str, value: Any, message: str) -> None:
        self.errors.append(LedgerError(code, self.source.file, self.source.sheet, self.row, column,
                                       None if value is None else str(value), message))

    @property
    def provenance(self) -> dict[str, Any]:
        return {"src_file": self.source.file, "src_sheet": self.source.sheet, "src_row": self.row}


@dataclass
class SheetData:
    spec: Ledger
    file: str
    sheet: str
    path: Path
    header_row: int
    #: spec header → header as written in the file
    present: dict[str, str]
    columns: list[str]
    records: list[Record] = field(default_factory=list)
    #: pairs of columns that mean the same (a header and its alias, e.g. 楼栋编号 and building_id)
    also: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Validation:
    """What ``validate`` found: the parsed sheets and every error."""

    sheets: list[SheetData]
    errors: list[LedgerError]
    skipped: list[str]
    files: list[Path]

    @property
    def ok(self) -> bool:
        return not self.errors

    def records(self) -> Iterable[Record]:
        for s in self.sheets:
            yield from s.records

    def summary(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for s in self.sheets:
            out[s.spec.zh] += len(s.records)
        return dict(out)


@dataclass
class LoadReport:
    load_id: str
    written: dict[str, int]
    rejected: int
    errors: list[LedgerError]
    rejects_file: Path | None
    retired: int
    seconds: float
    skipped: list[str]
    #: rows (of ``written``) that the database already held exactly so, and were not rewritten
    unchanged: int = 0
    as_of: dt.date | None = None


class LoadRefused(Exception):
    """The ledgers have errors and the load was all-or-nothing: nothing was written."""

    def __init__(self, validation: Validation):
        n = len(validation.errors)
        super().__init__(f"台账有 {n} 处错误，未写入任何数据。请按错误清单修改后重新导入，"
                         "或使用 --skip-invalid 只导入无误的行（被拒绝的行写入拒收文件）。")
        self.validation = validation


# --- header matching ------------------------------------------------------------------------------
def norm(text: str) -> str:
    """Header comparison key: case, spaces, required-markers and bracket styles do not matter."""
    t = (text or "").strip().lower()
    for a, b in (("（", "("), ("）", ")"), ("*", ""), (" ", ""), ("_", ""), ("　", "")):
        t = t.replace(a, b)
    return t


def _column_names(spec: Ledger, col: Column | Ref) -> list[str]:
    names = [col.header, *col.aliases]
    if isinstance(col, Column):
        p = spec.prop_of(col)
        names += [p.name, p.en]
    return names


def header_map(spec: Ledger) -> dict[str, Column | Ref]:
    """Normalised header or alias → column, first declaration wins (the Chinese header)."""
    out: dict[str, Column | Ref] = {}
    for col in spec.all_columns():
        out.setdefault(norm(col.header), col)
    for col in spec.all_columns():
        for n in _column_names(spec, col):
            out.setdefault(norm(n), col)
    return out


_HEADER_MAPS = {name: header_map(spec) for name, spec in LEDGERS.items()}
_ALL_HEADERS = {h for m in _HEADER_MAPS.values() for h in m}


def is_header(cells_: list[str | None]) -> bool:
    """A row is a header when at least two of its cells are known column names."""
    return sum(1 for c in cells_ if c and norm(c) in _ALL_HEADERS) >= 2


def _name_candidates(label: str) -> list[tuple[int, Ledger]]:
    """Ledgers whose name (or alias) the sheet or file name contains, with the matched length."""
    n = norm(label)
    out: dict[str, tuple[int, Ledger]] = {}
    for spec in LEDGERS.values():
        for cand in (spec.zh, spec.name, spec.en, *spec.aliases):
            c = norm(cand)
            if c and (n == c or c in n) and len(c) > out.get(spec.name, (0, spec))[0]:
                out[spec.name] = (len(c), spec)
    return list(out.values())


def _header_fit(sheet: Sheet, spec: Ledger) -> int | None:
    """How many of ``spec``'s columns the sheet has, or None when a required one is missing."""
    hm = _HEADER_MAPS[spec.name]
    hit = {id(hm[norm(c)]) for c in sheet.columns if norm(c) in hm}
    required = [c for c in spec.all_columns() if spec.is_required(c)]
    return len(hit) if all(id(c) in hit for c in required) else None


def match_spec(sheet: Sheet, path: Path) -> Ledger | None:
    """Which ledger a sheet is.

    Its name (the sheet's, or a CSV's file name) proposes ledgers: every ledger whose name it
    contains. Real file names hold more than the ledger's name ("柳湾社区包联台账.csv" contains
    both 社区 and 包联), so a proposal is taken only when the sheet has that ledger's required
    columns — the longest such name wins. Otherwise the headers decide: the one ledger whose
    required columns are all present and that has the most known columns. When neither works,
    the longest proposed name is kept so the user learns which columns are missing.
    """
    label = sheet.sheet or path.stem
    named = _name_candidates(label)
    fits = {spec.name: f for spec in LEDGERS.values() if (f := _header_fit(sheet, spec)) is not None}
    named_fitting = [(length, fits[spec.name], spec) for length, spec in named if spec.name in fits]
    if named_fitting:
        return max(named_fitting, key=lambda x: (x[0], x[1]))[2]
    scored = sorted(((f, LEDGERS[name]) for name, f in fits.items()), key=lambda x: -x[0])
    if scored and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        return scored[0][1]
    if named:
        best = max(length for length, _ in named)
        longest = [spec for length, spec in named if length == best]
        if len(longest) == 1:
            return longest[0]
    return None


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


def _allowed(rec: Record, prop: Prop, header: str, value: Any) -> bool:
    if not prop.values or value is None:
        return True
    bad = [v for v in (value if isinstance(value, list) else [value]) if v not in prop.values]
    for v in bad:
        hint = cells.suggest(v, prop.values)
        tip = f"您是否想填“{hint}”？" if hint else f"可选值：{'、'.join(prop.values)}"
        rec.error("forbidden-value", header, v, f"“{header}”的值“{v}”不在允许范围内，{tip}")
    return not bad


@dataclass(frozen=True)
class _Col:
    """A spec column with what parsing needs, worked out once per ledger instead of once per cell."""

    col: Column | Ref
    prop: Prop | None
    required: bool
    #: for a relationship property written from a node ledger: the reference it belongs to
    ref: Ref | None
    #: cell text → value for texts that parsed and passed every check (the same 是/否, dates and
    #: kinds repeat down a column); None where values are unique (ids, phones) or mutable (lists)
    good: dict[str, Any] | None = field(default=None, compare=False, hash=False)


@lru_cache(maxsize=None)
def _columns(spec_name: str) -> tuple[_Col, ...]:
    spec = LEDGERS[spec_name]
    out = []
    for col in spec.all_columns():
        owner = next((r for r in spec.refs if isinstance(col, Column) and col in r.props), None)
        prop = spec.prop_of(col) if isinstance(col, Column) else None
        cacheable = prop is not None and prop.name != "id" and not getattr(col, "check", "") in ("id_card", "mobile") \
            and prop.type in ("BOOL", "DATE", "TIMESTAMP", "INT64", "DOUBLE", "STRING")
        out.append(_Col(col, prop, spec.is_required(col), owner, {} if cacheable else None))
    return tuple(out)


def _parse_column(rec: Record, c: _Col, header: str, text: str | None) -> tuple[bool, Any]:
    """(ok, value) of one cell; errors go to ``rec``."""
    prop, col = c.prop, c.col
    if text is None:
        if c.required:
            rec.error("missing-value", header, None, f"“{header}”为必填项，请填写")
        return True, None
    if c.good is not None and (hit := c.good.get(text, _MISS)) is not _MISS:
        return True, hit
    try:
        value = _parse_value(prop, col, text)
    except cells.CellError as e:
        rec.error(e.code, header, text, f"“{header}”：{e.message}")
        return False, None
    if not _allowed(rec, prop, header, value):
        return False, None
    if col.check in ("lat", "lon"):
        lo, hi = CHINA_LAT if col.check == "lat" else CHINA_LON
        if not lo <= value <= hi:
            rec.error("out-of-china", header, text,
                      f"“{header}” {value} 不在中国境内（{lo}–{hi}）：请检查是否填反了经纬度，或使用 WGS-84 坐标")
            return False, None
    why = plausible(prop.name, prop.type, value)
    if why:
        rec.error("implausible-value", header, text, f"“{header}”：{why}")
        return False, None
    if c.good is not None and len(c.good) < 50_000:
        c.good[text] = value
    return True, value


_MISS = object()


# Control characters survive in a name only by accident (a paste from a web page or a database
# export); private-use code points show as boxes everywhere but on the machine that typed them.
_BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000-\uf8ff\U000f0000-\U0010ffff]")


def _bad_text(rec: Record, header: str, raw: Any) -> bool:
    if isinstance(raw, str) and (m := _BAD_TEXT.search(raw)):
        rec.error("bad-text", header, raw,
                  f"“{header}”含有不可见的控制字符或私用区字符（U+{ord(m[0]):04X}）：请删除后重新输入这个名称")
        return True
    return False


def _parse_row(sd: SheetData, row) -> Record:
    spec, values = sd.spec, row.values
    rec = Record(sd, row.number, row.raw)
    for used, other in sd.also:
        if values.get(other) is not None and values.get(used) is not None and values[other] != values[used]:
            rec.error("conflicting-columns", other, values[other],
                      f"“{other}”与“{used}”是同一列（别名），但这一行两者的值不同（“{values[used]}”和“{values[other]}”）："
                      "请删除其中一列，或让两者一致")
    for c in _columns(spec.name):
        col = c.col
        header = sd.present.get(col.header)
        text = values.get(header) if header else None
        if c.prop is None:  # a reference column
            if text is None:
                if c.required:
                    rec.error("missing-value", col.header, None, f"“{col.header}”为必填项，请填写所引用对象的编号")
                continue
            try:
                ids = cells.to_list(text) if col.many else [text]
                rec.refs[col.header] = [cells.fix_id(i) for i in ids]
            except cells.CellError as e:
                rec.error(e.code, col.header, text, f"“{col.header}”：{e.message}")
            continue
        if c.prop.name == "name" and text is not None and _bad_text(rec, header, row.raw.get(header)):
            continue
        ok, value = _parse_column(rec, c, header or col.header, text)
        if not ok:
            continue
        if c.ref is not None:
            rec.ref_props.setdefault(c.ref.header, {})[c.prop.name] = value
        elif c.prop.name == "id":
            rec.key = value
        else:
            rec.props[c.prop.name] = value
    for group in spec.one_of:
        if not any(rec.refs.get(h) for h in group):
            rec.error("missing-value", group[0], None, f"“{'”或“'.join(group)}”至少填写一项")
    for rule in spec.rules:
        for column, message in RULES[rule](rec.props, rec.refs, rec.key):
            rec.error("rule-violation", column, values.get(sd.present.get(column, column)), message)
    return rec


# --- reading --------------------------------------------------------------------------------------
def _read(paths: Sequence[Path], errors: list[LedgerError], skipped: list[str], progress: Progress | None) -> list[SheetData]:
    out = []
    for i, path in enumerate(paths):
        if progress:
            progress(f"读取 Reading {path.name}", i, len(paths))
        t0 = time.monotonic()
        hidden: list[str] = []
        try:
            sheets = read_file(path, is_header=is_header, hidden=hidden)
        except ReadError as e:
            errors.append(LedgerError("unreadable-file", e.file, e.sheet or "", None, "", None, e.message))
            continue
        except FileNotFoundError:
            errors.append(LedgerError("unreadable-file", path.name, "", None, "", None, f"找不到文件 {path}"))
            continue
        recognised, errors_before = False, len(errors)
        skipped.extend(f"{path.name} / {h}：隐藏的工作表，已跳过（如需导入，请在 Excel 中取消隐藏）" for h in hidden)
        if not sheets and not hidden:
            errors.append(LedgerError("empty-file", path.name, "", None, "", None,
                                      "文件是空的，没有任何内容：请确认选对了文件，或在 Excel 中填好台账并保存后再导入"))
        for sheet in sheets:
            spec = match_spec(sheet, path)
            recognised = recognised or spec is not None
            where = f"{path.name}" + (f" / {sheet.sheet}" if sheet.sheet else "")
            if spec is None:
                if not sheet.columns or not is_header(sheet.columns):
                    skipped.append(f"{where}：不是台账，已跳过")
                    continue
                errors.append(LedgerError(
                    "unknown-ledger", path.name, sheet.sheet, sheet.header_row, "", None,
                    "无法识别这是哪种台账：请把工作表（或CSV文件）命名为台账名称，如“楼栋”“包联”，"
                    "或使用模板（“数据导入”页可下载，命令行为 orgnet templates）"))
                continue
            hm = _HEADER_MAPS[spec.name]
            present: dict[str, str] = {}
            also: list[tuple[str, str]] = []  # (column used, another column meaning the same)
            for c in sheet.columns:
                col = hm.get(norm(c))
                if col is not None and col.header not in present:
                    present[col.header] = c
                elif col is not None:
                    also.append((present[col.header], c))
            sd = SheetData(spec, path.name, sheet.sheet, path, sheet.header_row, present, list(sheet.columns))
            sd.also = also
            missing = [c.header for c in spec.all_columns() if spec.is_required(c) and c.header not in present]
            for h in missing:
                errors.append(LedgerError("missing-column", path.name, sheet.sheet, sheet.header_row, h, None,
                                          f"缺少必填列“{h}”：请在表头（第 {sheet.header_row} 行）添加这一列"))
            if missing:
                continue
            sd.records = [_parse_row(sd, r) for r in sheet.rows]
            out.append(sd)
            if progress:
                progress(f"读取 Reading {where}：{_rate(len(sd.records), t0)}", i, len(paths))
        if not recognised and len(errors) == errors_before:
            # A file with no ledger in it is a mistake (the wrong file picked), never an empty load.
            errors.append(LedgerError("unknown-file", path.name, "", None, "", None,
                "文件中没有识别出任何台账：表头应使用模板中的列名（如“楼栋编号”“住户编号”），"
                "或把工作表（CSV 文件）命名为台账名称，如“楼栋”“包联”；可在“数据导入”页下载模板"))
    return out


# --- cross-row checks -----------------------------------------------------------------------------
def _node_index(sheets: list[SheetData], errors_to: Callable[[Record], bool]) -> dict[str, dict[str, Record]]:
    """label → id → first record; later records with the same key get a duplicate-key error."""
    index: dict[str, dict[str, Record]] = defaultdict(dict)
    for sd in sheets:
        if not sd.spec.is_node:
            continue
        for rec in sd.records:
            if rec.key is None or not errors_to(rec):
                continue
            first = index[sd.spec.label].get(rec.key)
            if first is not None:
                rec.error("duplicate-key", sd.spec.key.header, rec.key,
                          f"编号“{rec.key}”重复：与 {first.source.file}"
                          f"{' / ' + first.source.sheet if first.source.sheet else ''} 第 {first.row} 行相同。"
                          "每个编号只能出现一次，请删除或改正重复的行")
            else:
                index[sd.spec.label][rec.key] = rec
    return index


def _refs_of(rec: Record) -> list[tuple[Ref, list[str]]]:
    spec = rec.source.spec
    cols = spec.refs if spec.is_node else (spec.start, spec.end)
    return [(c, rec.refs[c.header]) for c in cols if rec.refs.get(c.header)]


def _lookup_db(store: GraphStore | None, label: str, ids: set[str]) -> set[str]:
    if not store or not ids:
        return set()
    found: set[str] = set()
    ids_list = sorted(ids)
    for i in range(0, len(ids_list), 5000):
        rows = store.query(f"MATCH (n:{label}) WHERE n.id IN $ids RETURN n.id AS id", {"ids": ids_list[i:i + 5000]})
        found |= {r["id"] for r in rows}
    return found


def _resolve(sheets: list[SheetData], store: GraphStore | None, valid_only: bool) -> None:
    """Check keys and references; fill ``Record.resolved``. With ``valid_only`` rows with errors do not count."""
    ok = (lambda r: not r.errors) if valid_only else (lambda r: True)
    index = _node_index(sheets, ok)
    wanted: dict[str, set[str]] = defaultdict(set)
    for sd in sheets:
        for rec in sd.records:
            if not ok(rec):
                continue
            for col, ids in _refs_of(rec):
                for label in col.targets:
                    wanted[label] |= {i for i in ids if i not in index.get(label, {})}
    in_db = {label: _lookup_db(store, label, ids) for label, ids in wanted.items()}
    elsewhere: dict[str, set[str]] = {}
    for sd in sheets:
        for rec in sd.records:
            if not ok(rec):
                continue
            for col, ids in _refs_of(rec):
                resolved = []
                for i in ids:
                    labels = [l for l in col.targets if i in index.get(l, {}) or i in in_db.get(l, set())]
                    kinds = "或".join(MODEL.node(l).zh for l in col.targets)
                    if len(labels) == 1:
                        resolved.append((labels[0], i))
                    elif len(labels) > 1:
                        rec.error("ambiguous-reference", col.header, i,
                                  f"编号“{i}”同时是{'和'.join(MODEL.node(l).zh for l in labels)}的编号，无法确定指的是哪一个："
                                  "请让不同类别的编号互不相同（例如加前缀）")
                    else:
                        other = _other_kind(i, col.targets, index, store, elsewhere)
                        if other:
                            rec.error("wrong-reference-kind", col.header, i,
                                      f"编号“{i}”是{MODEL.node(other).zh}，不是{kinds}：请填写{kinds}的编号")
                        else:
                            rec.error("missing-reference", col.header, i,
                                      f"找不到{kinds}“{i}”：本次导入和数据库中都没有。请先导入{kinds}台账，或改正编号")
                rec.resolved[col.header] = resolved
            if not rec.source.spec.is_node and not valid_only:
                _check_pair(rec)
    if not valid_only:
        _duplicate_pairs(sheets)
        _cycles(sheets, store)


def _other_kind(i: str, targets: tuple[str, ...], index, store, cache: dict[str, set[str]]) -> str | None:
    for label in MODEL.labels:
        if label in targets or label in BOOKKEEPING:
            continue
        if i in index.get(label, {}):
            return label
        if label not in cache:
            cache[label] = set()
        if i not in cache[label] and _lookup_db(store, label, {i}):
            cache[label].add(i)
        if i in cache[label]:
            return label
    return None


def _check_pair(rec: Record) -> None:
    spec = rec.source.spec
    s, e = rec.resolved.get(spec.start.header), rec.resolved.get(spec.end.header)
    if s and e and s[0] == e[0]:
        rec.error("rule-violation", spec.end.header, e[0][1], "起点和终点是同一个对象")


def _duplicate_pairs(sheets: list[SheetData]) -> None:
    seen: dict[tuple, Record] = {}
    for sd in sheets:
        if sd.spec.is_node:
            continue
        for rec in sd.records:
            s, e = rec.resolved.get(sd.spec.start.header), rec.resolved.get(sd.spec.end.header)
            if not (s and e):
                continue
            k = (sd.spec.rel, s[0], e[0])
            first = seen.get(k)
            if first is not None:
                rec.error("duplicate-key", sd.spec.end.header, e[0][1],
                          f"与 {first.source.file}{' / ' + first.source.sheet if first.source.sheet else ''} "
                          f"第 {first.row} 行重复（同一对“{sd.spec.start.header}”和“{sd.spec.end.header}”）：请删除重复行")
            else:
                seen[k] = rec


def validate(paths: Sequence[str | Path], store: GraphStore | None = None, *, progress: Progress | None = None,
             skip_invalid: bool = False) -> Validation:
    """Read and check ledgers; every error is collected. References may point into ``store``."""
    paths = [Path(p) for p in paths]
    errors: list[LedgerError] = []
    skipped: list[str] = []
    sheets = _read(paths, errors, skipped, progress)
    rows, t0 = sum(len(sd.records) for sd in sheets), time.monotonic()
    if progress:
        progress(f"校验 Validating：{rows:,} 行的编号、引用与规则", len(paths), len(paths) + 1)
    _resolve(sheets, store, valid_only=False)
    existing_only(sheets, store)
    if skip_invalid:
        # Rows that survive must not point at rows that will be rejected: repeat until nothing changes.
        while True:
            before = sum(len(r.errors) for sd in sheets for r in sd.records)
            _resolve(sheets, store, valid_only=True)
            if sum(len(r.errors) for sd in sheets for r in sd.records) == before:
                break
    for sd in sheets:
        for rec in sd.records:
            if rec.errors:
                errors.extend(_dedupe(rec.errors))
            else:
                rec.raw = {}  # only a rejected row goes back to the user as it was read
    if progress:
        progress(f"校验 Validated：{_rate(rows, t0)}，{len(errors):,} 处错误", len(paths) + 1, len(paths) + 1)
    return Validation(sheets, errors, skipped, paths)


def _rate(rows: int, since: float) -> str:
    """``12,345 行，6,789 行/秒`` — rows done since ``since`` (``time.monotonic``) and their rate."""
    seconds = max(time.monotonic() - since, 1e-6)
    return f"{rows:,} 行，{rows / seconds:,.0f} 行/秒"


def _dedupe(errors: list[LedgerError]) -> list[LedgerError]:
    return list(dict.fromkeys(errors))


# --- writing --------------------------------------------------------------------------------------
def _plan(v: Validation, load_id: str) -> tuple[list[tuple[str, list[dict]]], list[tuple[tuple[str, str, str], list[dict]]]]:
    """Node batches (label, rows with one column set) and relationship batches ((type, start, end), rows)."""
    nodes: dict[tuple[str, tuple[str, ...]], list[dict]] = defaultdict(list)
    rels: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for sd in v.sheets:
        spec = sd.spec
        # Worked out once per sheet, not once per row.
        cols = tuple(spec.prop_of(c).name for c in spec.columns if c.header in sd.present)
        ref_cols = {ref.header: [p.prop for p in ref.props if p.header in sd.present] for ref in spec.refs}
        for rec in sd.records:
            if rec.errors:
                continue
            prov = {"src_load": load_id, "src_file": sd.file, "src_sheet": sd.sheet, "src_row": rec.row}
            if spec.is_node:
                row = {"id": rec.key, **{c: rec.props.get(c) for c in cols}, **prov}
                nodes[(spec.label, cols)].append(row)
                for ref in spec.refs:
                    for label, i in rec.resolved.get(ref.header, []):
                        given = rec.ref_props.get(ref.header, {})
                        extra = {p: given.get(p) for p in ref_cols[ref.header]}
                        src, dst, a, b = (i, rec.key, label, spec.label) if ref.incoming else (rec.key, i, spec.label, label)
                        rels[(ref.rel, a, b)].append({"src": src, "dst": dst, **extra, **prov})
            else:
                (a, s), (b, e) = rec.resolved[spec.start.header][0], rec.resolved[spec.end.header][0]
                rels[(spec.rel, a, b)].append({"src": s, "dst": e, **{c: rec.props.get(c) for c in cols}, **prov})
    order = {l: i for i, l in enumerate(MODEL.labels)}
    node_batches = sorted(((label, rows) for (label, _), rows in nodes.items()), key=lambda x: order[x[0]])
    # Largest first: a store may bulk-copy into a still-empty table, so the big batch should get there first.
    rel_batches = sorted(rels.items(), key=lambda x: -len(x[1]))
    return node_batches, rel_batches


def _uniform(rows: list[dict]) -> list[list[dict]]:
    """Split rows into groups with identical key sets (a store sets exactly the columns given)."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in rows:
        groups[tuple(r)].append(r)
    return list(groups.values())


def load(paths: Sequence[str | Path], store: GraphStore, *, skip_invalid: bool = False, replace: bool = False,
         archive: Path | None = None, rejects: Path | None = None, progress: Progress | None = None,
         user: str | None = None, as_of: dt.date | None = None,
         _checkpoint: Callable[[str], None] | None = None) -> LoadReport:
    """Validate and write ledgers in one transaction. Raises ``LoadRefused`` (nothing written) on errors
    unless ``skip_invalid``; then valid rows are written and rejected ones go to ``rejects``.
    ``as_of`` is the date the ledgers describe (default today), recorded on the ``Load``."""
    t0 = time.monotonic()
    started = utcnow()
    reconcile(store, archive)
    as_of = as_of or dt.date.today()
    v = validate(paths, store, progress=progress, skip_invalid=skip_invalid)
    if v.errors and not skip_invalid:
        raise LoadRefused(v)
    hashes = {p: sha256(p) for p in v.files}
    load_id = started.strftime("L%Y%m%d%H%M%S") + "-" + hashlib.sha256(
        "".join(sorted(hashes.values())).encode()).hexdigest()[:6]
    node_batches, rel_batches = _plan(v, load_id)
    for sd in v.sheets:  # the plan holds what is written; only rejected rows are still needed
        sd.records = [r for r in sd.records if r.errors]
    if store.backend == "kuzu":
        check_space(Path(store.location), v.files)
    if archive is not None:
        archive_files(archive, hashes)
    written: dict[str, int] = defaultdict(int)
    steps = len(node_batches) + len(rel_batches) + 1
    retired = unchanged = 0
    pending = None
    with _disk_errors(), store.transaction() as tx:
        for i, (label, rows) in enumerate(node_batches):
            if progress:
                progress(f"写入 {MODEL.node(label).zh}：{len(rows):,} 行", i, steps)
            t1 = time.monotonic()
            for group in _uniform(rows):
                group, same = changed(store, group, label=label)
                unchanged += same
                written[label] += tx.upsert_nodes(label, group) + same
            node_batches[i] = (label, [])  # written: let it go before the next batch
            if progress:
                progress(f"写入 {MODEL.node(label).zh}：{_rate(len(rows), t1)}", i + 1, steps)
        if _checkpoint:
            _checkpoint("nodes-written")
        for j, ((t, a, b), rows) in enumerate(rel_batches):
            what = f"{MODEL.rel(t).zh}（{MODEL.node(a).zh}→{MODEL.node(b).zh}）"
            if progress:
                progress(f"写入 {what}：{len(rows):,} 行", len(node_batches) + j, steps)
            t1 = time.monotonic()
            for group in _uniform(rows):
                group, same = changed(store, group, rel=(t, a, b))
                unchanged += same
                # every endpoint was resolved during validation, in this load or in the database
                written[t] += tx.upsert_rels(t, a, b, group, endpoints_checked=True) + same
            if not replace:  # --replace still needs the written pairs
                rel_batches[j] = ((t, a, b), [])
            if progress:
                progress(f"写入 {what}：{_rate(len(rows), t1)}", len(node_batches) + j + 1, steps)
        if _checkpoint:
            _checkpoint("relationships-written")
        if replace:
            retired = retire(tx, v, rel_batches, load_id, as_of)
        rejected = sum(1 for r in v.records() if r.errors)
        files = [{"name": p.name, "sha256": hashes[p]} for p in v.files]
        tx.upsert_nodes("Load", [{
            "id": load_id, "started_at": started, "finished_at": utcnow(), "user": user or _user(),
            "files": json.dumps(files, ensure_ascii=False), "counts": json.dumps(dict(written), ensure_ascii=False),
            "mode": "替换" if replace else ("跳过错误行" if skip_invalid else "全部或不写"),
            "seconds": round(time.monotonic() - t0, 3), "as_of": as_of}])
        if archive is not None:
            # Flushed before the commit: a kill after it is settled by ``reconcile`` on the next open.
            pending = write_pending(archive, log_entry(load_id, started, files, skip_invalid, replace, dict(written), as_of))
        if _checkpoint:
            _checkpoint("before-commit")
        if progress:
            progress("提交 Committing", steps - 1, steps)
    if _checkpoint:
        _checkpoint("committed")
    if progress:
        progress("完成 Done", steps, steps)
    if pending is not None:
        commit_pending(archive, pending)
    rejects_file = None
    if rejected:
        rejects_file = write_rejects(v, rejects or Path(f"rejects-{load_id}.xlsx"))
    return LoadReport(load_id, dict(written), rejected, v.errors, rejects_file, retired,
                      round(time.monotonic() - t0, 3), v.skipped, unchanged, as_of)


@contextmanager
def _disk_errors():
    """A full disk met by the store during the transaction (which rolled back) as ``LoadFailed``."""
    try:
        yield
    except StoreError as e:
        if "No space left" in str(e) or "Disk quota" in str(e):
            raise LoadFailed(f"写入数据库时磁盘已满：{DISK_FULL_HINT}") from None
        raise


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def rebuild(store: GraphStore, archive: Path, *, progress: Progress | None = None,
            after_each: Callable[[LoadReport], None] | None = None) -> list[LoadReport]:
    """Replay every archived load, in order, into ``store`` (which should be empty); ``after_each`` runs
    after each replayed load commits (the CLI records its rule results there)."""
    reports = []
    loads = archived_loads(archive)
    try:
        for n, entry in enumerate(loads):
            if progress:
                progress(f"重放 {entry['id']}", n, len(loads))
            tmp = archive / "replay" / entry["id"]
            paths = replay_files(archive, entry, tmp)
            as_of = dt.date.fromisoformat(entry["as_of"]) if entry.get("as_of") else None
            reports.append(load(paths, store, skip_invalid=entry.get("skip_invalid", False),
                                replace=entry.get("replace", False), rejects=tmp / "rejects.xlsx", as_of=as_of))
            if after_each:
                after_each(reports[-1])
            shutil.rmtree(tmp, ignore_errors=True)
    finally:
        shutil.rmtree(archive / "replay", ignore_errors=True)
    return reports
