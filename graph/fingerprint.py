"""Row fingerprints: what a ledger row held, as the file holds it, in 16 hex digits.

Every node and relationship a ledger row writes carries the fingerprint of that row's raw cells
(``src_hash``, declared with the provenance in ``graph.model``). A re-load computes the
fingerprints of the file's rows first and parses only the rows whose fingerprint the database
does not hold yet (``loaders.incremental``): a city's households ledger with a thousand edited rows
costs a thousand parsed rows, not a million.

The fingerprint of a row is the first 16 hex digits of the MD5 of the UTF-8 text
``salt + "\\x1f" + cell_1 + "\\x1f" + … + cell_n``, where ``salt`` names the fingerprint version and the
sheet's column headers (a renamed column changes every fingerprint) and an empty cell is ``""``.
A row reader computes it with ``hashlib`` (:func:`row_fingerprint`); a column reader hands a whole
Arrow table to the embedded engine's ``md5`` (:func:`table_fingerprints`, C++, no Python object per
row). Both give the same text for the same row (``tests/test_fingerprint.py`` checks it). It is a
change detector, not a security feature: 64 bits make an accidental match of an edited row with
one of a million stored rows a one-in-10^13 event.

Examples
--------
>>> row_fingerprint(salt("v1", ["住户编号", "联系电话"]), ["H1", None])
'94c835566f6b46fc'
"""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from typing import Any

#: Bump when what a row means changes without its cells changing (a new check, a new cleaning
#: rule): every stored fingerprint then differs and the next re-load parses every row once.
VERSION = "orgnet-row-1"

_SEP = "\x1f"
_lock = threading.Lock()
_engine: Any = None


def salt(version: str, headers: Sequence[str]) -> str:
    """The text every row's fingerprint starts with: the version and the sheet's column headers."""
    return version + "\x1e" + _SEP.join(headers)


def _text(value: Any) -> str:
    return "" if value is None else value if value.__class__ is str else str(value)


def row_fingerprint(prefix: str, cells: Sequence[Any]) -> str:
    """The fingerprint of one row's raw cells (``None`` counts as an empty cell)."""
    text = _SEP.join([prefix, *map(_text, cells)])
    return hashlib.md5(text.encode("utf-8")).hexdigest()[:16]


def rows_fingerprints(prefix: str, columns: Sequence[Sequence[Any]]) -> list[str]:
    """The fingerprint of each row of ``columns`` (raw cells, one list per column)."""
    n = len(columns[0]) if columns else 0
    if not columns:
        return [row_fingerprint(prefix, [])] * n
    return [row_fingerprint(prefix, cells) for cells in zip(*columns)]


def _md5_engine():
    """An in-memory embedded database used as a vectorised MD5 (one per process)."""
    global _engine
    with _lock:
        if _engine is None:
            import kuzu

            _engine = kuzu.Database(":memory:", buffer_pool_size=256 << 20, max_num_threads=1)
        return _engine


def table_fingerprints(prefix: str, columns: Sequence[Any]):
    """The fingerprint of each row of ``columns`` (pyarrow string arrays of equal length, nulls
    for empty cells), as a pyarrow string array: joined and hashed in C++."""
    import kuzu
    import pyarrow as pa
    import pyarrow.compute as pc

    if not columns:
        return None
    n = len(columns[0])
    if not n:
        return pa.array([], pa.string())
    parts = [pc.fill_null(c.cast(pa.string()), "") for c in columns]
    joined = pc.binary_join_element_wise(pa.scalar(prefix, pa.string()), *parts, _SEP)
    conn = kuzu.Connection(_md5_engine())
    try:
        result = conn.execute("LOAD FROM $rows RETURN i, substring(md5(t), 1, 16) AS h",
                              {"rows": pa.table({"i": pa.array(range(n), pa.int64()), "t": joined})})
        got = result.get_as_arrow(chunk_size=max(n, 1))
    finally:
        conn.close()
    if got.num_rows != n:  # pragma: no cover - the engine returns one row per row it was given
        raise RuntimeError(f"fingerprints: {got.num_rows} for {n} rows")
    at, out = got.column(0).combine_chunks(), got.column(1).combine_chunks()
    if not pc.all(pc.equal(at, pa.array(range(n), pa.int64()))).as_py():
        out = out.take(pc.sort_indices(at))  # the engine may hand rows back out of order
    return out.cast(pa.string())
