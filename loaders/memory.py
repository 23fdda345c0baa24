"""How a load keeps its memory bounded by its largest ledger, and when it does not bother.

A parsed sheet of ``SPILL_ROWS`` rows or more waits in an anonymous temporary file
(``SheetData.spill``) once the sheets held in memory reach ``SPILL_HELD_ROWS`` rows; between
its phases the load gives the C heap's free pages back to the system (``give_back``) once the
process is past ``GIVE_BACK_RSS``. Below those sizes memory is not at stake and the round trips
cost more than they save (the default county reads 118,000 rows and peaks under 1 GB). The
embedded store's own counterpart, a large COPY read from a temporary Parquet file, is
``graph.kuzu_store.COPY_HELD_BYTES``.
"""
from __future__ import annotations

import os

#: a parsed sheet of at least this many rows waits on disk while the others are read and checked
#: (``SheetData.spill``): a load then holds the keys and references of the county, but the property
#: values of one large sheet at a time ...
SPILL_ROWS = 20_000
#: ... once the sheets held in memory reach this many rows: below it memory is not at stake and the
#: round trip through the file costs more than it saves (the default county reads 118,000 rows)
SPILL_HELD_ROWS = 150_000


def spill_rows() -> tuple[int, int]:
    """(rows of a sheet that may spill, rows held before one does). ``ORGNET_SPILL_ROWS`` set
    explicitly spills every sheet of that many rows, whatever is held."""
    raw = os.environ.get("ORGNET_SPILL_ROWS", "").strip()
    return (int(raw), 0) if raw.isdigit() else (SPILL_ROWS, SPILL_HELD_ROWS)


#: below this resident size the load keeps its free pages: giving them back and faulting them in
#: again costs CPU (0.05–0.1 s of a ×1 load) where memory is not at stake
GIVE_BACK_RSS = 1 << 30


def _rss() -> int | None:
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def give_back() -> None:
    """Return the C heap's free pages to the system between the load's phases, once the process
    is past ``GIVE_BACK_RSS``. Python frees a sheet's lists into glibc's heap, which keeps the
    pages; Kùzu's own memory (its buffer pool, the commit, the derived values after it) does not
    come from there, so without this the process's size is the high-water mark of validation plus
    Kùzu's (×10: 1,411 → 1,349 MB)."""
    import pyarrow as pa

    rss = _rss()
    if rss is not None and rss < GIVE_BACK_RSS:
        return
    pa.default_memory_pool().release_unused()  # pyarrow's own allocator keeps a read file's pages too
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _libc():
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:  # not glibc (musl, macOS): nothing to give back this way
        return None


_LIBC = _libc()
