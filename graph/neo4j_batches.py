"""Loads on Neo4j committed in batches, still all or nothing: undo records and a load marker.

One Neo4j transaction holds everything it writes in the server's memory until it commits (about
4 KB per ledger row), so a city-sized load does not fit one. A batched load keeps the promise
another way:

1. A **marker** node (``_OrgnetLoadInProgress {id: load id}``) is committed first. It says a load
   is under way: readers are told (``load_in_progress``), and it survives a crash.
2. An **anchor** transaction takes the write lock on the marker and keeps it for the whole load.
   The lock is how another process tells a live load from a dead one: Neo4j ends the transactions
   of a client whose connection closes (``kill -9``, a crash, a lost network), and the lock with it.
3. The rows go in **batch transactions** of ``ORGNET_NEO4J_BATCH_ROWS`` rows. Each batch writes, in
   the same transaction as the rows, **undo records** tagged with the load id: the ids of the nodes
   and relationships it creates, and a before-image (every property, as stored) of each node and
   relationship it changes or deletes. A batch and its undo records commit together or not at all.
4. The ``Load`` node is written in the anchor, which also deletes the marker and recomputes the
   derived properties: the load appears in the load log at the same instant it is complete.
   The undo records of a committed load are then deleted (leftovers are swept at the next open).

If anything fails, the loader undoes the committed batches newest first, each undo step in one
transaction with the deletion of its record (so an interrupted undo resumes where it stopped), and
then deletes the marker. If the process dies instead, the next ``open_store`` that finds a marker
nobody holds does the same before anything else. A re-load or ``--replace`` is undone exactly,
because the before-images hold what the earlier loads had written.
"""
from __future__ import annotations

import json
import os
import re
import socket
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TYPE_CHECKING

from .schema import check_columns, neo4j_delete_rels, neo4j_node_columns, neo4j_rel_columns
from .store import Row, StoreError, Transaction, endpoint_keys, normalise_rows, utcnow

if TYPE_CHECKING:
    from .neo4j_store import Neo4jStore

MARKER = "_OrgnetLoadInProgress"
UNDO = "_OrgnetUndo"
BEFORE = "_OrgnetBefore"
#: store bookkeeping that is not part of the model (indexes so undo finds its records fast)
SCHEMA = (f"CREATE INDEX orgnet_undo_load IF NOT EXISTS FOR (u:{UNDO}) ON (u.load)",
          f"CREATE INDEX orgnet_before_load IF NOT EXISTS FOR (b:{BEFORE}) ON (b._undo_load, b._undo_seq)",
          f"CREATE CONSTRAINT orgnet_marker_id IF NOT EXISTS FOR (m:{MARKER}) REQUIRE m.id IS UNIQUE")
#: rows per server-side statement inside a batch (one list parameter per column)
CHUNK = 10_000
_WRITES = re.compile(r"\b(CREATE|MERGE|SET|DELETE|REMOVE|DETACH)\b", re.I)


def batch_rows(env: Mapping[str, str] | None = None) -> int:
    """Rows per batch transaction (``ORGNET_NEO4J_BATCH_ROWS``; 0 = the whole load in one transaction)."""
    env = os.environ if env is None else env
    raw = env.get("ORGNET_NEO4J_BATCH_ROWS", "")
    try:
        n = int(raw) if raw.strip() else 50_000
    except ValueError:
        raise StoreError(f"ORGNET_NEO4J_BATCH_ROWS={raw!r} is not a whole number: give rows per batch "
                         "transaction (e.g. 50000), or 0 for one transaction per load") from None
    if n < 0:
        raise StoreError(f"ORGNET_NEO4J_BATCH_ROWS={raw!r}: give a number of rows ≥ 0")
    return n


def lock_wait(env: Mapping[str, str] | None = None) -> float:
    """Seconds a process waits for a load marker's lock before it calls that load alive."""
    env = os.environ if env is None else env
    try:
        return float(env.get("ORGNET_NEO4J_LOCK_WAIT", "") or 2.0)
    except ValueError:
        raise StoreError("ORGNET_NEO4J_LOCK_WAIT must be a number of seconds") from None


