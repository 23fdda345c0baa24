"""The one interface both stores implement, and the errors they raise.

A store is created once (``graph.config.open_store``) and passed in; nothing here opens a
connection at import time.

Examples
--------
>>> from graph.config import open_store
>>> store = open_store("data/example.kuzu")            # doctest: +SKIP
>>> store.create_schema()                               # doctest: +SKIP
>>> with store.transaction() as tx:                     # doctest: +SKIP
...     tx.upsert_nodes("Street", [{"id": "S1", "name": "城关街道"}])
>>> store.query("MATCH (s:Street) RETURN s.name AS name")  # doctest: +SKIP
[{'name': '城关街道'}]
"""
from __future__ import annotations

import datetime as dt
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from .model import BOOKKEEPING, MODEL, Model

Row = dict[str, Any]


class StoreError(RuntimeError):
    """Base of every error a store raises; the message says how to fix it."""


class StoreLocked(StoreError):
    """The embedded database is held by another process."""


class StoreUnavailable(StoreError):
    """The database cannot be reached or opened."""


class QueryError(StoreError):
    """A statement failed; carries the statement so the caller can show it."""

    def __init__(self, message: str, cypher: str = ""):
        super().__init__(message)
        self.cypher = cypher


class WriteRefused(PermissionError):
    """A write sent to the read-only console."""

    def __init__(self, reason: str):
        super().__init__(f"查询控制台只读：语句含有写操作“{reason}”，未执行。 The console is read-only: "
                         f"the statement contains {reason}; nothing was run.")
        self.reason = reason


class ConsoleTimeout(StoreError):
    """A console statement ran past its time limit and was stopped."""

    def __init__(self, seconds: float, engine_text: str = ""):
        super().__init__(f"the statement was stopped at its {seconds:g} s limit ({engine_text})")
        self.seconds = seconds
        self.engine_text = engine_text


class ConsoleCancelled(StoreError):
    """A console statement was stopped on request (a stop button, a closed page)."""

    def __init__(self, engine_text: str = ""):
        super().__init__(f"the statement was stopped on request ({engine_text})")
        self.engine_text = engine_text


