"""The embedded store: Kùzu 0.11.3 on disk.

Kùzu is archived upstream, so its known bugs stay; this store is built around them
(see ``../shared/KUZU_NOTES.md`` and the README):

* one ``Database`` per process and path, shared by every store object; a second process cannot
  open the file at all, so the lock error names the process that holds it;
* one write transaction at a time: a lock around every transaction;
* one statement per ``execute()``; a failed statement silently ends Kùzu's transaction, so the
  transaction object refuses further work and the unit of work stops at the first error;
* bulk writes COPY into a fresh, empty staging table inside the transaction, then one ``MERGE``,
  then drop it — or, when the target table is still empty and the rows are validated, straight
  into it; never COPY into a table that holds data;
* staging tables left behind by a killed process are dropped when the database is opened.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import importlib

import pyarrow as pa
import pyarrow.parquet as pq

from . import derived
from .copyqueue import CopyQueue
from .dialect import for_backend, parameters
from .model import BOOKKEEPING, MODEL, Model
from .schema import check_columns, kuzu_ddl
from .store import (Cancel, ConsoleCancelled, ConsoleTimeout, GraphStore, MissingEndpoints, QueryError, Row,
                    StoreError, StoreLocked, Transaction, endpoint_keys, normalise_rows, plain)

STAGE_PREFIX = "_Stage_"

# The embedded engine's Python module. Kùzu 0.11.3 is the product's one embedded engine; its fork
# ``ladybug`` speaks the same API and Cypher, and ORGNET_EMBEDDED=ladybug selects it so the suite and
# the benchmarks can compare the two (bench/RESULTS.md). The two cannot open each other's files.
ENGINE = os.environ.get("ORGNET_EMBEDDED", "kuzu").strip() or "kuzu"
if ENGINE not in ("kuzu", "ladybug"):
    raise ImportError(f"ORGNET_EMBEDDED={ENGINE!r}: the embedded engine is 'kuzu' (default) or 'ladybug'")
kuzu = importlib.import_module(ENGINE)

_ARROW = {
    "STRING": pa.string(),
    "INT64": pa.int64(),
    "DOUBLE": pa.float64(),
    "BOOL": pa.bool_(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),
    "STRING[]": pa.list_(pa.string()),
}

# One Database per process and path (Kùzu's file lock is per process).
_OPEN: dict[Path, "_Shared"] = {}
_OPEN_LOCK = threading.Lock()


class _Shared:
    def __init__(self, db: kuzu.Database, read_only: bool):
        self.db = db
        self.read_only = read_only
        self.write_lock = threading.RLock()
        self.users = 0
        self.commits = 0


def _owner_file(path: Path) -> Path:
    return path.with_name(path.name + ".owner")


def _describe_holder(path: Path) -> str:
    try:
        info = json.loads(_owner_file(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "another process"
    alive = ""
    if info.get("host") == socket.gethostname():
        try:
            os.kill(int(info["pid"]), 0)
        except (OSError, ValueError, KeyError):
            alive = " — that process seems to have ended; if the error persists, another process holds it"
    return f"process {info.get('pid')} ({info.get('command')}, since {info.get('since')}){alive}"


def _read_only_place(message: str) -> bool:
    return "Read-only file system" in message or "Permission denied" in message


def _open_shared(path: Path, read_only: bool) -> _Shared:
    with _OPEN_LOCK:
        return _open_shared_locked(path, read_only)


def _open_shared_locked(path: Path, read_only: bool) -> _Shared:
    shared = _OPEN.get(path)
    if shared is None:
        if path.is_file() and path.stat().st_size == 0:
            # Kùzu would open an empty file as a new, empty database: the data would seem gone.
            raise StoreError(f"the embedded database {path} is an empty (zero-length) file, not a database: "
                             f"it was probably cut short (disk full, copy interrupted). Move it away and run "
                             f"`orgnet --db {path} rebuild` to recreate it from the archived ledgers.")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = kuzu.Database(str(path), read_only=read_only)
        except OSError as e:
            raise StoreError(f"cannot create the folder of {path}: {e.strerror or e}") from None
        except RuntimeError as e:
            if not read_only and path.is_file() and _read_only_place(str(e)):
                # A read-only data folder (a mounted backup, a locked-down share) still serves reads.
                return _open_shared_locked(path, True)
            if "lock" in str(e).lower():
                raise StoreLocked(
                    f"the embedded database {path} is in use by {_describe_holder(path)}. "
                    "Only one process can open it: stop that process (for example the running "
                    "orgnet app) or use another database with --db / ORGNET_DB.") from None
            raise StoreError(f"cannot open the embedded database {path}: {e}. If the file is "
                             f"damaged, move it away and run `orgnet --db {path} rebuild` to recreate it "
                             "from the archived ledgers.") from None
        shared = _OPEN[path] = _Shared(db, read_only)
        if not shared.read_only:
            try:
                _owner_file(path).write_text(json.dumps({
                    "pid": os.getpid(), "host": socket.gethostname(),
                    "command": " ".join(Path(a).name if i == 0 else a for i, a in enumerate(sys.argv))[:200],
                    "since": dt.datetime.now().isoformat(timespec="seconds"),
                }, ensure_ascii=False), encoding="utf-8")
            except OSError:  # it only names who holds the lock; a full disk must not stop the open
                pass
    elif shared.read_only and not read_only:
        raise StoreError(f"{path} is already open read-only in this process; open it read-write first")
    shared.users += 1
    return shared


def _release(path: Path, shared: _Shared) -> None:
    with _OPEN_LOCK:
        shared.users -= 1
        if shared.users == 0 and _OPEN.get(path) is shared:
            del _OPEN[path]
            shared.db.close()
            if not shared.read_only:
                try:
                    _owner_file(path).unlink()
                except OSError:
                    pass


def _arrow_column(type_: str, values: list[Any], where: str) -> pa.Array:
    try:
        if type_ == "DATE":
            values = [dt.date.fromisoformat(v) if isinstance(v, str) else v for v in values]
            values = [v.date() if isinstance(v, dt.datetime) else v for v in values]
        elif type_ == "TIMESTAMP":
            values = [dt.datetime.fromisoformat(v) if isinstance(v, str) else v for v in values]
            values = [v.astimezone(dt.timezone.utc).replace(tzinfo=None) if isinstance(v, dt.datetime) and v.tzinfo
                      else v for v in values]
        n = len(values)
        if (n >= 64 and isinstance(values, list) and values[0] == values[-1] == values[n // 2]
                and values.count(values[0]) == n):
            # one value throughout (a load's provenance, a column the ledger lacks): a first load's
            # columns held 0.3 CPU-s of these at ×10, element by element
            first = values[0]
            return pa.nulls(n, _ARROW[type_]) if first is None else pa.repeat(pa.scalar(first, _ARROW[type_]), n)
        return pa.array(values, type=_ARROW[type_])
    except (pa.ArrowException, ValueError, TypeError, OverflowError) as e:
        raise StoreError(f"{where}: values do not fit type {type_}: {e}") from None


def _result(conn: kuzu.Connection, cypher: str, params: Mapping[str, Any] | None):
    used = parameters(cypher)
    args = {k: v for k, v in (params or {}).items() if k in used}
    missing = used - set(args)
    if missing:
        raise QueryError(f"missing parameter(s): {', '.join(sorted('$' + m for m in missing))}", cypher)
    try:
        result = conn.execute(cypher, args)
    except RuntimeError as e:
        raise QueryError(f"Kùzu refused the statement: {e}", cypher) from None
    if isinstance(result, list):  # several statements in one string: never send those
        raise QueryError("one statement per call", cypher)
    return result


def _execute(conn: kuzu.Connection, cypher: str, params: Mapping[str, Any] | None) -> list[Row]:
    result = _result(conn, cypher, params)
    cols = result.get_column_names()
    return [dict(zip(cols, (plain(v) for v in row))) for row in result.get_all()]


#: a COPY of at least this many rows may go through a temporary Parquet file (``KuzuTransaction._copy``)
COPY_FILE_ROWS = 20_000
#: ... once the Arrow tables a connection has been handed reach this many bytes: below it memory is not
#: at stake and the file costs more than it saves (the default county's whole load is ~20 MB of Arrow)
COPY_HELD_BYTES = 64 << 20


def copy_file_rows() -> int:
    raw = os.environ.get("ORGNET_COPY_FILE_ROWS", "").strip()
    return int(raw) if raw.isdigit() else COPY_FILE_ROWS


def copy_held_bytes() -> int:
    """How many bytes of Arrow parameters a connection may hold before large COPYs go through a file.
    ``ORGNET_COPY_FILE_ROWS`` set explicitly means every COPY of that many rows goes through one (0)."""
    return 0 if os.environ.get("ORGNET_COPY_FILE_ROWS", "").strip().isdigit() else COPY_HELD_BYTES


#: a COPY's temporary folder is named ``orgnet-copy-<pid>-…``: a process killed during the COPY
#: (``kill -9``) cannot remove it, so the next COPY removes the folders whose process is gone
_COPY_PREFIX = "orgnet-copy-"
_swept: set[str] = set()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def sweep_copy_folders(parent: str | None = None) -> list[str]:
    """Remove the temporary COPY folders in ``parent`` (the temporary folder by default) whose
    process no longer runs; return their paths. Folders of live processes are left alone."""
    root = Path(parent or tempfile.gettempdir())
    gone = []
    for d in root.glob(_COPY_PREFIX + "*"):
        pid = d.name[len(_COPY_PREFIX):].split("-", 1)[0]
        if d.is_dir() and pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(d, ignore_errors=True)
            gone.append(str(d))
    return gone


def _arrow(result) -> pa.Table:
    """The whole result as one Arrow chunk. Kùzu's default chunk is 10 million cells over the
    columns (3.3M rows for 3 columns), allocated whatever the result holds: for a 1,050-row rule
    that allocation was half of the statement's time (2.7 → 1.3 CPU-ms at ×10, R14A)."""
    return result.get_as_arrow(chunk_size=max(result.get_num_tuples(), 1))


