"""Read 台账 files (.xlsx, .xlsm, .csv, .txt) into sheets of cleaned rows.

This layer knows nothing of the graph model: it finds each sheet's header row, undoes merged
cells, cleans every value with ``cells.clean`` and keeps the row numbers the user sees in
Excel, so later error messages can point at "第 12 行".
"""
from __future__ import annotations

import csv
import io
import itertools
import os
import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine

from graph.fingerprint import VERSION, row_fingerprint, rows_fingerprints, salt, table_fingerprints

from .cells import _NOT_PLAIN, _PLAIN, clean

HEADER_SEARCH_ROWS = 20
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
TEXT_SUFFIXES = {".csv", ".txt"}
SAVE_AS_HINT = "请在 Excel 或 WPS 中“另存为” Excel 工作簿（.xlsx）或 CSV UTF-8（逗号分隔），再导入"

HeaderTest = Callable[[list[str | None]], bool]
#: ``select(sheet, numbers, fingerprints, raw_column)`` → which rows to read (a pyarrow boolean
#: array), or None for all: ``sheet`` has the file, sheet, header row and columns but no rows yet;
#: ``numbers`` and ``fingerprints`` are pyarrow arrays of every data row, ``raw_column(name)`` the
#: raw cells of a column (pyarrow strings, null when empty). A re-load leaves out the rows the
#: database already holds exactly so before anything is converted or parsed (``loaders.incremental``).
Select = Callable[["ColumnSheet", object, object, Callable[[str], object]], object]


@dataclass
class Row:
    """One data row: ``number`` as Excel shows it, ``values`` keyed by column header."""

    number: int
    values: dict[str, str | None]
    #: the cells exactly as the file holds them (numbers, dates, untrimmed text), for a rejects file
    raw: dict[str, object] = field(default_factory=dict, compare=False, repr=False)


@dataclass
class Sheet:
    """One table found in a file.

    ``header_row`` is 1-based (0 when no header was found, then ``columns`` and ``rows`` are
    empty). ``sheet`` is "" for CSV.
    """

    file: str
    sheet: str
    header_row: int
    columns: list[str]
    rows: list[Row] = field(default_factory=list)


@dataclass
class ColumnSheet:
    """One table found in a file, held by column: what the loader reads (``read_columns``).

    ``numbers`` are the data rows' numbers as Excel shows them; ``cells[name]`` the cleaned values
    of column ``name`` (one per row, None when empty); ``originals[name]`` the cells as the file
    holds them, for a rejects file.
    """

    file: str
    sheet: str
    header_row: int
    columns: list[str]
    numbers: list[int]
    cells: dict[str, list[str | None]]
    originals: dict[str, list]
    #: each row's fingerprint (``graph.fingerprint``: its raw cells in 16 hex digits)
    fingerprints: list[str] = field(default_factory=list)

    def rows_sheet(self) -> Sheet:
        return Sheet(self.file, self.sheet, self.header_row, self.columns, self.rows())

    def rows(self) -> list[Row]:
        names = self.columns
        return [Row(n, dict(zip(names, values)), dict(zip(names, raw)))
                for n, values, raw in zip(self.numbers, zip(*(self.cells[c] for c in names)) if names else (),
                                          zip(*(self.originals[c] for c in names)) if names else ())]


class ReadError(Exception):
    """A file (or sheet) that cannot be read; ``message`` says in Chinese how to fix it."""

    def __init__(self, file: str, sheet: str, message: str):
        self.file, self.sheet, self.message = file, sheet, message
        where = f"{file}「{sheet}」" if sheet else file
        super().__init__(f"{where}：{message}")


def header_name(value: str | None) -> str | None:
    """A header cell as a column name: cleaned, only its first line, no spaces, and without a
    leading/trailing ``*`` or a trailing ``（必填）``/``(必填)`` marker."""
    text = clean(value)
    if text is None:
        return None
    # Templates put notes such as "（格式：2023-05-01）" on a second line of the header cell.
    name = re.sub(r"\s+", "", text.split("\n", 1)[0])
    while True:
        stripped = re.sub(r"^\*+|(\*|（必填）|\(必填\))+$", "", name)
        if stripped == name:
            return name or None
        name = stripped


