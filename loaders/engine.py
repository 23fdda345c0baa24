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

import datetime as dt
import gc
import getpass
import hashlib
import json
import re
import shutil
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from graph.derived_batch import FIRST, FirstLoad
from graph.model import BOOKKEEPING, MODEL
from graph.store import GraphStore, StoreError, utcnow

from .hierarchy import cycles as _cycles
from .incremental import changed_columns, conflicts, restamp, unchanged_rows
from .plan import Columns, NodeBatch, RelBatch, node_batch_count, plan, plan_nodes, plan_rels, size
from .archive import (DISK_FULL_HINT, LoadFailed, archive_files, archived_loads, check_space, commit_pending,  # noqa: F401
                      log_entry, reconcile, replay_files, sha256, write_pending)
from .columnar import LedgerError, Record, SheetData, parse_sheet
from .memory import give_back, spill_rows
from .reading import ColumnSheet, ReadError, read_columns
from .rejects import write_rejects
from .retire import retire
from .rules import existing_only
from .specs import LEDGERS, Column, Ledger, Ref

Progress = Callable[[str, int, int], None]

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
            out[s.spec.zh] += s.rows_in_file()
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
        skippable = all(e.code != "empty-ledger" for e in validation.errors)
        super().__init__(f"台账有 {n} 处错误，未写入任何数据。请按错误清单修改后重新导入"
                         + ("，或使用 --skip-invalid 只导入无误的行（被拒绝的行写入拒收文件）。" if skippable else "。"))
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


def _header_fit(sheet: ColumnSheet, spec: Ledger) -> int | None:
    """How many of ``spec``'s columns the sheet has, or None when a required one is missing."""
    hm = _HEADER_MAPS[spec.name]
    hit = {id(hm[norm(c)]) for c in sheet.columns if norm(c) in hm}
    required = [c for c in spec.all_columns() if spec.is_required(c)]
    return len(hit) if all(id(c) in hit for c in required) else None


def match_spec(sheet: ColumnSheet, path: Path) -> Ledger | None:
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


# --- reading --------------------------------------------------------------------------------------
_REPEATED = re.compile(r"(.+)_(\d+)")