class BatchedLoad(Transaction):
    """The ``Transaction`` a batched load writes through (see the module docstring)."""

    #: a test hook: called with the batch number after each batch commits
    after_batch: Callable[[int], None] | None = None

    def __init__(self, store: "Neo4jStore", load_id: str, rows_per_batch: int):
        self._store = store
        self.load_id = load_id
        self._limit = rows_per_batch
        #: rows per statement: never more than a batch, so a batch stays within its size
        self._chunk = min(CHUNK, rows_per_batch) if rows_per_batch else CHUNK
        self._session = None
        self._tx = None
        self._rows = 0
        self._seq = 0
        self.batches = 0
        #: label → keys of the nodes this load created (a relationship to one cannot exist yet)
        self._created: dict[str, set] = {}
        #: (type, start, end) already written by this load: its later pairs may repeat earlier ones
        self._rel_written: set[tuple[str, str, str]] = set()
        self._anchor_session = None
        self._anchor = None

    # -- the marker and the anchor --------------------------------------------------------------
    def begin(self) -> None:
        s = self._store
        s._autocommit(f"CREATE (m:{MARKER} {{id: $id, started_at: $t, host: $h, pid: $p}})",
                      {"id": self.load_id, "t": utcnow(), "h": socket.gethostname(), "p": os.getpid()})
        self._anchor_session = s._driver.session(database=s.database)
        self._anchor = self._anchor_session.begin_transaction(metadata={"orgnet_load": self.load_id})
        self._anchor_exec(f"MATCH (m:{MARKER} {{id: $id}}) SET m.alive = true", {"id": self.load_id})

    def _anchor_exec(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return self._store._run_in(self._anchor, cypher, params)

    def finish(self) -> None:
        """Commit the last batch, bring the derived properties up to date, then commit the anchor:
        the Load node appears and the marker goes."""
        self._commit_batch()
        from .neo4j_store import Neo4jTransaction
        work = self.derived_work()
        if work and self._refresh_is_large(*work):
            self._refresh_in_batches(*work)
        elif work:
            # A few keyed values: recomputed in the anchor, so they commit with the Load node.
            anchor = Neo4jTransaction(self._store, self._anchor)
            full, fill, by_key = work
            anchor._derived()[0].update(full)
            anchor._derived()[1].update(fill)
            anchor._derived_keys().update(by_key)
            anchor.refresh_derived()
        self._anchor_exec(f"MATCH (m:{MARKER} {{id: $id}}) DELETE m", {"id": self.load_id})
        from neo4j.exceptions import Neo4jError
        from .neo4j_store import _refused
        try:
            self._anchor.commit()
        except Neo4jError as e:
            raise _refused(e, "COMMIT", self._store.database) from None
        finally:
            self._close_anchor()
        self._store.commits += 1
        self._store._sweep(self.load_id)

    # -- the derived refresh in bounded batches -------------------------------------------------
    #: a test hook: called with the number of derived statements run so far, after each
    after_derived: Callable[[int], None] | None = None

    def _refresh_is_large(self, full: set[str], fill: set[str], by_key: dict) -> bool:
        """Whether the refresh would grow with the county: a group recomputed for every entity, or
        defaults given to more new nodes than ``derived.KEYED_LIMIT``."""
        from . import derived
        if derived.whole_groups(full, by_key):
            return True
        return sum(len(self._created.get(label, ())) for label in fill) > derived.KEYED_LIMIT

    def _refresh_in_batches(self, full: set[str], fill: set[str], by_key: dict) -> None:
        """The derived values written in transactions of at most a batch each, undoably: first the
        before-images of every derived property the refresh may write (nodes this load created
        need none: undoing the load deletes them), committed as undo records of a batch each; then
        every statement runs as ``CALL { SET … } IN TRANSACTIONS``. Undone newest first, the
        before-images restore the values before the data batches are undone."""
        from . import derived
        for label, props in derived.written_props(full, fill).items():
            self._before_images(label, props)
        derived.refresh(_Refresh(self), full, fill, by_key)

    def _before_images(self, label: str, props: list[str]) -> None:
        s = self._store
        key = s.model.node(label).key
        skip = self._created.get(label, set())
        size = self._limit or CHUNK
        ids: list = []
        values: list = []

        def flush() -> None:
            if ids:
                self._undo_record("derived", label=label, key=key, props=props, ids=list(ids),
                                  values=json.dumps(values))
                self._commit_batch()
                ids.clear()
                values.clear()

        vals = ", ".join(f"n.{p}" for p in props)
        with s._driver.session(database=s.database) as session:
            for rec in session.run(f"MATCH (n:{label}) RETURN n.{key} AS k, [{vals}] AS v"):
                if rec["k"] in skip:
                    continue
                ids.append(rec["k"])
                values.append(rec["v"])
                if len(ids) >= size:
                    flush()
        flush()

    def abort(self) -> None:
        """Undo every committed batch of this load, then drop the marker."""
        for tx in (self._tx, self._anchor):
            if tx is not None:
                try:
                    tx.rollback()
                except Exception:  # noqa: BLE001 - the server may have ended it already
                    pass
        self._tx = None
        self._close_batch_session()
        self._close_anchor()
        try:
            self._store.recover(only=self.load_id, wait=30.0)
        except Exception:  # noqa: BLE001 - the marker stays; the next open undoes the load
            pass

    def _close_anchor(self) -> None:
        if self._anchor is not None:
            self._anchor.close()
            self._anchor = None
        if self._anchor_session is not None:
            self._anchor_session.close()
            self._anchor_session = None

    # -- batches --------------------------------------------------------------------------------
    def _batch(self):
        if self._tx is None:
            if self._session is None:
                self._session = self._store._driver.session(database=self._store.database)
            self._tx = self._session.begin_transaction(metadata={"orgnet_load_batch": self.load_id})
        return self._tx

    def _exec(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return self._store._run_in(self._batch(), cypher, params)

    def _commit_batch(self) -> None:
        if self._tx is None:
            return
        from neo4j.exceptions import Neo4jError
        from .neo4j_store import _refused
        try:
            self._tx.commit()
        except Neo4jError as e:
            raise _refused(e, "COMMIT", self._store.database) from None
        finally:
            self._tx.close()
            self._tx = None
        self._rows = 0
        self.batches += 1
        if self.after_batch is not None:
            self.after_batch(self.batches)

    def _close_batch_session(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def _count(self, n: int) -> None:
        self._rows += n
        if self._limit and self._rows >= self._limit:
            self._commit_batch()

    def _undo_record(self, op: str, **props: Any) -> int:
        self._seq += 1
        self._exec(f"CREATE (u:{UNDO}) SET u = $p", {"p": {"load": self.load_id, "seq": self._seq, "op": op, **props}})
        return self._seq

    def network_empty(self) -> bool:
        """Empty, and no other load under way (its rows would join this one's)."""
        others = self._exec(f"MATCH (m:{MARKER}) WHERE m.id <> $id RETURN count(m) AS n", {"id": self.load_id})
        return not others[0]["n"] and super().network_empty()

    # -- the Transaction interface --------------------------------------------------------------
    def run(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        from .dialect import for_backend
        if _WRITES.search(cypher):
            # a free-form write could not be undone: writes go through upsert_* / delete_rels
            raise StoreError("a batched load writes only through upsert_nodes / upsert_rels / delete_rels; "
                             f"refused: {cypher[:80]}")
        return self._exec(for_backend(cypher, "neo4j"), params)

    def upsert_nodes(self, label: str, rows: Sequence[Mapping[str, Any]]) -> int:
        if not rows:
            return 0
        cols, rows = normalise_rows(rows, self._store.model.node(label).key)
        return self.upsert_node_columns(label, {c: [r[c] for r in rows] for c in cols})

    def upsert_node_columns(self, label: str, columns: Mapping[str, Sequence[Any]]) -> int:
        """Nodes by column, a chunk per statement: before-images of the rows that exist (which the
        same statement finds through the key index), then CREATE for the new rows and MATCH … SET
        for the others: no MERGE, and no map per row on either side of the wire."""
        node = self._store.model.node(label)
        columns = unique_columns(columns, (node.key,))
        ids_all = columns.get(node.key, [])
        if not ids_all:
            return 0
        check_columns(node, [c for c in columns if c != node.key])
        if label == "Load":  # the load log entry commits with the anchor (see the module docstring)
            self._anchor_exec(neo4j_node_columns(label, list(columns), "merge", self._store.model), columns)
            return len(ids_all)
        self.touch(label, keys={label: ids_all})
        created = self._created.setdefault(label, set())
        for i in range(0, len(ids_all), self._chunk):
            chunk = {c: list(v[i:i + self._chunk]) for c, v in columns.items()}
            ids = chunk[node.key]
            seq = self._seq + 1
            known = {r["k"] for r in self._exec(
                f"UNWIND $ids AS k MATCH (n:{label} {{{node.key}: k}}) "
                f"CREATE (b:{BEFORE}) SET b = properties(n), b._undo_load = $load, b._undo_seq = $seq RETURN k",
                {"ids": ids, "load": self.load_id, "seq": seq})}
            new = [k for k in ids if k not in known]
            self._undo_record("nodes", label=label, key=node.key, created=new or None)
            created.update(new)
            for mode, part in split(chunk, node.key, known):
                self._exec(neo4j_node_columns(label, list(part), mode, self._store.model), part)
            self._count(len(ids))
        return len(ids_all)

    def _rel_before(self, type_: str, start: str, end: str, pairs: Mapping[str, list], seq: int) -> set[tuple]:
        m = self._store.model
        ks, ke = m.node(start).key, m.node(end).key
        return {(r["s"], r["d"]) for r in self._exec(
            f"UNWIND range(0, size($src) - 1) AS i MATCH (a:{start} {{{ks}: $src[i]}})-[x:{type_}]->(b:{end} {{{ke}: $dst[i]}}) "
            f"CREATE (u:{BEFORE}) SET u = properties(x), u._undo_load = $load, u._undo_seq = $seq, "
            "u._undo_src = $src[i], u._undo_dst = $dst[i] RETURN $src[i] AS s, $dst[i] AS d",
            {"src": pairs["src"], "dst": pairs["dst"], "load": self.load_id, "seq": seq})}

    def upsert_rels(self, type_: str, start: str, end: str, rows: Sequence[Mapping[str, Any]], *,
                    endpoints_checked: bool = False) -> int:
        if not rows:
            return 0
        cols, rows = normalise_rows(rows, ("src", "dst"))
        return self.upsert_rel_columns(type_, start, end, {c: [r[c] for r in rows] for c in cols},
                                       endpoints_checked=endpoints_checked)

    def upsert_rel_columns(self, type_: str, start: str, end: str, columns: Mapping[str, Sequence[Any]], *,
                           endpoints_checked: bool = False) -> int:
        """Relationships by column. A pair with an endpoint this load created cannot be joined yet:
        it is created without looking; the other pairs get before-images first (those found are
        updated, the rest created)."""
        if not endpoints_checked:
            raise StoreError("a batched load writes relationships whose endpoints the loader has checked")
        columns = unique_columns(columns, ("src", "dst"))
        if not columns.get("src"):
            return 0
        check_columns(self._store.model.rel(type_), [c for c in columns if c not in ("src", "dst")])
        self.touch(type_, start, end, keys=endpoint_keys(start, end, columns["src"], columns["dst"]))
        trip = (type_, start, end)
        new_a, new_b = (set(), set()) if trip in self._rel_written else (self._created.get(start, set()),
                                                                        self._created.get(end, set()))
        self._rel_written.add(trip)
        n = len(columns["src"])
        for i in range(0, n, self._chunk):
            chunk = {c: list(v[i:i + self._chunk]) for c, v in columns.items()}
            pairs = list(zip(chunk["src"], chunk["dst"]))
            unsure = [j for j, (a, b) in enumerate(pairs) if a not in new_a and b not in new_b]
            existing = self._rel_before(type_, start, end, {"src": [pairs[j][0] for j in unsure],
                                                           "dst": [pairs[j][1] for j in unsure]},
                                        self._seq + 1) if unsure else set()
            new = [p for p in pairs if p not in existing]
            self._undo_record("rels", type=type_, start=start, end=end,  # None: Neo4j keeps no empty list
                              srcs=[p[0] for p in new] or None, dsts=[p[1] for p in new] or None)
            for mode, part in split(chunk, ("src", "dst"), existing):
                self._exec(neo4j_rel_columns(type_, start, end, list(part), mode, self._store.model), part)
            self._count(len(pairs))
        return n

    def delete_rels(self, type_: str, start: str, end: str, pairs: Sequence[tuple[str, str]]) -> int:
        if not pairs:
            return 0
        self.touch(type_, start, end, keys=endpoint_keys(start, end, [a for a, _ in pairs], [b for _, b in pairs]))
        cypher = neo4j_delete_rels(type_, start, end, self._store.model)
        rows = [{"src": a, "dst": b} for a, b in pairs]
        for i in range(0, len(rows), self._chunk):
            chunk = rows[i:i + self._chunk]
            self._rel_before(type_, start, end, {"src": [r["src"] for r in chunk], "dst": [r["dst"] for r in chunk]},
                             self._seq + 1)
            self._undo_record("deleted-rels", type=type_, start=start, end=end)
            self._exec(cypher, {"rows": chunk})
            self._count(len(chunk))
        return len(rows)


def unique_columns(columns: Mapping[str, Sequence[Any]], keys: tuple[str, ...]) -> dict[str, list]:
    """A column batch whose key (tuple) names each row once, keeping the last row of a key, as
    ``normalise_rows`` does for rows; an empty key is refused. Usually nothing to do (the loader
    validated the keys): one pass over the keys to know it."""
    cols = {c: v for c, v in columns.items()}
    for k in keys:
        if k not in cols:
            raise StoreError(f"every row needs the column {k!r}; got columns {list(cols)}")
    key_of = cols[keys[0]] if len(keys) == 1 else list(zip(*(cols[k] for k in keys)))
    for k in keys:
        if None in cols[k] or "" in cols[k]:
            raise StoreError(f"a row has an empty {'/'.join(keys)}")
    last = {kv: i for i, kv in enumerate(key_of)}
    if len(last) == len(key_of):
        return cols
    keep = sorted(last.values())
    return {c: [v[i] for i in keep] for c, v in cols.items()}


def split(chunk: dict[str, list], key: str | tuple[str, ...], existing: set) -> Iterator[tuple[str, dict[str, list]]]:
    """(``create`` | ``update``, the chunk's rows of that kind); ``existing``: keys known to exist."""
    if not existing:
        yield "create", chunk
        return
    keys = chunk[key] if isinstance(key, str) else list(zip(*(chunk[k] for k in key)))
    old = [j for j, k in enumerate(keys) if k in existing]
    if len(old) == len(keys):
        yield "update", chunk
        return
    new = [j for j, k in enumerate(keys) if k not in existing]
    yield "update", {c: [v[j] for j in old] for c, v in chunk.items()}
    yield "create", {c: [v[j] for j in new] for c, v in chunk.items()}


_LAST_SET = re.compile(r"\sSET\s(?!.*\sSET\s)", re.S)


def in_transactions(cypher: str, rows: int) -> str:
    """A derived statement ``<read part> SET <items>`` as ``<read part> CALL (*) { SET <items> } IN
    TRANSACTIONS OF rows ROWS``: each batch of written rows commits on its own (auto-commit only)."""
    m = _LAST_SET.search(cypher)
    if m is None:
        raise StoreError(f"not a derived statement ending in SET: {cypher[:80]}")
    return f"{cypher[:m.start()]} CALL (*) {{ SET {cypher[m.end():]} }} IN TRANSACTIONS OF {rows} ROWS"


class _Refresh:
    """What ``graph.derived.refresh`` writes through for a large batched load: reads as they are,
    writes in transactions of a batch each (``in_transactions``), on the writer."""

    def __init__(self, load: BatchedLoad):
        self._load = load
        self._store = load._store
        self._rows = load._limit or CHUNK
        self.statements = 0

    def _exec(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        if not _WRITES.search(cypher):
            return self._store._autocommit(cypher, params)
        from neo4j.exceptions import Neo4jError
        from .neo4j_store import _refused
        statement = in_transactions(cypher, self._rows)
        with self._store._driver.session(database=self._store.database) as session:
            try:
                session.run(statement, dict(params or {})).consume()
            except Neo4jError as e:
                raise _refused(e, statement, self._store.database) from None
        self.statements += 1
        if BatchedLoad.after_derived is not None:
            BatchedLoad.after_derived(self.statements)
        return []

    set_derived = Transaction.set_derived


@contextmanager
def batched_load(store: "Neo4jStore", load_id: str, rows_per_batch: int) -> Iterator[BatchedLoad]:
    """The context the loader writes a load in (``GraphStore.load_transaction`` on Neo4j)."""
    work = BatchedLoad(store, load_id or f"L-{uuid.uuid4().hex[:12]}", rows_per_batch)
    work.begin()
    try:
        yield work
        work.finish()
    except BaseException:
        work.abort()
        raise
    finally:
        work._close_batch_session()


# --- undo --------------------------------------------------------------------------------------------
def undo_statements(model, rec: Row) -> list[tuple[str, dict]]:
    """The statements that undo one undo record (newest first is the caller's business)."""
    load, seq = rec["load"], rec["seq"]
    before = {"load": load, "seq": seq}
    strip = "REMOVE x._undo_load, x._undo_seq, x._undo_src, x._undo_dst"
    out = []
    if rec["op"] == "nodes":
        label, key = rec["label"], rec["key"]
        out.append((f"UNWIND $ids AS k MATCH (x:{label} {{{key}: k}}) DETACH DELETE x", {"ids": rec.get("created") or []}))
        out.append((f"MATCH (u:{BEFORE} {{_undo_load: $load, _undo_seq: $seq}}) MATCH (x:{label} {{{key}: u.{key}}}) "
                    f"SET x = properties(u) {strip}", before))
    elif rec["op"] == "rels":
        t, a, b = rec["type"], rec["start"], rec["end"]
        ka, kb = model.node(a).key, model.node(b).key
        out.append((f"UNWIND range(0, size($srcs) - 1) AS i MATCH (:{a} {{{ka}: $srcs[i]}})-[x:{t}]->"
                    f"(:{b} {{{kb}: $dsts[i]}}) DELETE x", {"srcs": rec.get("srcs") or [], "dsts": rec.get("dsts") or []}))
        out.append((f"MATCH (u:{BEFORE} {{_undo_load: $load, _undo_seq: $seq}}) "
                    f"MATCH (:{a} {{{ka}: u._undo_src}})-[x:{t}]->(:{b} {{{kb}: u._undo_dst}}) "
                    f"SET x = properties(u) {strip}", before))
    elif rec["op"] == "derived":  # derived values before the refresh: set back, nulls included
        label, key, props = rec["label"], rec["key"], rec["props"]
        sets = ", ".join(f"x.{p} = $v[i][{j}]" for j, p in enumerate(props))
        out.append((f"UNWIND range(0, size($ids) - 1) AS i MATCH (x:{label} {{{key}: $ids[i]}}) SET {sets}",
                    {"ids": rec["ids"], "v": json.loads(rec["values"])}))
    else:  # deleted-rels: create them again as they were
        t, a, b = rec["type"], rec["start"], rec["end"]
        ka, kb = model.node(a).key, model.node(b).key
        out.append((f"MATCH (u:{BEFORE} {{_undo_load: $load, _undo_seq: $seq}}) "
                    f"MATCH (s:{a} {{{ka}: u._undo_src}}), (d:{b} {{{kb}: u._undo_dst}}) "
                    f"CREATE (s)-[x:{t}]->(d) SET x = properties(u) {strip}", before))
    out.append((f"MATCH (u:{BEFORE} {{_undo_load: $load, _undo_seq: $seq}}) DELETE u", before))
    out.append((f"MATCH (u:{UNDO} {{load: $load, seq: $seq}}) DELETE u", before))
    return out