def read_file(
    path: str | os.PathLike,
    *,
    is_header: HeaderTest | None = None,
    display_name: str | None = None,
    hidden: list[str] | None = None,
) -> list[Sheet]:
    """Read every visible sheet of a workbook, or the one table of a CSV/TXT file.

    Parameters
    ----------
    path : str or PathLike
        The file; its suffix decides how it is read.
    is_header : callable, optional
        Given a row's cells as column names would be made of them (see ``header_name``; merged
        cells filled), says whether it is the header. The first of the first 20 rows it accepts
        is the header. By default: the first row with at least two non-empty cells, a merged
        range counting as one cell, so a merged title row is never taken for the header.
    display_name : str, optional
        The file's name as the user knows it (uploads arrive under temporary names); defaults to
        the name of ``path``.
    hidden : list, optional
        Receives the names of hidden sheets, which are not read, so the caller can say so.

    Returns
    -------
    list of Sheet
        One per sheet that has any content; a sheet without a recognisable header comes back
        with no columns and no rows.

    Raises
    ------
    ReadError
        Unsupported format, unreadable or mislabelled file, undecodable text.
    """
    return [s.rows_sheet() for s in read_columns(path, is_header=is_header, display_name=display_name, hidden=hidden)]


def read_columns(
    path: str | os.PathLike,
    *,
    is_header: HeaderTest | None = None,
    display_name: str | None = None,
    hidden: list[str] | None = None,
    select: Select | None = None,
) -> list[ColumnSheet]:
    """``read_file``, but each table held by column (``ColumnSheet``): no object per row. The
    loader reads this way; the parameters, errors and cleaning are those of ``read_file``; each
    row's fingerprint comes with it, and ``select`` may leave rows out (``Select``)."""
    path = Path(path)
    name = display_name or path.name
    suffix = path.suffix.lower()
    if suffix not in EXCEL_SUFFIXES | TEXT_SUFFIXES:
        kind = "旧版 Excel（.xls）" if suffix == ".xls" else f"“{suffix or '无扩展名'}”格式"
        raise ReadError(name, "", f"不支持{kind}文件：{SAVE_AS_HINT}")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ReadError(name, "", f"无法打开文件（{e.strerror or e}）：请确认文件存在且没有被其他程序占用") from None
    if suffix in EXCEL_SUFFIXES:
        tables = _excel_tables(data, name, hidden)
    else:
        fast = _arrow_csv(data, name, is_header, select)
        if fast is not None:
            return [fast]
        tables = [("", _text_records(data, name))]
    del data
    out = []
    while tables:  # each table's records go as soon as its columns are made
        sheet, records = tables.pop(0)
        table = _to_columns(name, sheet, records, is_header, select)
        del records
        if table is not None:
            out.append(table)
    return out


# A record is (row number, cell values with merged ranges filled, number of distinct non-empty
# cells — a merged range counting once — or 0 below the rows searched for the header).
Record = tuple[int, list, int]


def _excel_tables(data: bytes, name: str, hidden: list[str] | None = None) -> list[tuple[str, list[Record]]]:
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        # The OLE container: an .xls renamed to .xlsx, or a workbook with an open password.
        raise ReadError(name, "", f"文件实际上是旧版 .xls 格式或设置了打开密码：请去掉密码，{SAVE_AS_HINT}")
    # calamine (Rust) reads a workbook 4–5× faster than openpyxl and keeps no cell objects; see
    # bench/RESULTS.md for the measurement behind the choice.
    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        metadata = wb.sheets_metadata
    except Exception:  # a damaged or mislabelled file fails in many ways; all mean "unreadable"
        raise ReadError(name, "", f"文件不是有效的 Excel 工作簿（可能已损坏，或只是改了扩展名）：{SAVE_AS_HINT}") from None
    tables = []
    for meta in metadata:
        if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
            continue
        if meta.visible != python_calamine.SheetVisibleEnum.Visible:
            if hidden is not None:
                hidden.append(meta.name)
            continue
        try:
            sheet = wb.get_sheet_by_name(meta.name)
            grid = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
        except Exception:
            raise ReadError(name, meta.name, f"工作表无法读取（文件可能已损坏）：{SAVE_AS_HINT}") from None
        tables.append((meta.name, _worksheet_records(grid, merged)))
    return tables