def _present(spec: Ledger, columns: list[str]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """spec header → the file's header, and pairs of the file's columns that mean the same."""
    hm = _HEADER_MAPS[spec.name]
    present: dict[str, str] = {}
    also: list[tuple[str, str]] = []  # (column used, another column meaning the same)
    for c in columns:
        col = hm.get(norm(c))
        if col is None and (dup := _REPEATED.fullmatch(c)) and dup[1] in columns:
            col = hm.get(norm(dup[1]))  # a header written twice (``reading._unique`` numbered it)
        if col is not None and col.header not in present:
            present[col.header] = c
        elif col is not None:
            also.append((present[col.header], c))
    return present, also


def _selector(store: GraphStore | None, path: Path, left_out: dict, force: set[str]):
    """``reading.Select`` for a re-load: leave out the rows the database holds exactly so
    (``incremental.unchanged_rows``); what was left out is kept in ``left_out`` by sheet name."""
    if store is None:
        return None

    def select(stub: ColumnSheet, numbers, fingerprints, raw_column):
        spec = match_spec(stub, path)
        if spec is None:
            return None
        mask, unchanged = unchanged_rows(store, spec, path.name, stub.sheet, _present(spec, stub.columns)[0],
                                         numbers, fingerprints, raw_column, force)
        if unchanged is not None:
            left_out[stub.sheet] = unchanged
        return mask
    return select


def _read(paths: Sequence[Path], errors: list[LedgerError], skipped: list[str], progress: Progress | None,
          store: GraphStore | None = None, force: dict[Path, set[str]] | None = None) -> list[SheetData]:
    out = []
    spill_at, may_hold = spill_rows()
    held = 0
    for i, path in enumerate(paths):
        if progress:
            progress(f"读取 Reading {path.name}", i, len(paths))
        t0 = time.monotonic()
        hidden: list[str] = []
        left_out: dict[str, object] = {}
        try:
            sheets = read_columns(path, is_header=is_header, hidden=hidden,
                                  select=_selector(store, path, left_out, (force or {}).get(path, set())))
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
            present, also = _present(spec, sheet.columns)
            sd = SheetData(spec, path.name, sheet.sheet, path, sheet.header_row, present, list(sheet.columns))
            sd.also = also
            missing = [c.header for c in spec.all_columns() if spec.is_required(c) and c.header not in present]
            for h in missing:
                errors.append(LedgerError("missing-column", path.name, sheet.sheet, sheet.header_row, h, None,
                                          f"缺少必填列“{h}”：请在表头（第 {sheet.header_row} 行）添加这一列"))
            if missing:
                continue
            parse_sheet(sd, sheet)
            sd.unchanged = left_out.get(sheet.sheet)
            sheet.cells = sheet.originals = {}  # parsed: the texts are not needed any more
            if not sd.rows_in_file():
                skipped.append(f"{where}：只有表头，没有数据行，未导入任何内容")
            if not (len(sd) >= spill_at and held + len(sd) > may_hold and sd.spill()):
                held += len(sd)  # rows whose values stay in memory
            out.append(sd)
            if progress:
                progress(f"读取 Reading {where}：{_rate(len(sd), t0)}", i, len(paths))
        give_back()  # the file's text and Arrow buffers, before the next file is read
        if not recognised and len(errors) == errors_before:
            # A file with no ledger in it is a mistake (the wrong file picked), never an empty load.
            errors.append(LedgerError("unknown-file", path.name, "", None, "", None,
                "文件中没有识别出任何台账：表头应使用模板中的列名（如“楼栋编号”“住户编号”），"
                "或把工作表（CSV 文件）命名为台账名称，如“楼栋”“包联”；可在“数据导入”页下载模板"))
    return out


# --- cross-row checks -----------------------------------------------------------------------------
Index = dict[str, dict[str, tuple[SheetData, int]]]


def _node_index(sheets: list[SheetData], valid_only: bool) -> Index:
    """label → id → (sheet, row index) of its first row; later rows with the same key get a duplicate-key error."""
    index: Index = defaultdict(dict)
    for sd in sheets:
        if not sd.spec.is_node:
            continue
        seen = index[sd.spec.label]
        errs = sd.errors
        header = sd.spec.key.header
        for i, key in enumerate(sd.keys):
            if key is None or (valid_only and i in errs):
                continue
            first = seen.get(key)
            if first is not None:
                fsd, fi = first
                sd.error(i, "duplicate-key", header, key,
                         f"编号“{key}”重复：与 {fsd.file}{' / ' + fsd.sheet if fsd.sheet else ''} 第 {fsd.numbers[fi]} 行相同。"
                         "每个编号只能出现一次，请删除或改正重复的行")
            else:
                seen[key] = (sd, i)
    return index


def _ref_cols(sd: SheetData) -> tuple[Ref, ...]:
    spec = sd.spec
    return spec.refs if spec.is_node else (spec.start, spec.end)


def _lookup_db(store: GraphStore | None, label: str, ids: set[str]) -> set[str]:
    if not store or not ids:
        return set()
    found: set[str] = set()
    ids_list = sorted(ids)
    for i in range(0, len(ids_list), 5000):
        # By key, one id at a time: Kùzu compares ``n.id IN $ids`` with every node of the table
        # (5,000 ids against a million households: 22 CPU-s), while a key lookup is an index probe.
        rows = store.query(f"UNWIND $ids AS i MATCH (n:{label} {{id: i}}) RETURN n.id AS id",
                           {"ids": ids_list[i:i + 5000]})
        found |= {r["id"] for r in rows}
    return found


def _resolve(sheets: list[SheetData], store: GraphStore | None, valid_only: bool) -> None:
    """Check keys and references; fill ``SheetData.resolved``. With ``valid_only`` rows with errors do not count."""
    index = _node_index(sheets, valid_only)
    wanted: dict[str, set[str]] = defaultdict(set)
    for sd in sheets:
        skip = set(sd.errors) if valid_only else ()
        for col in _ref_cols(sd):
            named = {x for i, ids in enumerate(sd.refs.get(col.header, ())) if ids and i not in skip for x in ids}
            for label in col.targets:
                wanted[label] |= named.difference(index.get(label, {}))
    in_db = {label: _lookup_db(store, label, ids) for label, ids in wanted.items()}
    elsewhere: dict[str, set[str]] = {}
    for sd in sheets:
        skip = set(sd.errors) if valid_only else ()
        for col in _ref_cols(sd):
            targets = [(label, index.get(label, {}), in_db.get(label, set())) for label in col.targets]
            kinds = "或".join(MODEL.node(l).zh for l in col.targets)
            ids_col = sd.refs.get(col.header, [])
            out = sd.resolved.get(col.header) or [None] * len(sd)
            label1, seen1, db1 = targets[0] if len(targets) == 1 else (None, None, None)
            for i, ids in enumerate(ids_col):
                if not ids or i in skip:
                    continue
                if label1 is not None and (((x := ids[0]) in seen1 or x in db1) if len(ids) == 1
                                           else all(x in seen1 or x in db1 for x in ids)):
                    out[i] = label1  # every id found, and of the one kind this column takes
                    continue
                resolved = []
                for x in ids:
                    labels = [l for l, seen, db in targets if x in seen or x in db]
                    if len(labels) == 1:
                        resolved.append((labels[0], x))
                    elif len(labels) > 1:
                        sd.error(i, "ambiguous-reference", col.header, x,
                                 f"编号“{x}”同时是{'和'.join(MODEL.node(l).zh for l in labels)}的编号，无法确定指的是哪一个："
                                 "请让不同类别的编号互不相同（例如加前缀）")
                    else:
                        other = _other_kind(x, col.targets, index, store, elsewhere)
                        if other:
                            sd.error(i, "wrong-reference-kind", col.header, x,
                                     f"编号“{x}”是{MODEL.node(other).zh}，不是{kinds}：请填写{kinds}的编号")
                        else:
                            sd.error(i, "missing-reference", col.header, x,
                                     f"找不到{kinds}“{x}”：本次导入和数据库中都没有。请先导入{kinds}台账，或改正编号")
                # compact: a row whose ids all resolved to one kind keeps just that label
                out[i] = resolved[0][0] if len(resolved) == len(ids) and all(r[0] == resolved[0][0]
                                                                           for r in resolved) else resolved
            sd.resolved[col.header] = out
        if not sd.spec.is_node and not valid_only:
            _check_pairs(sd)
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


def _firsts(sd: SheetData, header: str) -> list[tuple[str, str] | None]:
    """The first resolved reference (label, id) of every row in column ``header`` (None if none):
    ``resolved_at(header, i)[0]`` for each row, without a list per row."""
    col = sd.resolved.get(header)
    if col is None:
        return [None] * len(sd)
    refs = sd.refs.get(header) or [None] * len(sd)
    return [(entry, ids[0]) if entry.__class__ is str else (entry[0] if entry else None)
            for entry, ids in zip(col, refs)]


def _pairs(sd: SheetData) -> Iterable[tuple[int, tuple[str, str], tuple[str, str]]]:
    """(row index, first start, first end) of the rows whose both ends resolved."""
    starts, ends = _firsts(sd, sd.spec.start.header), _firsts(sd, sd.spec.end.header)
    return ((i, s, e) for i, (s, e) in enumerate(zip(starts, ends)) if s and e)


def _check_pairs(sd: SheetData) -> None:
    if not set(sd.spec.start.targets) & set(sd.spec.end.targets):
        return  # the two ends are of different kinds: never the same object
    for i, s, e in _pairs(sd):
        if s == e:
            sd.error(i, "rule-violation", sd.spec.end.header, e[1], "起点和终点是同一个对象")


def _duplicate_pairs(sheets: list[SheetData]) -> None:
    seen: dict[tuple, tuple[SheetData, int]] = {}
    for sd in sheets:
        if sd.spec.is_node:
            continue
        rel = sd.spec.rel
        for i, s, e in _pairs(sd):
            k = (rel, s, e)
            first = seen.get(k)
            if first is not None:
                fsd, fi = first
                sd.error(i, "duplicate-key", sd.spec.end.header, e[1],
                         f"与 {fsd.file}{' / ' + fsd.sheet if fsd.sheet else ''} "
                         f"第 {fsd.numbers[fi]} 行重复（同一对“{sd.spec.start.header}”和“{sd.spec.end.header}”）：请删除重复行")
            else:
                seen[k] = (sd, i)


@contextmanager
def _no_gc():
    """Python's cycle collector off while a load makes millions of small objects that hold no cycles:
    each of its full passes walks every live object, so a county-sized load spent half its time there
    (×5: 18 CPU-s to read and validate with it, 7 without). Back on afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def validate(paths: Sequence[str | Path], store: GraphStore | None = None, *, progress: Progress | None = None,
             skip_invalid: bool = False) -> Validation:
    """Read and check ledgers; every error is collected. References may point into ``store``."""
    with _no_gc():
        return _validate(paths, store, progress=progress, skip_invalid=skip_invalid)


def _validate(paths: Sequence[str | Path], store: GraphStore | None, *, progress: Progress | None,
              skip_invalid: bool) -> Validation:
    paths = [Path(p) for p in paths]
    errors: list[LedgerError] = []
    skipped: list[str] = []
    sheets = _read(paths, errors, skipped, progress, store)
    force: dict[Path, set[str]] = defaultdict(set)
    for _ in range(3):
        # A left-out row whose key a read row repeats is read after all: the duplicate is reported as before.
        again = {p: hs - force[p] for p, hs in conflicts(sheets).items() if hs - force[p]}
        if not again:
            break
        for p, hs in again.items():
            force[p] |= hs
        redo = [p for p in paths if p in again]
        errors = [e for e in errors if e.file not in {p.name for p in redo}]
        skipped = [m for m in skipped if not any(m.startswith(f"{p.name} ") or m.startswith(f"{p.name}：") for p in redo)]
        fresh = {p: _read([p], errors, skipped, None, store, force) for p in redo}
        sheets = [sd for p in paths for sd in (fresh[p] if p in fresh else [s for s in sheets if s.path == p])]
    rows, t0 = sum(len(sd) for sd in sheets), time.monotonic()
    if progress:
        progress(f"校验 Validating：{rows:,} 行的编号、引用与规则", len(paths), len(paths) + 1)
    _resolve(sheets, store, valid_only=False)
    existing_only(sheets, store)
    if skip_invalid:
        # Rows that survive must not point at rows that will be rejected: repeat until nothing changes.
        while True:
            before = sum(len(e) for sd in sheets for e in sd.errors.values())
            _resolve(sheets, store, valid_only=True)
            if sum(len(e) for sd in sheets for e in sd.errors.values()) == before:
                break
    for sd in sheets:
        for i in sorted(sd.errors):
            errors.extend(_dedupe(sd.errors[i]))
    if progress:
        progress(f"校验 Validated：{_rate(rows, t0)}，{len(errors):,} 处错误", len(paths) + 1, len(paths) + 1)
    return Validation(sheets, errors, skipped, paths)


def _rate(rows: int, since: float) -> str:
    """``12,345 行，6,789 行/秒`` — rows done since ``since`` (``time.monotonic``) and their rate."""
    seconds = max(time.monotonic() - since, 1e-6)
    return f"{rows:,} 行，{rows / seconds:,.0f} 行/秒"


class _Written:
    """The write's progress, batch by batch. A store may write a batch behind the loader (Kùzu's
    COPY into an empty table: ``Transaction.writes_behind``) while the next is prepared; such a
    batch is reported written when the store has written it, its rate from the time spent on it
    (preparing it, then writing it), not from the time it waited behind the others."""

    def __init__(self, tx, progress: Progress | None, steps: int):
        self.tx, self.progress, self.steps = tx, progress, steps
        self.done = 0
        #: (what, rows, seconds spent preparing it, number of its write run behind or None)
        self.handed_over: deque[tuple[str, int, float, int | None]] = deque()

    def start(self, what: str, rows: int) -> tuple[float, int]:
        if self.progress:
            self.progress(f"写入 {what}：{rows:,} 行", self.done, self.steps)
        return time.monotonic(), self.tx.writes_behind()

    def handed(self, what: str, rows: int, since: tuple[float, int]) -> None:
        t1, behind = since
        job = behind if self.tx.writes_behind() > behind else None
        self.handed_over.append((what, rows, time.monotonic() - t1, job))
        self._report(wait=False)

    def finish(self) -> None:
        """Wait for the batches still being written, reporting each as it is done."""
        self._report(wait=True)

    def _report(self, wait: bool) -> None:
        while self.handed_over:
            what, rows, seconds, job = self.handed_over[0]
            if job is not None:
                if wait:
                    self.tx.wait_write(job)
                if (times := self.tx.write_time(job)) is None:
                    return
                seconds += times[1] - times[0]
            self.handed_over.popleft()
            self.done += 1
            if self.progress:
                self.progress(f"写入 {what}：{rows:,} 行，{rows / max(seconds, 1e-6):,.0f} 行/秒", self.done, self.steps)


def _dedupe(errors: list[LedgerError]) -> list[LedgerError]:
    return list(dict.fromkeys(errors))


# --- writing --------------------------------------------------------------------------------------
def _plan(v: Validation, load_id: str) -> tuple[list[NodeBatch], list[RelBatch]]:
    """Node batches (label, columns) and relationship batches ((type, start, end), columns): ``plan.plan``."""
    return plan(v, load_id)


def load(paths: Sequence[str | Path], store: GraphStore, *, skip_invalid: bool = False, replace: bool = False,
         archive: Path | None = None, rejects: Path | None = None, progress: Progress | None = None,
         user: str | None = None, as_of: dt.date | None = None,
         _checkpoint: Callable[[str], None] | None = None) -> LoadReport:
    """Validate and write ledgers in one transaction. Raises ``LoadRefused`` (nothing written) on errors
    unless ``skip_invalid``; then valid rows are written and rejected ones go to ``rejects``.
    ``as_of`` is the date the ledgers describe (default today), recorded on the ``Load``."""
    with _no_gc():
        return _load(paths, store, skip_invalid=skip_invalid, replace=replace, archive=archive, rejects=rejects,
                     progress=progress, user=user, as_of=as_of, _checkpoint=_checkpoint)


def _empty_under_replace(sheets: list[SheetData], store: GraphStore) -> list[LedgerError]:
    """A ledger with a header and no rows whose earlier loads wrote relationships cannot take part in
    ``--replace``: it would retire every one of them (a building ledger emptied by mistake would
    detach every building from its compound). So it is an error, also under ``--skip-invalid``; an
    empty ledger that never wrote anything (none of that kind yet) is harmless."""
    from graph.schema import rels_from_source

    out = []
    for sd in sheets:
        if sd.rows_in_file():
            continue
        written = sum(len(store.query(rels_from_source(t, a, b), {"file": sd.file, "sheet": sd.sheet}))
                      for t in sd.spec.rel_types() for a, b in MODEL.rel(t).pairs
                      if not sd.spec.is_node or sd.spec.label in (a, b))
        if written:
            out.append(LedgerError(
                "empty-ledger", sd.file, sd.sheet, sd.header_row, "", None,
                f"“{sd.spec.zh}”台账只有表头、没有数据行：使用 --replace（替换）导入时，这会结束此前由该台账写入的 "
                f"{written:,} 条关系。请确认选对了文件、内容没有丢失；若只是没有新数据，请不要在这次导入中包含它"))
    return out


def _load(paths: Sequence[str | Path], store: GraphStore, *, skip_invalid: bool, replace: bool,
          archive: Path | None, rejects: Path | None, progress: Progress | None, user: str | None,
          as_of: dt.date | None, _checkpoint: Callable[[str], None] | None) -> LoadReport:
    t0 = time.monotonic()
    started = utcnow()
    reconcile(store, archive)
    as_of = as_of or dt.date.today()
    v = validate(paths, store, progress=progress, skip_invalid=skip_invalid)
    if replace and (empty := _empty_under_replace(v.sheets, store)):
        v.errors.extend(empty)
        raise LoadRefused(v)
    if v.errors and not skip_invalid:
        raise LoadRefused(v)
    hashes = {p: sha256(p) for p in v.files}
    load_id = started.strftime("L%Y%m%d%H%M%S") + "-" + hashlib.sha256(
        "".join(sorted(hashes.values())).encode()).hexdigest()[:6]
    # Relationships are planned first (ids the sheets hold anyway); node batches one label at a
    # time, each written before the next label's values are read back from disk.
    rel_batches = plan_rels(v.sheets, load_id)
    node_steps = node_batch_count(v.sheets)
    give_back()
    if store.backend == "kuzu":
        check_space(Path(store.location), v.files)
    if archive is not None:
        archive_files(archive, hashes)
    written: dict[str, int] = defaultdict(int)
    steps = node_steps + len(rel_batches) + 1
    retired = unchanged = 0
    pending = None
    left_out = {(sd.file, sd.sheet): sd.unchanged for sd in v.sheets if sd.unchanged is not None}
    with _disk_errors(), store.load_transaction(load_id) as tx:
        # Into an empty database the load's batches are the whole graph: their derived values
        # (graph.derived_batch) go into the same COPY, and the store recomputes none of them.
        first = FirstLoad(rel_batches) if not replace and tx.network_empty() else None
        if first:
            tx.supply_derived()
        done = _Written(tx, progress, steps)
        for label, batches in _each_label(v, load_id, first):
            extra = first.columns(label, batches) if first else {}
            at = 0
            while batches:
                cols = batches.pop(0)
                rows = size(cols)
                t1 = done.start(MODEL.node(label).zh, rows)
                if first:  # nothing is stored yet: nothing is unchanged
                    todo, same = {**cols, **{p: values[at:at + rows] for p, values in extra.items()}}, 0
                else:
                    todo, same = changed_columns(store, cols, label=label, left_out=left_out)
                if same:
                    restamp(store, tx, cols, label=label)
                unchanged += same
                written[label] += tx.upsert_node_columns(label, todo) + same
                del cols, todo  # written (or being written behind us): let it go before the next batch
                at += rows
                done.handed(MODEL.node(label).zh, rows, t1)
            del extra
        give_back()
        if _checkpoint:
            done.finish()  # the kill-point tests stop here with every node written
            _checkpoint("nodes-written")
        for j, ((t, a, b), cols) in enumerate(rel_batches):
            what = f"{MODEL.rel(t).zh}（{MODEL.node(a).zh}→{MODEL.node(b).zh}）"
            rows = size(cols)
            t1 = done.start(what, rows)
            # into an empty database nothing is unchanged
            todo, same = (cols, 0) if first else changed_columns(store, cols, rel=(t, a, b), left_out=left_out)
            if same and "src_hash" in cols:
                restamp(store, tx, cols, rel=(t, a, b))
            unchanged += same
            # every endpoint was resolved during validation, in this load or in the database
            written[t] += tx.upsert_rel_columns(t, a, b, todo, endpoints_checked=True) + same
            # --replace still needs the written pairs
            rel_batches[j] = ((t, a, b), {"src": cols["src"], "dst": cols["dst"]} if replace else {})
            done.handed(what, rows, t1)
        done.finish()
        for sd in v.sheets:  # rows left out before parsing: held exactly so, counted as written
            u = sd.unchanged
            if u is not None:
                if sd.spec.is_node:
                    written[sd.spec.label] += len(u)
                    unchanged += len(u)
                for (t, _a, _b), n in u.rels.items():
                    written[t] += n
                    unchanged += n
        if _checkpoint:
            _checkpoint("relationships-written")
        if first:
            tx.derived_dirty = False  # every derived value was written with its node
        if replace:
            retired = retire(tx, v, rel_batches, load_id, as_of)
        rejected = sum(len(sd.errors) for sd in v.sheets)
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
        give_back()
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
        for sd in v.sheets:  # only a rejected row goes back to the user as it was read
            if sd.errors:
                sd.restore_raw(is_header)
        rejects_file = write_rejects(v, rejects or Path(f"rejects-{load_id}.xlsx"))
    return LoadReport(load_id, dict(written), rejected, v.errors, rejects_file, retired,
                      round(time.monotonic() - t0, 3), v.skipped, unchanged, as_of)


def _each_label(v: Validation, load_id: str, first: FirstLoad | None = None) -> Iterable[tuple[str, list[Columns]]]:
    """(label, its node batches) in model order, planned one label at a time (``plan.plan_nodes``);
    with ``first``, the labels whose values feed other labels' derived values come first, and are
    remembered."""
    order = MODEL.labels if first is None else (*FIRST, *(x for x in MODEL.labels if x not in FIRST))
    for label in order:
        batches = [cols for _, cols in plan_nodes(v.sheets, load_id, label)]
        if batches and first is not None:
            first.remember(label, batches)
        if batches:
            yield label, batches


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