def _rollback_quietly(conn: kuzu.Connection) -> None:
    """End the connection's transaction, if it still has one: after a failed statement Kùzu may have
    rolled it back already (or none was begun) and then refuses the ROLLBACK, which is not an error
    worth hiding the original one for."""
    try:
        conn.execute("ROLLBACK")
    except RuntimeError:
        pass


def _columns(conn: kuzu.Connection, cypher: str, params: Mapping[str, Any] | None) -> dict[str, list[Any]]:
    """The result as Arrow, then one Python list per column: for 400k rows about 10x faster than
    ``get_all`` (which builds a Python list per row)."""
    result = _result(conn, cypher, params)
    cols = result.get_column_names()
    if not result.has_next():
        return {c: [] for c in cols}
    table = _arrow(result)
    out = {}
    for c in cols:
        column = table.column(c)
        if pa.types.is_decimal(column.type):  # integer sums come back as DECIMAL
            out[c] = [plain(v) for v in column.to_pylist()]
        else:
            out[c] = column.to_pylist()
    return out


class KuzuTransaction(Transaction):
    def __init__(self, store: "KuzuStore", conn: kuzu.Connection):
        self._store = store
        self._conn = conn
        self.broken: str | None = None
        #: bytes of the Arrow tables handed to ``conn`` as COPY parameters (Kùzu keeps them until it closes)
        self.held = 0
        #: COPYs into empty tables running behind the caller (``_copy(..., background=True)``)
        self._copies = CopyQueue()
        #: node labels known to be empty (``network_empty``) apart from the COPYs in ``_copied``;
        #: forgotten at the next other statement, which may write anything
        self._known_empty: frozenset[str] = frozenset()
        self._copied: set[str | tuple[str, str, str]] = set()

    def settle(self, *, quiet: bool = False) -> None:
        """Wait for the COPYs still running behind the caller; raise the first one's error here
        (unless ``quiet``: the transaction is being rolled back for another error already). Every
        other statement, the commit and the rollback settle first: the connection runs one
        statement at a time."""
        self._copies.wait(quiet=True)
        if self._copies.error is not None:
            self.broken = self.broken or str(self._copies.error)
            if not quiet:
                raise self._copies.error

    def writes_behind(self) -> int:
        return len(self._copies.times)

    def write_time(self, number: int) -> tuple[float, float] | None:
        return self._copies.times[number]

    def wait_write(self, number: int) -> None:
        self._copies.wait_for(number)
        if self._copies.error is not None:
            self.settle()

    def network_empty(self) -> bool:
        empty = super().network_empty()
        if empty:  # a first load: its COPYs need not ask whether their tables are empty
            model = self._store.model
            self._known_empty = frozenset(n.label for n in model.nodes if n.label not in BOOKKEEPING)
            self._copied = set()
        return empty

    def _label_empty(self, label: str) -> bool:
        if label in self._known_empty and label not in self._copied:
            return True
        return self._empty(f"(n:{label})")

    def _pair_empty(self, type_: str, start: str, end: str) -> bool:
        # a relationship needs both ends: none joins a label that was empty, unless copied since
        if (type_, start, end) not in self._copied and (start in self._known_empty or end in self._known_empty):
            return True
        return self._empty(f"(:{start})-[:{type_}]->(:{end})")

    def _check_open(self) -> None:
        if self.broken:
            raise StoreError("this transaction was rolled back after an earlier error "
                             f"({self.broken}); start a new one")

    def _exec(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        self.settle()
        self._known_empty = frozenset()
        self._check_open()
        try:
            return _execute(self._conn, cypher, params)
        except StoreError as e:
            # Kùzu has already rolled back: later statements would auto-commit, so stop here.
            self.broken = str(e)
            raise

    def run(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        self.touch_statement(cypher)
        return self._exec(for_backend(cypher, "kuzu"), params)

    @contextmanager
    def _staged(self, columns: dict[str, str], rows: list[Row], where: str) -> Iterator[str]:
        """A fresh staging table holding ``rows``; dropped afterwards (or with the rollback)."""
        data = {c: _arrow_column(t, [r[c] for r in rows], f"{where}.{c}") for c, t in columns.items()}
        with self._staged_table(columns, pa.table(data) if data else None, len(rows)) as name:
            yield name

    @contextmanager
    def _staged_table(self, columns: dict[str, str], table: pa.Table | None, n: int) -> Iterator[str]:
        """A fresh staging table holding ``table`` (whose columns are ``columns``, typed)."""
        name = STAGE_PREFIX + uuid.uuid4().hex[:12]
        defs = ", ".join(["_i INT64 PRIMARY KEY"] + [f"{c} {t}" for c, t in columns.items()])
        index = pa.array(range(n), type=pa.int64())
        table = pa.table({"_i": index}) if table is None else table.add_column(0, "_i", index)
        self._exec(f"CREATE NODE TABLE {name}({defs})")
        self._copy(name, table)
        yield name
        self._exec(f"DROP TABLE {name}")

    def _copy(self, target: str, table: pa.Table, options: str = "", *, background: bool = False) -> None:
        """``COPY target FROM …`` the rows of ``table``.

        With ``background`` the COPY runs behind the caller (``graph.copyqueue``) while it prepares
        the next batches: Kùzu releases the GIL during a COPY, and a load's planning and typing is
        single-threaded Python. The COPYs run one at a time, in order; the tables of those not yet
        finished are held, up to the queue's limit. An error is raised by the next statement, the
        next COPY, the commit or ``settle``, and the transaction stays all or nothing.

        A large table goes through a temporary Parquet file: Kùzu 0.11.3 keeps every Arrow table
        handed to it as a parameter until the connection closes, so a load held all its batches until
        it ended (204 MB of Arrow at ×10, growing with the county). From a file it holds nothing; the
        file is removed at once. When the file cannot be written (a full temporary disk) the table
        goes as a parameter. Until the connection holds ``COPY_HELD_BYTES`` the tables go as
        parameters: writing and reading the file costs CPU and disk (at ×1 0.1–0.3 s of a 5 s load)
        where memory is not at stake."""
        if not background:
            self.settle()
        self._check_open()
        via_file = table.num_rows >= copy_file_rows() and self.held + table.nbytes > copy_held_bytes()
        if not via_file:
            self.held += table.nbytes
        if not background:
            return self._copy_now(target, table, options, via_file)
        self._copies.put(lambda: self._copy_now(target, table, options, via_file), table.nbytes)

    def _copy_now(self, target: str, table: pa.Table, options: str, via_file: bool) -> None:
        if via_file:
            tmp = None
            parent = os.environ.get("ORGNET_SPILL_DIR") or None
            if (parent or "") not in _swept:
                _swept.add(parent or "")
                sweep_copy_folders(parent)
            try:
                tmp = tempfile.mkdtemp(prefix=f"{_COPY_PREFIX}{os.getpid()}-", dir=parent)
                path = Path(tmp) / "rows.parquet"
                pq.write_table(table, path, compression="none")
            except OSError:
                path = None
            try:
                if path is not None and "'" not in str(path):
                    self._copy_statement(f"COPY {target} FROM '{path}'{options}", None)
                    return
            finally:
                if tmp is not None:
                    shutil.rmtree(tmp, ignore_errors=True)
            self.held += table.nbytes
        self._copy_statement(f"COPY {target} FROM $rows{options}", {"rows": table})

    def _copy_statement(self, cypher: str, params: Mapping[str, Any] | None) -> None:
        """``_exec`` without settling (it may run in the COPY's own thread)."""
        try:
            _execute(self._conn, cypher, params)
        except StoreError as e:
            self.broken = str(e)
            raise

    def _empty(self, pattern: str) -> bool:
        return self._exec(f"MATCH {pattern} RETURN count(*) AS n")[0]["n"] == 0

    def _table(self, columns: dict[str, str], rows: list[Row], where: str) -> pa.Table:
        return pa.table({c: _arrow_column(t, [r.get(c) for r in rows], f"{where}.{c}") for c, t in columns.items()})

    def upsert_nodes(self, label: str, rows: Sequence[Mapping[str, Any]]) -> int:
        node = self._store.model.node(label)
        if not rows:
            return 0
        cols, rows = normalise_rows(rows, node.key)
        self.touch(label, keys={label: [r[node.key] for r in rows]})
        check_columns(node, cols)
        types = {c: node.prop(c).type for c in cols}
        if self._empty(f"(n:{label})"):
            # An empty table may take the rows directly: keys are unique (normalise_rows) and every
            # value already has its column's type (_table), so this COPY cannot fail half-way.
            self._copy(f"{label}({', '.join(cols)})", self._table(types, rows, label))
            return len(rows)
        sets = ", ".join(f"n.{c} = s.{c}" for c in cols if c != node.key)
        with self._staged(types, rows, label) as stage:
            self._exec(f"MATCH (s:{stage}) MERGE (n:{label} {{{node.key}: s.{node.key}}})"
                       + (f" SET {sets}" if sets else ""))
        return len(rows)

    def _typed(self, types: dict[str, str], columns: Mapping[str, Sequence[Any]], where: str) -> pa.Table:
        return pa.table({c: _arrow_column(t, columns[c] if c in columns else [None] * self._n(columns),
                                          f"{where}.{c}") for c, t in types.items()})

    @staticmethod
    def _n(columns: Mapping[str, Sequence[Any]]) -> int:
        return len(next(iter(columns.values()))) if columns else 0

    def upsert_node_columns(self, label: str, columns: Mapping[str, Sequence[Any]]) -> int:
        """One Arrow table per batch: COPY into a still-empty table, else one staging table and MERGE.
        The loader's batches have unique keys (validated), so no row is dropped here."""
        node = self._store.model.node(label)
        n = self._n(columns)
        if not n:
            return 0
        cols = list(columns)
        if node.key not in cols:
            raise StoreError(f"every row needs the column {node.key!r}; got columns {cols}")
        self.touch(label, keys={label: columns[node.key]})
        check_columns(node, cols)
        types = {c: node.prop(c).type for c in cols}
        table = self._typed(types, columns, label)
        if self._label_empty(label):
            self._copy(f"{label}({', '.join(cols)})", table, background=True)
            self._copied.add(label)
            return n
        sets = ", ".join(f"n.{c} = s.{c}" for c in cols if c != node.key)
        with self._staged_table(types, table, n) as stage:
            self._exec(f"MATCH (s:{stage}) MERGE (n:{label} {{{node.key}: s.{node.key}}})"
                       + (f" SET {sets}" if sets else ""))
        return n

    def upsert_rel_columns(self, type_: str, start: str, end: str, columns: Mapping[str, Sequence[Any]], *,
                           endpoints_checked: bool = False) -> int:
        n = self._n(columns)
        if not n:
            return 0
        if not endpoints_checked:  # the row writer checks for missing endpoints first
            return super().upsert_rel_columns(type_, start, end, columns)
        self.touch(type_, start, end, keys=endpoint_keys(start, end, columns["src"], columns["dst"]))
        types = self._rel_stage_types(type_, start, end, list(columns))
        # Empty for this pair is enough: Kùzu stores each (start, end) pair of a type apart, and a
        # COPY with from/to writes only that pair's (so PART_OF Unit→Building is copied after
        # Household→Unit instead of staged and merged: 15 ms per batch, 0.2 of 5 CPU-s at ×1).
        if self._pair_empty(type_, start, end):
            rel = self._store.model.rel(type_)
            table = self._typed({p.name: p.type for p in rel.all_props}, columns, type_)
            table = table.add_column(0, "to", pa.array(list(columns["dst"]), pa.string()))
            table = table.add_column(0, "from", pa.array(list(columns["src"]), pa.string()))
            self._copy(type_, table, f" (from='{start}', to='{end}')", background=True)
            self._copied.add((type_, start, end))
            return n
        a_key, b_key = self._store.model.node(start).key, self._store.model.node(end).key
        sets = ", ".join(f"r.{c} = s.{c}" for c in types if c not in ("src", "dst"))
        with self._staged_table(types, self._typed(types, columns, type_), n) as stage:
            self._exec(f"MATCH (s:{stage}) MATCH (a:{start}), (b:{end}) WHERE a.{a_key} = s.src AND b.{b_key} = s.dst "
                       f"MERGE (a)-[r:{type_}]->(b)" + (f" SET {sets}" if sets else ""))
        return n

    def _rel_stage_types(self, type_: str, start: str, end: str, cols: list[str]) -> dict[str, str]:
        rel = self._store.model.rel(type_)
        if not rel.allows(start, end):
            raise StoreError(f"{type_} does not join {start} to {end}; allowed pairs: {rel.pairs}")
        props = [c for c in cols if c not in ("src", "dst")]
        check_columns(rel, props)
        return {"src": "STRING", "dst": "STRING", **{c: rel.prop(c).type for c in props}}

    def upsert_rels(self, type_: str, start: str, end: str, rows: Sequence[Mapping[str, Any]], *,
                    endpoints_checked: bool = False) -> int:
        if not rows:
            return 0
        self.touch(type_, start, end, keys=endpoint_keys(start, end, [r.get("src") for r in rows], [r.get("dst") for r in rows]))
        cols, rows = normalise_rows(rows, ("src", "dst"))
        types = self._rel_stage_types(type_, start, end, cols)
        a_key, b_key = self._store.model.node(start).key, self._store.model.node(end).key
        if endpoints_checked and self._empty(f"()-[:{type_}]->()"):
            # Same reasoning as for nodes; only when the caller vouches for the endpoints, since a COPY
            # that meets a missing endpoint fails inside Kùzu.
            rel = self._store.model.rel(type_)
            columns = {"from": "STRING", "to": "STRING", **{p.name: p.type for p in rel.all_props}}
            data = [{"from": r["src"], "to": r["dst"], **r} for r in rows]
            self._copy(type_, self._table(columns, data, type_), f" (from='{start}', to='{end}')")
            return len(rows)
        sets = ", ".join(f"r.{c} = s.{c}" for c in types if c not in ("src", "dst"))
        with self._staged(types, rows, type_) as stage:
            # MERGE silently skips rows whose endpoints are missing: find them first.
            missing = [] if endpoints_checked else self._exec(
                f"MATCH (s:{stage}) OPTIONAL MATCH (a:{start}) WHERE a.{a_key} = s.src "
                f"OPTIONAL MATCH (b:{end}) WHERE b.{b_key} = s.dst WITH s, a, b WHERE a IS NULL OR b IS NULL "
                "RETURN s.src AS src, s.dst AS dst, a IS NULL AS no_src, b IS NULL AS no_dst ORDER BY s._i")
            if missing:
                raise MissingEndpoints(type_, [(start, m["src"]) if m["no_src"] else (end, m["dst"]) for m in missing])
            self._exec(f"MATCH (s:{stage}) MATCH (a:{start}), (b:{end}) WHERE a.{a_key} = s.src AND b.{b_key} = s.dst "
                       f"MERGE (a)-[r:{type_}]->(b)" + (f" SET {sets}" if sets else ""))
        return len(rows)

    def delete_rels(self, type_: str, start: str, end: str, pairs: Sequence[tuple[str, str]]) -> int:
        if not pairs:
            return 0
        self.touch(type_, start, end, keys=endpoint_keys(start, end, [a for a, _ in pairs], [b for _, b in pairs]))
        _, rows = normalise_rows([{"src": a, "dst": b} for a, b in pairs], ("src", "dst"))
        types = self._rel_stage_types(type_, start, end, ["src", "dst"])
        a_key, b_key = self._store.model.node(start).key, self._store.model.node(end).key
        with self._staged(types, rows, type_) as stage:
            self._exec(f"MATCH (s:{stage}) MATCH (a:{start})-[r:{type_}]->(b:{end}) "
                       f"WHERE a.{a_key} = s.src AND b.{b_key} = s.dst DELETE r")
        return len(rows)


class KuzuStore(GraphStore):
    """Embedded Kùzu database in one file on disk (default ``data/orgnet.kuzu``)."""

    backend = "kuzu"

    def __init__(self, path: str | os.PathLike, *, read_only: bool = False, model: Model = MODEL):
        self.path = Path(path).expanduser().resolve()
        self.location = str(self.path)
        self.model = model
        self._shared = _open_shared(self.path, read_only)
        #: True also when asked for read-write but the data folder is read-only
        self.read_only = self._shared.read_only
        self._local = threading.local()
        self._closed = False
        if not self.read_only:
            self._drop_leftover_stages()
            self._finish_derived()

    @property
    def commits(self) -> int:  # shared by every store object on this file in this process
        return self._shared.commits

    def _conn(self) -> kuzu.Connection:
        if self._closed:
            raise StoreError("this store is closed")
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = kuzu.Connection(self._shared.db)
        return conn

    def _drop_leftover_stages(self) -> None:
        with self._shared.write_lock:
            for t in _execute(self._conn(), "CALL show_tables() RETURN name", None):
                if t["name"].startswith(STAGE_PREFIX):
                    _execute(self._conn(), f"DROP TABLE {t['name']}", None)

    def query(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return _execute(self._conn(), for_backend(cypher, "kuzu"), params)

    def query_columns(self, cypher: str, params: Mapping[str, Any] | None = None) -> dict[str, list[Any]]:
        return _columns(self._conn(), for_backend(cypher, "kuzu"), params)

    def query_arrow(self, cypher: str, params: Mapping[str, Any] | None = None) -> pa.Table | None:
        result = _result(self._conn(), for_backend(cypher, "kuzu"), params)
        if not result.has_next():
            return None
        return _arrow(result)

    def query_console(self, cypher: str, params: Mapping[str, Any] | None = None, *, timeout: float,
                      row_cap: int, cancel: Cancel | None = None) -> tuple[list[str], list[Row], bool]:
        # A connection of its own, so interrupt() stops this statement and nothing else, and a
        # read-only transaction, in which Kùzu refuses any write to the database.
        conn = kuzu.Connection(self._shared.db)
        try:
            conn.set_query_timeout(max(1, int(timeout * 1000)))
            _execute(conn, "BEGIN TRANSACTION READ ONLY", None)
            if cancel is not None:
                cancel.on_cancel(conn.interrupt)
            used = parameters(cypher)
            args = {k: v for k, v in (params or {}).items() if k in used}
            if used - set(args):
                raise QueryError(f"missing parameter(s): {', '.join(sorted('$' + m for m in used - set(args)))}",
                                 cypher)
            start = time.monotonic()
            try:
                result = conn.execute(cypher, args)
            except RuntimeError as e:
                if "interrupted" in str(e).lower():
                    if cancel is not None and cancel.cancelled:
                        raise ConsoleCancelled(str(e)) from None
                    raise ConsoleTimeout(timeout, f"Kùzu: {e} after {time.monotonic() - start:.1f} s") from None
                raise QueryError(f"Kùzu refused the statement: {e}", cypher) from None
            if isinstance(result, list):  # the checker lets one statement through; never run several
                raise QueryError("one statement per call", cypher)
            cols = result.get_column_names()
            rows = []
            while result.has_next() and len(rows) < row_cap:
                rows.append(dict(zip(cols, (plain(v) for v in result.get_next()))))
            truncated = result.has_next()
            result.close()
            return cols, rows, truncated
        finally:
            _rollback_quietly(conn)
            conn.close()

    @contextmanager
    def transaction(self) -> Iterator[KuzuTransaction]:
        if self.read_only:
            raise StoreError(f"{self.path} is open read-only; writes need a read-write store")
        with self._shared.write_lock:
            conn = kuzu.Connection(self._shared.db)
            try:
                _execute(conn, "BEGIN TRANSACTION", None)
                tx = KuzuTransaction(self, conn)
                try:
                    yield tx
                    tx.settle()
                except BaseException:
                    tx.settle(quiet=True)
                    if not tx.broken:
                        _rollback_quietly(conn)
                    raise
                if tx.broken:
                    raise StoreError(f"the transaction was rolled back: {tx.broken}")
                # Derived properties (graph.derived) are recomputed right after the commit, in a
                # transaction of their own under the same write lock: inside the writing transaction
                # Kùzu 0.11.3 scans relationships written and deleted in it wrongly (after a --replace
                # load that moved households, MATCH (h:Household)-[:PART_OF]->(u:Unit) put 235 of
                # them in one unit; after the commit the same scan is right). A marker file, written
                # before the commit, makes the next open finish the work if the process dies between.
                work = tx.derived_work()
                fresh_marker = bool(work) and not self._derived_marker.exists()
                if work:
                    try:
                        self._mark_derived(work)
                    except OSError as e:
                        _rollback_quietly(conn)
                        raise StoreError(f"the transaction was rolled back: could not write "
                                         f"{self._derived_marker.name}: {e}") from None
                try:
                    _execute(conn, "COMMIT", None)
                except BaseException:
                    if fresh_marker:  # nothing was committed: nothing to finish
                        self._derived_marker.unlink(missing_ok=True)
                    raise
                self._shared.commits += 1
                if work:
                    self._refresh_derived(conn, *work)
            finally:
                conn.close()

    @property
    def _derived_marker(self) -> Path:
        return self.path.with_name(self.path.name + ".derived-pending")

    def _mark_derived(self, work: tuple[set[str], set[str]]) -> None:
        pending = self._derived_marker
        try:
            old = json.loads(pending.read_text(encoding="utf-8")) if pending.exists() else {}
        except (OSError, ValueError):
            old = {"full": [g.name for g in derived.GROUPS]}
        data = {"full": sorted(set(old.get("full", [])) | work[0]), "fill": sorted(set(old.get("fill", [])) | work[1])}
        tmp = pending.with_name(pending.name + ".part")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, pending)

    def _refresh_derived(self, conn: kuzu.Connection, full: set[str], fill: set[str],
                         by_key: dict | None = None) -> None:
        """Bring the derived properties up to date in a transaction of their own (see ``transaction``).
        The marker keeps only the groups: a process that dies in between recomputes them whole."""
        _execute(conn, "BEGIN TRANSACTION", None)
        tx = KuzuTransaction(self, conn)
        try:
            derived.refresh(tx, full, fill, by_key)
            tx.settle()
        except BaseException:
            tx.settle(quiet=True)
            if not tx.broken:
                _rollback_quietly(conn)
            raise
        if tx.broken:
            raise StoreError(f"the derived properties were not updated ({tx.broken}); the next open of "
                             f"{self.path} recomputes them")
        _execute(conn, "COMMIT", None)
        self._shared.commits += 1
        self._derived_marker.unlink(missing_ok=True)

    def _finish_derived(self) -> None:
        """A process that died between a write and its derived values left the marker: finish now."""
        pending = self._derived_marker
        if not pending.exists():
            return
        try:
            data = json.loads(pending.read_text(encoding="utf-8"))
            work = set(data["full"]), set(data["fill"])
        except (OSError, ValueError, KeyError, TypeError):
            work = {g.name for g in derived.GROUPS}, set()
        with self._shared.write_lock:
            conn = kuzu.Connection(self._shared.db)
            try:
                self._refresh_derived(conn, *work)
            finally:
                conn.close()

    def create_schema(self) -> None:
        with self.transaction() as tx:
            for ddl in kuzu_ddl(self.model):
                tx._exec(ddl)
            # a database written by an older orgnet lacks properties added to the model since
            for n in self.model.nodes:
                for p in n.all_props:
                    if p.name != n.key:
                        tx._exec(f"ALTER TABLE {n.label} ADD IF NOT EXISTS {p.name} {p.type}")
            for r in self.model.rels:
                for p in r.all_props:
                    tx._exec(f"ALTER TABLE {r.type} ADD IF NOT EXISTS {p.name} {p.type}")
            if derived.missing(tx._exec(derived.missing_check())):
                tx.derived_dirty = True

    def tables(self) -> set[str]:
        return {t["name"] for t in self.query("CALL show_tables() RETURN name")}

    def close(self) -> None:
        if not self._closed:
            conn = getattr(self._local, "conn", None)
            if conn is not None:
                conn.close()
            self._closed = True
            _release(self.path, self._shared)