class Cancel:
    """Lets another thread stop a running console statement (a stop button, a closed page).

    The store registers how to interrupt its engine with ``on_cancel``; ``set`` calls it (at once
    if the statement is running, or as soon as it registers)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._callbacks: list = []
        self.cancelled = False

    def on_cancel(self, callback) -> None:
        with self._lock:
            if not self.cancelled:
                self._callbacks.append(callback)
                return
        callback()

    def set(self) -> None:
        with self._lock:
            self.cancelled = True
            callbacks, self._callbacks = self._callbacks, []
        for cb in callbacks:
            try:
                cb()
            except Exception:  # the statement may have finished meanwhile
                pass


class MissingEndpoints(StoreError):
    """Relationship rows name nodes that do not exist; nothing of the batch was written."""

    def __init__(self, type_: str, missing: list[tuple[str, str]]):
        shown = ", ".join(f"{label}:{key}" for label, key in missing[:10])
        more = f" (+{len(missing) - 10} more)" if len(missing) > 10 else ""
        super().__init__(f"{type_}: {len(missing)} relationship endpoint(s) do not exist: {shown}{more}. "
                         "Load the nodes first, or fix the ids in the ledger.")
        self.type = type_
        self.missing = missing


def plain(value: Any) -> Any:
    """Turn driver-specific values into plain Python (ints for Kùzu's Decimal sums, dates)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    to_native = getattr(value, "to_native", None)  # neo4j.time.Date / DateTime
    if to_native is not None:
        return to_native()
    return value


def normalise_rows(rows: Sequence[Mapping[str, Any]], key: str | tuple[str, ...]) -> tuple[list[str], list[Row]]:
    """Give every row the same columns (missing → None) and keep the last row of each key.

    Both engines want uniform rows (Kùzu's ``UNWIND`` rejects maps with differing keys), and a
    batch that names a key twice must write it once.
    """
    columns: dict[str, None] = {}
    for r in rows:
        columns.update(dict.fromkeys(r))
    cols = list(columns)
    keys = (key,) if isinstance(key, str) else key
    for k in keys:
        if k not in columns:
            raise StoreError(f"every row needs the column {k!r}; got columns {cols}")
    last: dict[tuple, Row] = {}
    for r in rows:
        kv = tuple(r.get(k) for k in keys)
        if any(v is None or v == "" for v in kv):
            raise StoreError(f"a row has an empty {'/'.join(keys)}: {dict(r)}")
        last[kv] = {c: r.get(c) for c in cols}
    return cols, list(last.values())


def endpoint_keys(start: str, end: str, srcs: Sequence[Any], dsts: Sequence[Any]) -> dict[str, list[Any]]:
    """label → keys of the endpoints of relationships written (for ``Transaction.touch``)."""
    out: dict[str, list[Any]] = {start: list(srcs)}
    out.setdefault(end, []).extend(dsts)
    return out


class Transaction(ABC):
    """One unit of work: everything commits together or nothing does."""

    # Derived properties (``graph.derived``): the groups this unit of work must recompute and the
    # labels whose new nodes need their defaults; the store brings them up to date just before it
    # commits (``refresh_derived``), so they commit with the data they come from.
    def _derived(self) -> tuple[set[str], set[str]]:
        d = self.__dict__
        return d.setdefault("_derived_full", set()), d.setdefault("_derived_fill", set())

    def _derived_keys(self) -> dict[str, dict[str, set[str]] | None]:
        """group → {label: keys written} (None: the whole group), for groups that may be recomputed
        for the touched entities only (``graph.derived.Group.keyed``)."""
        return self.__dict__.setdefault("_derived_by_key", {})

    @property
    def derived_dirty(self) -> bool:
        """Whether a derived value must be brought up to date before commit."""
        full, fill = self._derived()
        return bool(full or fill)

    @derived_dirty.setter
    def derived_dirty(self, value: bool) -> None:
        from .derived import GROUPS
        full, fill = self._derived()
        full.clear(), fill.clear()
        self._derived_keys().clear()
        if value:
            full.update(g.name for g in GROUPS)
            self._derived_keys().update(dict.fromkeys(full))

    @property
    def derived_groups(self) -> set[str]:
        """The groups of derived properties (``graph.derived.GROUPS``) to recompute so far."""
        return set(self._derived()[0])

    def touch(self, name: str, start: str | None = None, end: str | None = None,
              keys: Mapping[str, Sequence[str]] | None = None) -> None:
        """Note a write of label ``name`` (or of relationship type ``name`` from ``start`` to ``end``).

        ``keys``: label → keys of the nodes written (or of the relationships' endpoints); without
        them a group this write changes is recomputed whole. The stores' own write methods call it;
        a writer that writes by other means calls it too."""
        from .derived import touched
        full, fill = self._derived()
        more_full, more_fill = touched(name, start, end)
        full.update(more_full)
        fill.update(more_fill)
        by_key = self._derived_keys()
        for g in more_full:
            if keys is None or self.__dict__.get("derived_supplied"):
                by_key[g] = None
            elif by_key.get(g, {}) is not None:
                mine = by_key.setdefault(g, {})
                for label, ids in keys.items():
                    mine.setdefault(label, set()).update(i for i in ids if i is not None)

    def supply_derived(self) -> None:
        """The writer brings the derived values with the nodes it writes (a first load:
        ``graph.derived_batch``) and clears ``derived_dirty`` before commit: the keys each write
        touches are not collected (at ×10, four million of them)."""
        self.__dict__["derived_supplied"] = True

    def touch_statement(self, cypher: str) -> None:
        from .derived import statement_groups
        groups = statement_groups(cypher)
        self._derived()[0].update(groups)
        self._derived_keys().update(dict.fromkeys(groups))

    def derived_work(self) -> tuple[set[str], set[str], dict] | None:
        """(groups to recompute, labels to fill, keys written per group) for this unit of work, or
        None when there is none."""
        full, fill = self._derived()
        by_key = {g: (None if k is None else {label: set(ids) for label, ids in k.items()})
                  for g, k in self._derived_keys().items()}
        return (set(full), set(fill), by_key) if full or fill else None

    def refresh_derived(self) -> None:
        """Recompute what this unit of work made stale (the stores call it just before commit)."""
        from . import derived
        work = self.derived_work()
        if work:
            derived.refresh(self, *work)
            self.derived_dirty = False

    def writes_behind(self) -> int:
        """How many of this unit of work's column writes (``upsert_node_columns``,
        ``upsert_rel_columns``) the store has run behind the caller so far: Kùzu's COPY into an empty
        table runs while the caller prepares the next batch. They run in the order given; the next
        statement and the commit wait for them. Each such call hands over at most one."""
        return 0

    def write_time(self, number: int) -> tuple[float, float] | None:
        """(start, end), ``time.monotonic``, of write ``number`` run behind; None until it has run."""
        raise IndexError(number)

    def wait_write(self, number: int) -> None:
        """Until write ``number`` run behind has finished; raises the error of one that failed."""
        raise IndexError(number)

    def network_empty(self) -> bool:
        """Whether the database holds no node but orgnet's bookkeeping, as this unit of work sees it."""
        model = getattr(getattr(self, "_store", None), "model", MODEL)
        return not any(self._exec(f"MATCH (n:{n.label}) RETURN count(n) AS c")[0]["c"]
                       for n in model.nodes if n.label not in BOOKKEEPING)

    def set_derived(self, label: str, prop: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Write derived values computed outside the database: rows of the node's key and ``prop``
        (matched by key, one batch: a staging table cost Kùzu more than the values)."""
        model = getattr(getattr(self, "_store", None), "model", MODEL)
        key = model.node(label).key
        model.node(label).prop(prop)  # a property the model declares
        if rows:
            self._exec(f"UNWIND $rows AS r MATCH (n:{label} {{{key}: r.{key}}}) SET n.{prop} = r.{prop}",
                       {"rows": [{key: r[key], prop: r[prop]} for r in rows]})

    @abstractmethod
    def run(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """Run one statement (common-subset Cypher) inside the transaction."""

    @abstractmethod
    def upsert_nodes(self, label: str, rows: Sequence[Mapping[str, Any]]) -> int:
        """Create or update nodes by key; set exactly the columns present. Returns rows written."""

    @abstractmethod
    def upsert_rels(self, type_: str, start: str, end: str, rows: Sequence[Mapping[str, Any]], *,
                    endpoints_checked: bool = False) -> int:
        """Create or update relationships; rows hold ``src``, ``dst`` (keys) and properties.

        Raises ``MissingEndpoints`` (and writes nothing) when an endpoint does not exist, unless the
        caller has already checked every endpoint (the loader validates references) and says so.
        """

    @abstractmethod
    def delete_rels(self, type_: str, start: str, end: str, pairs: Sequence[tuple[str, str]]) -> int:
        """Remove the given (src, dst) relationships of a type."""

    #: rows per call when a column batch is written through ``upsert_nodes``/``upsert_rels``
    COLUMN_CHUNK = 10_000

    def upsert_node_columns(self, label: str, columns: Mapping[str, Sequence[Any]]) -> int:
        """``upsert_nodes`` for a batch held by column (property → values, all of one length).

        This generic version writes it in chunks of rows; a store that can take columns whole
        (Kùzu: one Arrow table) overrides it."""
        return sum(self.upsert_nodes(label, chunk) for chunk in _row_chunks(columns, self.COLUMN_CHUNK))

    def upsert_rel_columns(self, type_: str, start: str, end: str, columns: Mapping[str, Sequence[Any]], *,
                           endpoints_checked: bool = False) -> int:
        """``upsert_rels`` for a batch held by column (``src``, ``dst`` and properties)."""
        return sum(self.upsert_rels(type_, start, end, chunk, endpoints_checked=endpoints_checked)
                   for chunk in _row_chunks(columns, self.COLUMN_CHUNK))


def _row_chunks(columns: Mapping[str, Sequence[Any]], size: int):
    names = list(columns)
    n = len(columns[names[0]]) if names else 0
    for i in range(0, n, size):
        yield [dict(zip(names, values)) for values in zip(*(columns[c][i:i + size] for c in names))]


class GraphStore(ABC):
    """A graph database holding orgnet's model: Neo4j or embedded Kùzu."""

    backend: str = ""
    location: str = ""
    model: Model = MODEL
    #: Write transactions this process has committed to the database (caches of derived results
    #: are keyed by it, with the load log, so a write that is not a load also invalidates them).
    commits: int = 0

    @abstractmethod
    def query(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """Run a read statement; rows as dicts of plain Python values."""

    @abstractmethod
    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """A write transaction; commits on success, rolls back on any exception."""

    @contextmanager
    def load_transaction(self, load_id: str) -> Iterator[Transaction]:
        """The unit of work a load writes in: all or nothing. One transaction here; Neo4j may commit
        a large load in batches that it can undo (``graph.neo4j_batches``)."""
        with self.transaction() as tx:
            yield tx

    def load_in_progress(self) -> list[Row]:
        """Loads being written right now whose rows readers may partly see (batched Neo4j loads)."""
        return []

    @abstractmethod
    def create_schema(self) -> None:
        """Create every table / constraint of the model (idempotent)."""

    def clear(self) -> None:
        """Delete every node and relationship (the schema stays). For tests and rebuilds only."""
        with self.transaction() as tx:
            tx.run("MATCH (n) DETACH DELETE n")

    @abstractmethod
    def close(self) -> None:
        """Release the connection (and, for Kùzu, the file lock)."""

    def query_columns(self, cypher: str, params: Mapping[str, Any] | None = None) -> dict[str, list[Any]]:
        """Run a read statement; the result column by column (column name → values, in row order).

        For large results (a rule's population of a whole city): a store may fetch them columnar,
        without a Python dict per row. This default builds the columns from ``query``."""
        rows = self.query(cypher, params)
        cols: dict[str, list[Any]] = {k: [] for k in (rows[0] if rows else ())}
        for r in rows:
            for k, v in r.items():
                cols[k].append(v)
        return cols

    def query_arrow(self, cypher: str, params: Mapping[str, Any] | None = None):
        """Run a read statement; the result as a ``pyarrow.Table`` (None when it has no rows).

        For comparing a county-sized ledger with what the database holds without a Python object
        per value (Kùzu hands over its own Arrow result). This default builds it from ``query_columns``."""
        import pyarrow as pa

        cols = self.query_columns(cypher, params)
        if not cols or not next(iter(cols.values())):
            return None
        return pa.table(cols)

    @abstractmethod
    def query_console(self, cypher: str, params: Mapping[str, Any] | None = None, *, timeout: float,
                      row_cap: int, cancel: Cancel | None = None) -> tuple[list[str], list[Row], bool]:
        """Run a console statement exactly as given (already checked and translated by
        ``queries.readonly``: no dialect selection happens here) in a read-only transaction,
        stopped at ``timeout`` seconds (``ConsoleTimeout``) or through ``cancel``
        (``ConsoleCancelled``). Returns (columns, at most ``row_cap`` rows, whether more existed)."""

    # -- conveniences built on the primitives above -----------------------------------------------
    def query_readonly(self, cypher: str, params: Mapping[str, Any] | None = None, *, timeout: float = 30.0,
                       row_cap: int = 100_000) -> list[Row]:
        """The rows of ``query_console``: the engine's own walls only (read-only transaction; on
        Neo4j also the plan's query type). User text goes through ``queries.readonly`` first."""
        return self.query_console(cypher, params, timeout=timeout, row_cap=row_cap)[1]

    def write(self, statements: Sequence[tuple[str, Mapping[str, Any] | None]]) -> None:
        """Run several write statements in one transaction."""
        with self.transaction() as tx:
            for cypher, params in statements:
                tx.run(cypher, params)

    def upsert_nodes(self, label: str, rows: Sequence[Mapping[str, Any]]) -> int:
        with self.transaction() as tx:
            return tx.upsert_nodes(label, rows)

    def upsert_rels(self, type_: str, start: str, end: str, rows: Sequence[Mapping[str, Any]]) -> int:
        with self.transaction() as tx:
            return tx.upsert_rels(type_, start, end, rows)

    def counts(self) -> dict[str, int]:
        """Number of nodes per label and relationships per type, every one of the model's."""
        out = {}
        for n in self.model.nodes:
            out[n.label] = self.query(f"MATCH (n:{n.label}) RETURN count(n) AS c")[0]["c"]
        for r in self.model.rels:
            out[r.type] = self.query(f"MATCH ()-[r:{r.type}]->() RETURN count(r) AS c")[0]["c"]
        return out

    def is_empty(self) -> bool:
        return not any(self.query(f"MATCH (n:{n.label}) RETURN count(n) AS c")[0]["c"]
                       for n in self.model.nodes if n.label not in BOOKKEEPING)

    def __enter__(self) -> "GraphStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def utcnow() -> dt.datetime:
    """Naive UTC: Kùzu drops timezone offsets, so orgnet stores every timestamp as naive UTC."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
