"""The production store: Neo4j 5 through the official ``neo4j`` Python driver.

``bolt://``, ``neo4j://`` (routing: clusters, Aura) and ``neo4j+s://`` URIs all work; reads go
through read routing, writes through one explicit transaction per unit of work. Writes are
``UNWIND $rows … MERGE`` batches generated from the model (``graph.schema``), the same statements
the Cypher linter checks.
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from . import derived
from .dialect import for_backend
from .neo4j_batches import (BEFORE, CHUNK, MARKER, SCHEMA as UNDO_SCHEMA, UNDO, batch_rows, batched_load, lock_wait,
                            undo_statements, unique_columns)
from .model import MODEL, Model
from .schema import (check_columns, neo4j_delete_rels, neo4j_missing_endpoints, neo4j_node_columns,
                     neo4j_rel_columns, neo4j_schema, neo4j_upsert_nodes, neo4j_upsert_rels)
from .store import (Cancel, ConsoleCancelled, ConsoleTimeout, GraphStore, MissingEndpoints, QueryError, Row,
                    StoreError, StoreUnavailable, Transaction, WriteRefused, endpoint_keys, normalise_rows,
                    plain, utcnow)

BATCH = 1000
_PLAIN_TYPES = {str, int, float, bool, type(None)}


def columnar(cypher: str, keys: Sequence[str]) -> str:
    """``cypher`` (a read statement returning ``keys``) rewritten to return one record whose columns
    are lists of the original column values in row order (nulls kept: a list comprehension keeps
    them, ``collect`` would drop them).

    >>> print(columnar("MATCH (h:Household) RETURN h.id AS id", ["id"]))
    CALL () {
    MATCH (h:Household) RETURN h.id AS id
    }
    WITH collect([`id`]) AS `rows`
    RETURN [r IN `rows` | r[0]] AS `id`
    """
    names = [f"`{k.replace('`', '``')}`" for k in keys]
    return ("CALL () {\n" + cypher + "\n}\n"
            f"WITH collect([{', '.join(names)}]) AS `rows`\n"
            "RETURN " + ", ".join(f"[r IN `rows` | r[{i}]] AS {n}" for i, n in enumerate(names)))


def _refused(e, cypher: str, database: str | None) -> QueryError:
    """A server error as orgnet's QueryError, with a hint where the cause is configuration."""
    if getattr(e, "code", "") == "Neo.ClientError.Database.DatabaseNotFound":
        return QueryError(f"Neo4j has no database {database!r} ({e.message}): check NEO4J_DATABASE "
                          "(Neo4j Community has only `neo4j`), or unset it to use the server's default", cypher)
    if "MemoryPoolOutOfMemoryError" in getattr(e, "code", "") or "TransactionMemoryLimit" in getattr(e, "code", ""):
        return QueryError(f"the unit of work needs more transaction memory than this Neo4j allows ({e.message}); "
                          "nothing of it was written. Load fewer ledgers at once, or raise the server's "
                          "dbms.memory.transaction.total.max / db.memory.transaction.max (and its heap)", cypher)
    return QueryError(f"Neo4j refused the statement: {e.message}", cypher)


def _batches(rows: list[Row], size: int = BATCH) -> Iterator[list[Row]]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