def _worksheet_records(grid: list[list], merged) -> list[Record]:
    # calamine gives "" for an empty cell; the rest of the reader knows None.
    grid = [[None if v == "" else v for v in row] for row in grid]
    # Counted before merged ranges are filled, so a merged title counts as one cell; only the
    # rows where a header may be are counted.
    distinct = [sum(clean(v) is not None for v in row) for row in grid[:HEADER_SEARCH_ROWS]]
    distinct += [0] * (len(grid) - len(distinct))
    for (r0, c0), (r1, c1) in merged:
        top = grid[r0][c0] if r0 < len(grid) and c0 < len(grid[r0]) else None
        if top is None:
            continue
        for r in range(r0, min(r1 + 1, len(grid))):
            row = grid[r]
            for c in range(c0, min(c1 + 1, len(row))):
                row[c] = top
    return [(i + 1, row, distinct[i]) for i, row in enumerate(grid)]


def _text_records(data: bytes, name: str) -> list[Record]:
    text = _decode(data, name)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text)))
    except csv.Error as e:
        raise ReadError(name, "", f"CSV 格式有误（{e}）：{SAVE_AS_HINT}") from None
    return [(i + 1, row, sum(clean(v) is not None for v in row) if i < HEADER_SEARCH_ROWS else 0)
            for i, row in enumerate(rows)]


def _re2_class() -> str:
    """``cells._NOT_PLAIN`` as an RE2 character class body. Python's ``\\s`` is Unicode-wide and
    RE2's is ASCII, so the class is spelt out from the code points Python's own class matches (all
    of them lie below U+3100 or in U+FE00–U+FFFF)."""
    not_plain = re.compile(f"[{_NOT_PLAIN}]")
    points = [c for c in (*range(0x3100), *range(0xFE00, 0x10000)) if not_plain.match(chr(c))]
    ranges, start, prev = [], points[0], points[0]
    for c in points[1:] + [None]:
        if c is not None and c == prev + 1:
            prev = c
            continue
        ranges.append(f"\\x{{{start:x}}}" + (f"-\\x{{{prev:x}}}" if prev > start else ""))
        if c is not None:
            start = prev = c
    return "".join(ranges)


_NOT_PLAIN_RE2 = _re2_class()
_PLAIN_RE2 = f"^[^{_NOT_PLAIN_RE2}]+(?: [^{_NOT_PLAIN_RE2}]+)*$"