class Neo4jTransaction(Transaction):
    def __init__(self, store: "Neo4jStore", tx):
        self._store = store
        self._tx = tx

    def _exec(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        from neo4j.exceptions import Neo4jError
        try:
            result = self._tx.run(cypher, dict(params or {}))
            keys = result.keys()
            return [{k: plain(rec[k]) for k in keys} for rec in result]
        except Neo4jError as e:
            raise _refused(e, cypher, self._store.database) from None

    def run(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        self.touch_statement(cypher)
        return self._exec(for_backend(cypher, "neo4j"), params)

    def upsert_nodes(self, label: str, rows: Sequence[Mapping[str, Any]]) -> int:
        node = self._store.model.node(label)
        if not rows:
            return 0
        cols, rows = normalise_rows(rows, node.key)
        self.touch(label, keys={label: [r[node.key] for r in rows]})
        cypher = neo4j_upsert_nodes(label, cols, self._store.model)
        for batch in _batches(rows):
            self._exec(cypher, {"rows": batch})
        return len(rows)

    def upsert_rels(self, type_: str, start: str, end: str, rows: Sequence[Mapping[str, Any]], *,
                    endpoints_checked: bool = False) -> int:
        if not rows:
            return 0
        self.touch(type_, start, end, keys=endpoint_keys(start, end, [r.get("src") for r in rows],
                                                         [r.get("dst") for r in rows]))
        cols, rows = normalise_rows(rows, ("src", "dst"))
        props = [c for c in cols if c not in ("src", "dst")]
        cypher = neo4j_upsert_rels(type_, start, end, props, self._store.model)
        check = neo4j_missing_endpoints(type_, start, end, self._store.model)
        missing = []
        for batch in ([] if endpoints_checked else _batches(rows)):
            missing += self._exec(check, {"rows": [{"src": r["src"], "dst": r["dst"]} for r in batch]})
        if missing:
            raise MissingEndpoints(type_, [(start, m["src"]) if m["no_src"] else (end, m["dst"]) for m in missing])
        for batch in _batches(rows):
            self._exec(cypher, {"rows": batch})
        return len(rows)

    def upsert_node_columns(self, label: str, columns: Mapping[str, Sequence[Any]]) -> int:
        """``UNWIND range(…)`` over one list parameter per column, MERGE on the key: no map per row."""
        node = self._store.model.node(label)
        columns = unique_columns(columns, (node.key,))
        n = len(columns.get(node.key, []))
        if not n:
            return 0
        check_columns(node, [c for c in columns if c != node.key])
        self.touch(label, keys={label: columns[node.key]})
        cypher = neo4j_node_columns(label, list(columns), "merge", self._store.model)
        for i in range(0, n, CHUNK):
            self._exec(cypher, {c: list(v[i:i + CHUNK]) for c, v in columns.items()})
        return n

    def upsert_rel_columns(self, type_: str, start: str, end: str, columns: Mapping[str, Sequence[Any]], *,
                           endpoints_checked: bool = False) -> int:
        if not endpoints_checked:  # the row writer checks for missing endpoints first
            return super().upsert_rel_columns(type_, start, end, columns)
        columns = unique_columns(columns, ("src", "dst"))
        n = len(columns.get("src", []))
        if not n:
            return 0
        self.touch(type_, start, end, keys=endpoint_keys(start, end, columns["src"], columns["dst"]))
        cypher = neo4j_rel_columns(type_, start, end, list(columns), "merge", self._store.model)
        for i in range(0, n, CHUNK):
            self._exec(cypher, {c: list(v[i:i + CHUNK]) for c, v in columns.items()})
        return n

    def delete_rels(self, type_: str, start: str, end: str, pairs: Sequence[tuple[str, str]]) -> int:
        cypher = neo4j_delete_rels(type_, start, end, self._store.model)
        if pairs:
            self.touch(type_, start, end, keys=endpoint_keys(start, end, [a for a, _ in pairs], [b for _, b in pairs]))
        rows = [{"src": a, "dst": b} for a, b in pairs]
        for batch in _batches(rows):
            self._exec(cypher, {"rows": batch})
        return len(rows)


class Neo4jStore(GraphStore):
    """A Neo4j 5 database reached by URI; the driver is created once and closed with the store."""

    backend = "neo4j"

    def __init__(self, uri: str, user: str, password: str, database: str | None = None, *, model: Model = MODEL):
        import neo4j
        from neo4j.exceptions import AuthError, ServiceUnavailable

        self.model = model
        self._keys: dict[str, list[str]] = {}  # statement → its result columns (query_columns)
        self.database = database or None
        self.location = uri + (f" (database {database})" if database else "")
        # A type or label no row uses yet is normal here (counts over the whole model), not worth a
        # warning in the log on every call.
        self._driver = neo4j.GraphDatabase.driver(uri, auth=(user, password),
                                                  notifications_disabled_classifications=["UNRECOGNIZED"])
        try:
            self._driver.verify_connectivity()
        except AuthError:
            self._driver.close()
            raise StoreUnavailable(f"Neo4j at {uri} refused the credentials: check NEO4J_USERNAME and "
                                   "NEO4J_PASSWORD") from None
        except (ServiceUnavailable, OSError, ValueError) as e:
            self._driver.close()
            raise StoreUnavailable(f"cannot reach Neo4j at {uri}: {e}. Is the server running? Unset "
                                   "NEO4J_URI to use the embedded database instead.") from None
        # A load that died half-way (batched loads: graph.neo4j_batches) is undone before anything else.
        try:
            self.recovered = self.recover()
        except QueryError as e:
            if not str(e).startswith("Neo4j has no database"):
                raise
            self.recovered = []  # a wrong NEO4J_DATABASE: every call says so, with the fix

    # -- batched loads: marker, undo, recovery (graph.neo4j_batches) -------------------------------
    def _run_in(self, tx, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        from neo4j.exceptions import Neo4jError
        try:
            result = tx.run(cypher, dict(params or {}))
            keys = result.keys()
            return [{k: plain(rec[k]) for k in keys} for rec in result]
        except Neo4jError as e:
            raise _refused(e, cypher, self.database) from None

    def _autocommit(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """One statement in its own transaction on the writer (never a possibly lagging secondary)."""
        import neo4j
        from neo4j.exceptions import Neo4jError
        try:
            records, _, keys = self._driver.execute_query(cypher, dict(params or {}), database_=self.database,
                                                          routing_=neo4j.RoutingControl.WRITE)
        except Neo4jError as e:
            raise _refused(e, cypher, self.database) from None
        return [{k: plain(r[k]) for k in keys} for r in records]

    @contextmanager
    def load_transaction(self, load_id: str) -> Iterator[Transaction]:
        rows = batch_rows()
        if rows == 0:
            with self.transaction() as tx:
                yield tx
        else:
            with batched_load(self, load_id, rows) as tx:
                yield tx

    def load_in_progress(self) -> list[Row]:
        return self.query(f"MATCH (m:{MARKER}) RETURN m.id AS id, m.started_at AS started_at, "
                                "m.host AS host, m.pid AS pid ORDER BY id")

    def recover(self, only: str | None = None, wait: float | None = None) -> list[str]:
        """Undo every load whose marker nobody holds (its process died); return their ids.

        A marker's lock is held by its live loader; if this process gets the lock within ``wait``
        seconds, the loader is gone. A second, untimed transaction then holds the lock while the
        load is undone, so two processes never undo the same load at once."""
        done = []
        for m in self._autocommit(f"MATCH (m:{MARKER}) RETURN m.id AS id"):
            if only is not None and m["id"] != only:
                continue
            with self._driver.session(database=self.database) as probe:
                try:
                    with probe.begin_transaction(timeout=wait if wait is not None else lock_wait()) as tx:
                        tx.run(f"MATCH (m:{MARKER} {{id: $id}}) SET m.probed_at = $t", id=m["id"], t=utcnow()).consume()
                        tx.rollback()
                except Exception:  # noqa: BLE001 - timed out waiting: a live load holds it (load_in_progress)
                    continue
            with self._driver.session(database=self.database) as session, session.begin_transaction() as hold:
                held = self._run_in(hold, f"MATCH (m:{MARKER} {{id: $id}}) SET m.undoing_since = $t RETURN m.id AS id",
                                    {"id": m["id"], "t": utcnow()})
                if not held:  # someone else undid it meanwhile
                    continue
                self._undo(m["id"])
                self._run_in(hold, f"MATCH (m:{MARKER} {{id: $id}}) DELETE m", {"id": m["id"]})
                hold.commit()
            done.append(m["id"])
        if only is None:
            self._sweep()
        return done

    def _undo(self, load_id: str) -> None:
        """Apply a load's undo records newest first, each with the deletion of its record."""
        records = self._autocommit(f"MATCH (u:{UNDO} {{load: $id}}) RETURN properties(u) AS r ORDER BY u.seq DESC",
                                   {"id": load_id})
        for rec in records:
            with self._driver.session(database=self.database) as session, session.begin_transaction() as tx:
                for cypher, params in undo_statements(self.model, rec["r"]):
                    self._run_in(tx, cypher, params)
                tx.commit()
        # before-images whose record never committed cannot exist (same transaction); none are left
        self._autocommit(f"MATCH (b:{BEFORE} {{_undo_load: $id}}) DELETE b", {"id": load_id})

    def _sweep(self, load_id: str | None = None) -> None:
        """Delete the undo records of committed loads (of one load, or of any)."""
        if load_id is not None:
            matches = (f"MATCH (u:{UNDO} {{load: $id}})", f"MATCH (u:{BEFORE} {{_undo_load: $id}})")
        else:
            matches = (f"MATCH (u:{UNDO}) WHERE EXISTS {{ MATCH (l:Load) WHERE l.id = u.load }}",
                       f"MATCH (u:{BEFORE}) WHERE EXISTS {{ MATCH (l:Load) WHERE l.id = u._undo_load }}")
        with self._driver.session(database=self.database) as session:
            for match in matches:
                session.run(f"{match} CALL (u) {{ DELETE u }} IN TRANSACTIONS OF 10000 ROWS",
                            {"id": load_id} if load_id else {}).consume()

    def query(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        import neo4j
        from neo4j.exceptions import Neo4jError

        cypher = for_backend(cypher, "neo4j")
        try:
            records, _, keys = self._driver.execute_query(
                cypher, dict(params or {}), database_=self.database, routing_=neo4j.RoutingControl.READ)
        except Neo4jError as e:
            raise _refused(e, cypher, self.database) from None
        return [{k: plain(r[k]) for k in keys} for r in records]

    def query_columns(self, cypher: str, params: Mapping[str, Any] | None = None) -> dict[str, list[Any]]:
        """The result as one record of lists, one list per column (``columnar``): a rule's population
        of a county comes back in one Bolt message instead of a record per row, which is where the
        time went (×1 R08, 39k households: 0.7 CPU-s in the driver against 40 ms of server work).
        Falls back to streaming records if the server cannot hold the whole result in one
        transaction's memory, or cannot nest the statement in a subquery."""
        import neo4j
        from neo4j.exceptions import Neo4jError

        cypher = for_backend(cypher, "neo4j")
        params = dict(params or {})
        # a session, not execute_query: a result too big for the transaction memory is a transient
        # error that execute_query would retry for half a minute before giving up
        with self._driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
            try:
                keys = self._keys.get(cypher)
                if keys is None:  # the result's columns, from the plan (cached per statement)
                    keys = self._keys[cypher] = list(session.run("EXPLAIN " + cypher, params).keys())
                record = session.run(columnar(cypher, keys), params).single(strict=True)
            except Neo4jError as e:
                code = getattr(e, "code", "") or ""
                if not ("MemoryPool" in code or "TransactionMemoryLimit" in code or "SyntaxError" in code):
                    raise _refused(e, cypher, self.database) from None
                record = None
        if record is None:
            return super().query_columns(cypher, params)
        out = {}
        for k in keys:
            values = record[k]
            # dates and the like need converting; strings, numbers, booleans and None do not
            if not set(map(type, values)) <= _PLAIN_TYPES:
                values = [plain(v) for v in values]
            out[k] = values
        return out

    def query_console(self, cypher: str, params: Mapping[str, Any] | None = None, *, timeout: float,
                      row_cap: int, cancel: Cancel | None = None) -> tuple[list[str], list[Row], bool]:
        """The server's own plan must be a read (``EXPLAIN`` query type ``r``), then the statement
        runs in a read transaction with a server-side timeout. A cancel terminates the transaction,
        found by the tag in its metadata (users may always terminate their own transactions)."""
        import neo4j
        from neo4j.exceptions import ClientError, Neo4jError

        params = dict(params or {})
        tag = uuid.uuid4().hex
        with self._driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
            try:
                kind = session.run("EXPLAIN " + cypher, params).consume().query_type
            except Neo4jError as e:
                raise _refused(e, cypher, self.database) from None
            if kind != "r":
                raise WriteRefused(f"query type {kind!r}")
            if cancel is not None:
                cancel.on_cancel(lambda: self._terminate(tag))
            if cancel is not None and cancel.cancelled:
                raise ConsoleCancelled("stopped before it started")
            start = time.monotonic()
            tx = session.begin_transaction(timeout=timeout, metadata={"orgnet_console": tag})
            try:
                result = tx.run(cypher, params)
                cols = list(result.keys())
                rows: list[Row] = []
                truncated = False
                for record in result:
                    if len(rows) == row_cap:
                        truncated = True
                        break
                    rows.append({k: plain(record[k]) for k in cols})
                return cols, rows, truncated
            except Neo4jError as e:
                code = e.code or ""
                if cancel is not None and cancel.cancelled:
                    raise ConsoleCancelled(f"Neo4j: {e.message}") from None
                if "TransactionTimedOut" in code or "Terminated" in code or isinstance(e, ClientError) and \
                        "timeout" in (e.message or "").lower():
                    raise ConsoleTimeout(timeout, f"Neo4j: {code} after {time.monotonic() - start:.1f} s") from None
                raise _refused(e, cypher, self.database) from None
            finally:
                try:
                    tx.rollback()  # a read has nothing to commit; this also drops unread results
                except Exception:
                    pass
                tx.close()

    def _terminate(self, tag: str) -> None:
        with self._driver.session(database=self.database) as session:
            ids = [r["transactionId"] for r in session.run(
                "SHOW TRANSACTIONS YIELD transactionId, metaData WHERE metaData.orgnet_console = $tag "
                "RETURN transactionId", tag=tag)]
            if ids:
                session.run("TERMINATE TRANSACTIONS $ids", ids=ids).consume()

    @contextmanager
    def transaction(self) -> Iterator[Neo4jTransaction]:
        from neo4j.exceptions import Neo4jError

        with self._driver.session(database=self.database) as session:
            try:
                tx = session.begin_transaction()
            except Neo4jError as e:
                raise _refused(e, "BEGIN", self.database) from None
            try:
                work = Neo4jTransaction(self, tx)
                yield work
                # derived properties commit with the data they come from (graph.derived)
                work.refresh_derived()
            except BaseException:
                try:
                    tx.rollback()
                except Exception:  # noqa: BLE001 - the server may have ended it already (memory limit)
                    pass
                raise
            else:
                try:
                    tx.commit()
                except Neo4jError as e:
                    raise _refused(e, "COMMIT", self.database) from None
                self.commits += 1
            finally:
                tx.close()

    def create_schema(self) -> None:
        # Schema commands cannot share a transaction with data writes in Neo4j: one each. Every one is
        # named ("CREATE CONSTRAINT <name> IF NOT EXISTS …"): those already there are skipped, so a
        # repeat (every CLI command, every test's fresh store) costs two SHOW queries, not 47 sessions.
        try:
            present = {r["name"] for r in self.query("SHOW CONSTRAINTS YIELD name RETURN name")}
            present |= {r["name"] for r in self.query("SHOW INDEXES YIELD name RETURN name")}
        except QueryError:  # no right to list them: create each, as before (IF NOT EXISTS)
            present = set()
        for statement in [*neo4j_schema(self.model), *UNDO_SCHEMA]:
            if statement.split()[2] in present:
                continue
            with self._driver.session(database=self.database) as session:
                try:
                    session.run(statement).consume()
                except Exception as e:  # the driver raises several types here
                    raise StoreError(f"could not create the schema ({statement}): {e}") from None
        if derived.missing(self.query(derived.missing_check())):  # data written before a derived property existed
            with self.transaction() as tx:
                tx.derived_dirty = True

    def clear(self) -> None:
        # In batches of auto-committed transactions: one transaction deleting a whole county would
        # need as much transaction memory as loading it.
        with self._driver.session(database=self.database) as session:
            try:
                session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
            except Exception as e:  # noqa: BLE001 - the driver raises several types here
                raise StoreError(f"could not empty the database: {e}") from None

    def close(self) -> None:
        self._driver.close()