def _arrow_csv(data: bytes, name: str, is_header: HeaderTest | None, select: Select | None = None) -> ColumnSheet | None:
    """A regular CSV read by pyarrow's parser (C++, every core) and cleaned column-wise: only the
    cells a vectorised match finds untidy go through ``clean``. The header is found as the row reader
    finds it. None when the file is anything but regular — blank lines, rows of another width, line
    breaks before the data, NUL characters — then the row reader reads it, so those files keep
    exactly its rows, numbers and messages."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    # A UTF-8 file (the common case) is handed to the parser as it is: only its first lines are
    # decoded, to find the header, and the parser checks the rest is UTF-8 (it refuses it otherwise,
    # and the row reader decodes the file). Other encodings are decoded whole and re-encoded.
    head = _utf8_head(data)
    if head is None:
        try:
            text = _decode(data, name)
        except ReadError:
            return None
        head, data = (text, 0), text.encode("utf-8")
        del text
    text, start = head
    if b"\x00" in data:
        return None
    delimiter = _sniff_delimiter(text)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        records = list(itertools.islice(reader, HEADER_SEARCH_ROWS))
    except csv.Error:
        return None
    if start + len(text.encode("utf-8")) < len(data) and reader.line_num >= _HEAD_LINES - 1:
        return None  # the first rows run past the lines decoded (cells with line breaks): the row reader reads it
    records = [(i + 1, row, sum(clean(v) is not None for v in row)) for i, row in enumerate(records)]
    at = _find_header(records, is_header)
    if at is None:
        return None
    parts = text.split("\n", at + 1)
    # The data must start at a physical line: no line break inside a cell up to the header.
    if len(parts) <= at + 1 or any("\r" in line[:-1] for line in parts[:at + 1]):
        return None
    body = data[start + sum(len(line.encode("utf-8")) + 1 for line in parts[:at + 1]):]
    del parts, data
    stripped = body.strip()
    if not stripped or (len(stripped) < 64 and not stripped.decode("utf-8", "replace").strip()) \
            or b"\n\n" in body or b"\n\r\n" in body or b"\r\r" in body:
        return None
    del stripped
    number, header_values, _ = records[at]
    width = len(header_values)
    try:
        table = pcsv.read_csv(
            io.BytesIO(body),
            read_options=pcsv.ReadOptions(column_names=[f"f{i}" for i in range(width)], block_size=1 << 24),
            parse_options=pcsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(column_types={f"f{i}": pa.string() for i in range(width)},
                                                null_values=[""], strings_can_be_null=True,
                                                quoted_strings_can_be_null=True))
    except (pa.ArrowInvalid, ValueError):
        return None
    del body
    columns: dict[int, str] = {}
    for index, cell in enumerate(header_values):
        if (n := header_name(clean(cell))) is not None:
            columns[index] = _unique(n, columns.values())
    raw_columns = {col: table.column(f"f{i}").combine_chunks() for i, col in columns.items()}
    del table
    numbers_arr = pa.array(range(number + 1, number + 1 + len(next(iter(raw_columns.values()), []))), pa.int64())
    fingerprints = table_fingerprints(salt(VERSION, list(columns.values())), list(raw_columns.values()))
    if select is not None and fingerprints is not None:
        mask = select(ColumnSheet(name, "", number, list(columns.values()), [], {}, {}), numbers_arr, fingerprints,
                      raw_columns.__getitem__)
        if mask is not None:
            raw_columns = {c: _whole(arr.filter(mask)) for c, arr in raw_columns.items()}
            numbers_arr, fingerprints = _whole(numbers_arr.filter(mask)), _whole(fingerprints.filter(mask))
    n_rows = len(numbers_arr)
    numbers = numbers_arr.to_pylist()
    fps = fingerprints.to_pylist() if fingerprints is not None else []
    originals: dict[str, list] = {}
    cells: dict[str, list] = {}
    for col, arr in raw_columns.items():
        tidy = pc.fill_null(pc.match_substring_regex(arr, _PLAIN_RE2), True)
        untidy = pc.indices_nonzero(pc.invert(tidy)).to_pylist()
        if n_rows and pc.count_distinct(arr).as_py() * 2 < n_rows:
            # repeated values: one Python string per distinct value
            enc = pc.dictionary_encode(arr)
            words = enc.dictionary.to_pylist()
            raw = [None if k is None else words[k] for k in enc.indices.to_pylist()]
        else:
            raw = arr.to_pylist()
        values = list(raw)
        for k in untidy:
            values[k] = clean(raw[k])
        cells[col] = values
        originals[col] = [("" if v is None else v) for v in raw]
    filled = [any(t) for t in zip(*cells.values())] if cells else [False] * n_rows
    if not all(filled):
        keep = [i for i, f in enumerate(filled) if f]
        numbers = [numbers[i] for i in keep]
        originals = {k: [col[i] for i in keep] for k, col in originals.items()}
        cells = {k: [col[i] for i in keep] for k, col in cells.items()}
        fps = [fps[i] for i in keep]
    return ColumnSheet(name, "", number, list(columns.values()), numbers, cells, originals, fps)


#: lines of a UTF-8 file decoded to find its header (the header is among the first 20 rows)
_HEAD_LINES = 200


def _utf8_head(data: bytes) -> tuple[str, int] | None:
    """``(text of the first lines, byte offset where that text starts)`` of a UTF-8 file (a BOM is
    skipped), or None when those lines are not UTF-8 or the file is UTF-16 (decode it whole)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    end = start
    for _ in range(_HEAD_LINES):
        end = data.find(b"\n", end) + 1
        if not end:
            end = len(data)
            break
    try:
        return data[start:end].decode("utf-8"), start
    except UnicodeDecodeError:
        return None


def _whole(arr):
    """One array from what may be a chunked one."""
    return arr.combine_chunks() if hasattr(arr, "combine_chunks") else arr


def _find_header(records: list[Record], is_header: HeaderTest | None) -> int | None:
    """Index of the header among ``records``: the first of the first 20 rows ``is_header`` accepts."""
    for i, (number, values, distinct) in enumerate(records):
        if number > HEADER_SEARCH_ROWS:
            break
        cells = [clean(v) for v in values]
        if is_header([header_name(c) for c in cells]) if is_header else distinct >= 2:
            return i
    return None


def _decode(data: bytes, name: str) -> str:
    # Excel's "Unicode 文本" is UTF-16 with a BOM; it would never decode as UTF-8 or GB18030.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    else:
        # GB18030 is what Excel on Chinese Windows saves ("CSV (逗号分隔)"); a superset of GBK.
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    raise ReadError(name, "", "无法识别文件的文字编码：请在 Excel 中“另存为”，保存类型选“CSV UTF-8（逗号分隔）”，再导入")


def _sniff_delimiter(text: str) -> str:
    """Comma, unless tab or semicolon splits the first lines into more columns.

    The median width is used so a title line or a few addresses with commas do not decide it.
    """
    lines = [line for line in text.splitlines()[:HEADER_SEARCH_ROWS] if line.strip()]
    best, best_width = ",", 0
    for delimiter in (",", "\t", ";"):
        try:
            width = statistics.median_low(len(row) for row in csv.reader(lines, delimiter=delimiter))
        except (csv.Error, statistics.StatisticsError):
            continue
        if width > best_width:
            best, best_width = delimiter, width
    return best


def _to_columns(file: str, sheet: str, records: list[Record], is_header: HeaderTest | None,
                select: Select | None = None) -> ColumnSheet | None:
    """The table of ``records``, column by column: the header is looked for in the first rows only,
    then every column is cleaned as a whole (``clean_column``) instead of cell by cell in rows."""
    header_at = _find_header(records, is_header)
    if header_at is None:
        if not any(clean(v) is not None for _, values, _ in records for v in values):
            return None
        return ColumnSheet(file, sheet, 0, [], [], {}, {})

    number, header_values, _ = records[header_at]
    columns: dict[int, str] = {}
    for index, cell in enumerate(header_values):
        if (name := header_name(clean(cell))) is not None:
            columns[index] = _unique(name, columns.values())
    data = records[header_at + 1:]
    numbers = [n for n, _, _ in data]
    # Transposed once (short rows padded with None), so each column is cleaned as one list.
    by_index = list(itertools.zip_longest(*(values for _, values, _ in data))) if data else []
    width = len(by_index)
    originals = {name: list(by_index[i]) if i < width else [None] * len(data) for i, name in columns.items()}
    prefix = salt(VERSION, list(columns.values()))
    fps = rows_fingerprints(prefix, list(originals.values())) if originals else [row_fingerprint(prefix, [])] * len(data)
    if select is not None and data:
        import pyarrow as pa

        def raw_column(name: str):
            return pa.array([None if v is None or v == "" else str(v) for v in originals[name]], pa.string())

        mask = select(ColumnSheet(file, sheet, number, list(columns.values()), [], {}, {}),
                      pa.array(numbers, pa.int64()), pa.array(fps, pa.string()), raw_column)
        if mask is not None:
            picked = [i for i, m in enumerate(mask.to_pylist()) if m]
            numbers, fps = [numbers[i] for i in picked], [fps[i] for i in picked]
            originals = {k: [col[i] for i in picked] for k, col in originals.items()}
    cells = {name: clean_column(col) for name, col in originals.items()}
    # A row none of whose named columns holds anything is not a row (blank lines, trailing cells).
    # (a cleaned cell is None or non-empty text, so truth is presence)
    filled = [any(t) for t in zip(*cells.values())] if cells else [False] * len(numbers)
    if not all(filled):
        keep = [i for i, f in enumerate(filled) if f]
        numbers = [numbers[i] for i in keep]
        originals = {k: [col[i] for i in keep] for k, col in originals.items()}
        cells = {k: [col[i] for i in keep] for k, col in cells.items()}
        fps = [fps[i] for i in keep]
    return ColumnSheet(file, sheet, number, list(columns.values()), numbers, cells, originals, fps)


def clean_column(values: list) -> list[str | None]:
    """``clean`` of every value in a column. Most cells are already tidy text (one regex match
    says so), and repeated values that are not (numbers, dates, padded text) are cleaned once."""
    plain = _PLAIN.fullmatch
    memo: dict = {}
    out = []
    append = out.append
    # A column that repeats its values (是/否, kinds, community names) keeps one string per value:
    # a county-sized ledger holds millions of cells, and a reader makes a new string for each.
    sample = [v for v in values[:2000] if v.__class__ is str]
    shared: dict | None = {} if sample and len(set(sample)) * 2 < len(sample) else None
    for v in values:
        if v is None:
            append(None)
        elif v.__class__ is str and plain(v):
            append(v if shared is None else shared.setdefault(v, v))
        else:
            try:
                append(memo[v])
            except KeyError:
                memo[v] = c = clean(v)
                append(c)
            except TypeError:  # unhashable: never from a reader, but clean says what it is
                append(clean(v))
    return out


def _unique(name: str, taken) -> str:
    """``name``, or ``name_2``, ``name_3`` … when a header repeats (e.g. a merged header cell)."""
    taken = set(taken)
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}_{n}"
    return candidate
