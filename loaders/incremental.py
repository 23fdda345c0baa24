"""Incremental loads: write only the rows of a ledger that differ from what the database holds.

Re-loading a ledger that changed in a few rows should cost work in proportion to the change. The
database itself is the record of what a ledger's previous load wrote: every node and relationship
carries the file and sheet it came from (``src_file``, ``src_sheet``). For each batch the engine is
about to write (a column batch, ``loaders.plan``), ``changed_columns`` reads back, in one scan per
ledger, the rows that ledger wrote before — as Arrow, aligned with the batch by key and compared
column by column — and keeps only the rows that are new or differ in a written column (its row
number included, so provenance stays exact). An unchanged row keeps the ``src_load`` of the load
that last changed it.

Before that, rows are left out unread (:func:`unchanged_rows`): every row written carries the
fingerprint of its raw cells (``src_hash``, ``graph.fingerprint``), so a re-load hashes the file's
rows (vectorised) and parses, checks and compares only the rows whose fingerprint and row number
the database does not hold — for a node ledger on the node *and* on every relationship the row
wrote (a parent deleted since takes the relationship with it, so that row is checked again and its
broken reference reported). Rows are always read in full where a left-out row could change another
row's outcome: the hierarchies (a cycle is reported on every row that closes it), update-only
ledgers, cells naming several ids or several kinds of target, and a fingerprint that repeats in
the file. A left-out row whose key a read row repeats is read after all (:func:`conflicts`), so
duplicate keys are reported as before.

What the sheet wrote is scanned once on a re-load that leaves rows out: the scan that finds the
unchanged rows also fetches the compared properties of the relationships a node ledger's rows
wrote (kept in ``Unchanged.stored`` until the batches are compared), and the few rows that are read
are compared with the stored nodes of their own keys (``KEYED_RATIO``) rather than a second scan.

Nothing is kept outside the database, so there is no second record to fall out of step with it.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from graph.store import GraphStore

#: ledgers whose rows are always read in full (a row's outcome can depend on the others' values)
ALWAYS_READ = ("grids", "party_orgs")


@dataclass
class Unchanged:
    """Rows of one sheet left out before parsing: the database holds them exactly so."""

    #: row numbers, fingerprints and keys (pyarrow arrays; a relationship ledger's key is
    #: ``start + "\x1f" + end``)
    numbers: Any
    fingerprints: Any
    keys: Any
    #: relationships those rows wrote, per (type, start, end)
    rels: dict[tuple[str, str, str], int] = field(default_factory=dict)
    #: those relationships as (node or start keys, other keys, rows) pyarrow arrays; ``ends`` makes
    #: the texts from them when asked (only ``--replace`` asks: a re-load without it never needs a
    #: Python string per left-out row)
    wrote: list[tuple[Any, Any, Any]] = field(default_factory=list)
    #: what the sheet's rows wrote of each relationship (type, start, end), as the scan that found the
    #: unchanged rows fetched it (``k0`` start id, ``k1`` end id, then properties; ``src_file`` and
    #: ``src_sheet`` are the sheet's): ``changed_columns`` compares the read rows with it instead of
    #: scanning the relationships again
    stored: dict[tuple[str, str, str], Any] = field(default_factory=dict, repr=False, compare=False)
    _ends: set[str] | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.numbers)

    @property
    def ends(self) -> set[str]:
        """The relationships left-out rows wrote, as ``ends(node or start key, other key, row)``
        texts (``--replace`` keeps them)."""
        if self._ends is None:
            self._ends = set()
            for keys, others, numbers in self.wrote:
                self._ends.update(_ends(keys, others, numbers).to_pylist())
        return self._ends


def _stored(store: GraphStore, match: str, returns: str, file: str, sheet: str, hashed: bool = True):
    return store.query_arrow(f"MATCH {match} WHERE x.src_file = $file AND x.src_sheet = $sheet "
                             + ("AND x.src_hash IS NOT NULL " if hashed else "") + f"RETURN {returns}",
                             {"file": file, "sheet": sheet})


def _whole(arr):
    return arr.combine_chunks() if hasattr(arr, "combine_chunks") else arr


def ends(key: str, other: str, row: int) -> str:
    """A relationship a left-out row wrote, as ``Unchanged.ends`` holds it."""
    return f"{key}\x1f{other}\x1f{row}"


def _ends(keys, others, numbers):
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.binary_join_element_wise(keys.cast(pa.string()), others.cast(pa.string()), numbers.cast(pa.string()), "\x1f")


def _same(stored, at, values):
    """Whether the stored value at ``at`` (index_in positions, null: none) equals ``values``, per row."""
    import pyarrow.compute as pc

    return pc.fill_null(pc.equal(pc.take(stored, at), values), False)


def _ids(store: GraphStore, label: str, offsets, known=None):
    """The ids of ``label``'s nodes at Kùzu node ``offsets``, from ``known`` ``(ids, offsets)`` (the
    sheet's own nodes, from the scan) or, when that misses one (a node another ledger wrote last), from
    a scan of the label's ids and offsets."""
    import pyarrow as pa
    import pyarrow.compute as pc

    offsets = _whole(offsets).cast(pa.int64())
    given = known is not None
    if not given:
        table = store.query_arrow(f"MATCH (n:{label}) RETURN n.id AS k, offset(id(n)) AS o")
        if table is None:
            return pa.nulls(len(offsets), pa.string())
        known = (table["k"], table["o"])
    at = pc.index_in(offsets, value_set=_whole(known[1]).cast(pa.int64()))
    if given and at.null_count:
        return _ids(store, label, offsets)
    return pc.take(_whole(known[0]).cast(pa.string()), at)


def unchanged_rows(store: GraphStore | None, spec, file: str, sheet: str, present: dict[str, str],
                   numbers, fingerprints, raw_column, force: set[str] = frozenset()):
    """``(rows to read, Unchanged)`` for one sheet about to be read, or ``(None, None)`` to read
    every row. ``numbers``/``fingerprints`` are pyarrow arrays of every data row, ``raw_column``
    gives a column's raw cells, ``present`` maps the spec's headers to the file's; ``force``:
    fingerprints to read anyway (``conflicts``).

    One scan of what the sheet wrote (fingerprint, row number, key) and one per reference type
    (key, other end, row number); each file row is aligned with the stored row of its fingerprint
    (``index_in``) and compared column by column, with no text made per row. Where a fingerprint or
    key is stored twice the first is compared, so such a row may be read when it need not be,
    never left out when it must be read."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if store is None or spec is None or spec.name in ALWAYS_READ or spec.update_only or not len(fingerprints):
        return None, None
    model = store.model
    refs = spec.refs if spec.is_node else (spec.start, spec.end)
    if not spec.is_node and any(len(r.targets) != 1 or r.many for r in refs):
        return None, None
    # Kùzu hands over a million ids slowly (1.3 CPU-s for a relationship's two ends at ×25) and its
    # node offsets fast (0.2): there the relationships come back by offset, turned into ids in Arrow.
    kuzu = getattr(store, "backend", None) == "kuzu"
    if spec.is_node:
        old = _stored(store, f"(x:{spec.label})",
                      "x.src_hash AS h, x.src_row AS r, x.id AS k" + (", offset(id(x)) AS o" if kuzu else ""), file, sheet)
    else:
        a, b = spec.start.targets[0], spec.end.targets[0]
        if (a, b) not in model.rel(spec.rel).pairs:
            return None, None
        old = _stored(store, f"(p:{a})-[x:{spec.rel}]->(q:{b})", "x.src_hash AS h, x.src_row AS r, p.id AS k, q.id AS k2",
                      file, sheet)
    if old is None:
        return None, None
    fingerprints, numbers = _whole(fingerprints).cast(pa.string()), _whole(numbers).cast(pa.int64())
    # the stored row of the same fingerprint, at the same row number (provenance stays exact)
    at = pc.index_in(fingerprints, value_set=_whole(old["h"]).cast(pa.string()))
    ok = _same(_whole(old["r"]).cast(pa.int64()), at, numbers)
    counts = pc.value_counts(fingerprints)
    repeated = pc.filter(counts.field("values"), pc.greater(counts.field("counts"), 1))
    if len(repeated) or force:
        others = pa.concat_arrays([repeated.cast(pa.string()), pa.array(sorted(force), pa.string())])
        ok = pc.and_(ok, pc.invert(pc.is_in(fingerprints, value_set=others)))
    old_keys = _whole(old["k"])
    row_keys = pc.take(old_keys, at)  # each file row's stored key (null: none)
    refs_filled: list[tuple[tuple[str, str, str], Any, Any]] = []
    stored: dict[tuple[str, str, str], Any] = {}
    if spec.is_node:
        for ref in refs:
            header = present.get(ref.header)
            if header is None:
                continue
            cells = _whole(raw_column(header)).cast(pa.string())
            filled = pc.fill_null(pc.not_equal(pc.utf8_trim_whitespace(cells), ""), False)
            if len(ref.targets) != 1 or ref.many:  # several ids or kinds: read the row
                ok = pc.and_(ok, pc.invert(filled))
                continue
            t, other = ref.rel, ref.targets[0]
            start, end = (other, spec.label) if ref.incoming else (spec.label, other)
            if (start, end) not in model.rel(t).pairs:
                return None, None
            mine, theirs = ("k1", "k0") if ref.incoming else ("k0", "k1")
            # The row's relationship, by its ends and row: the node this row keeps, the id its cell names
            # (an id that needs cleaning does not match, and the row is read), written from this row;
            # with the properties ``changed_columns`` compares, so the relationships are scanned once.
            props = [q.name for q in model.rel(t).all_props if q.name not in _NOT_FETCHED]
            ends_ = "offset(id(p)) AS k0, offset(id(q)) AS k1" if kuzu else "p.id AS k0, q.id AS k1"
            written = _stored(store, f"(p:{start})-[x:{t}]->(q:{end})",
                              ", ".join([ends_] + [f"x.{q} AS {q}" for q in props]), file, sheet, hashed=False)
            if written is None:
                ok = pc.and_(ok, pc.invert(filled))
                continue
            if kuzu:
                own = (old_keys, old["o"])
                written = written.set_column(0, "k0", _ids(store, start, written["k0"], own if start == spec.label else None))
                written = written.set_column(1, "k1", _ids(store, end, written["k1"], own if end == spec.label else None))
            stored[(t, start, end)] = written
            w_at = pc.index_in(row_keys, value_set=_whole(written[mine]).cast(pa.string()))
            has = pc.and_(_same(_whole(written[theirs]).cast(pa.string()), w_at, cells),
                          _same(_whole(written["src_row"]).cast(pa.int64()), w_at, numbers))
            ok = pc.and_(ok, pc.or_(pc.invert(filled), has))
            refs_filled.append(((t, start, end), filled, cells))
    if not pc.any(ok).as_py():
        return None, None
    kept = pc.filter(at, ok)
    keys = pc.take(old_keys, kept)
    kept_numbers = pc.filter(numbers, ok)
    wrote: list[tuple[Any, Any, Any]] = []
    if not spec.is_node:
        others = pc.take(_whole(old["k2"]), kept)
        wrote.append((keys, others, kept_numbers))
        keys = pc.binary_join_element_wise(keys, others, "\x1f")
        rels = {(spec.rel, spec.start.targets[0], spec.end.targets[0]): len(keys)}
    else:
        rels = {}
        for trip, filled, cells in refs_filled:
            mask = pc.and_(ok, filled)  # a kept row with a filled cell still has its relationship
            n = pc.sum(mask).as_py() or 0
            if n:
                rels[trip] = n
                wrote.append((pc.filter(row_keys, mask), pc.filter(cells, mask), pc.filter(numbers, mask)))
    return pc.invert(ok), Unchanged(kept_numbers, pc.filter(fingerprints, ok), _whole(keys), rels, wrote, stored)


def conflicts(sheets) -> dict[Any, set[str]]:
    """Left-out rows whose key a read row of the same kind repeats (a duplicate to report), as
    {path: their fingerprints}: those files are read again with these rows in. The read rows are
    few on a re-load, so their keys are looked up in the left-out ones (Arrow), not the other way."""
    import pyarrow as pa
    import pyarrow.compute as pc

    read: dict[Any, set[str]] = defaultdict(set)
    for sd in sheets:
        if sd.spec.is_node:
            read[sd.spec.label].update(k for k in sd.keys if k is not None)
        else:
            starts, ends_ = sd.refs.get(sd.spec.start.header) or [], sd.refs.get(sd.spec.end.header) or []
            read[sd.spec.rel].update(f"{s[0]}\x1f{e[0]}" for s, e in zip(starts, ends_) if s and e)
    out: dict[Any, set[str]] = defaultdict(set)
    for sd in sheets:
        u = sd.unchanged
        if u is None:
            continue
        mine = read.get(sd.spec.label if sd.spec.is_node else sd.spec.rel)
        if not mine:
            continue
        hit = pc.is_in(u.keys, value_set=pa.array(sorted(mine), pa.string()))
        if pc.any(hit).as_py():
            out[sd.path].update(pc.filter(u.fingerprints, hit).to_pylist())
    return out


#: written with every row but not compared: a re-load always has a new load id
_NOT_COMPARED = ("src_load", "src_hash")
#: not fetched with a sheet's relationships: not compared, or the sheet's own file and sheet
_NOT_FETCHED = (*_NOT_COMPARED, "src_file", "src_sheet")


#: a batch is compared with the stored rows of its keys, fetched by key, when its sheet left out at
#: least this many rows per row it read; otherwise with one scan of everything the sheet wrote. A
#: key lookup costs about 20–30 µs a row on Kùzu, a scan about 1–2 µs a stored row.
KEYED_RATIO = 16


def changed_columns(store: GraphStore, columns: dict[str, list[Any]], *, label: str | None = None,
                    rel: tuple[str, str, str] | None = None,
                    left_out: dict[tuple[str, str], Unchanged] | None = None) -> tuple[dict[str, list[Any]], int]:
    """``(columns to write, number unchanged)`` for a column batch (``loaders.plan``); ``label`` for
    node rows (keyed by ``id``), ``rel=(type, start, end)`` for relationship rows (``src``, ``dst``);
    ``left_out``: the rows left out unread per (file, sheet) (``unchanged_rows``).

    The rows are compared as tuples made from the columns, against what each source (file, sheet)
    of the batch wrote before; no dict is made per row. That is one scan of the source's rows, or,
    when the source left out most of its rows (a re-load of a few changed rows), what the scan
    that left them out fetched (a node ledger's relationships) or a lookup of the batch's own keys
    (nodes): a thousand rows read from a city's ledger are not compared by a second scan of the
    million the first one (``unchanged_rows``) already read."""
    n = len(next(iter(columns.values()))) if columns else 0
    if not n:
        return columns, 0
    keys = ("id",) if label else ("src", "dst")
    cols = [c for c in columns if c not in keys and c not in _NOT_COMPARED]
    files, sheets = columns.get("src_file") or [None] * n, columns.get("src_sheet") or [None] * n
    if files[0] == files[-1] and sheets[0] == sheets[-1] and len(set(zip(files, sheets))) == 1:
        groups = {(files[0], sheets[0]): range(n)}
    else:
        groups = defaultdict(list)
        for i, source in enumerate(zip(files, sheets)):
            groups[source].append(i)
    keep: list[int] = []
    same = 0
    if len(groups) == 1 and None not in groups:
        (file, sheet), = groups
        u = (left_out or {}).get((file, sheet))
        keyed = (len(u) if u is not None else 0) >= n * KEYED_RATIO
        held = u.stored.get(rel) if u is not None and rel is not None else None
        unchanged = _unchanged_arrow(store, columns, keys, cols, file, sheet, label, rel, keyed, held)
        if unchanged is not None:
            if not unchanged:
                return columns, 0
            skip = set(unchanged)
            keep = [i for i in range(n) if i not in skip]
            return {c: [col[i] for i in keep] for c, col in columns.items()}, len(skip)
    key_of = list(zip(*(columns[k] for k in keys)))
    value_of = list(zip(*(columns[c] for c in cols))) if cols else [()] * n
    for (file, sheet), rows in groups.items():
        before = _written_before(store, file, sheet, cols, label, rel) if file is not None else None
        if not before:
            keep += rows
            continue
        for i in rows:
            old = before.get(key_of[i])
            if old is not None and old == value_of[i]:
                same += 1
            else:
                keep.append(i)
    if len(keep) == n:
        return columns, same
    keep.sort()
    return {c: [col[i] for i in keep] for c, col in columns.items()}, same


def _stored_values(store: GraphStore, columns: dict[str, list[Any]], cols: list[str], file: str, sheet: str,
                   label: str | None, rel: tuple[str, str, str] | None, keyed: bool):
    """What ``file``/``sheet`` wrote before, as Arrow (``k0``[, ``k1``], ``c0``…), or None: every row
    it wrote (one scan), or with ``keyed`` only the rows of the batch's keys (a lookup each; a
    relationship by the end whose keys repeat least in the batch, so few rows come back per key)."""
    import pyarrow as pa

    values = ", ".join(f"x.{c} AS c{i}" for i, c in enumerate(cols))
    where = "WHERE x.src_file = $file AND x.src_sheet = $sheet RETURN "
    if label:
        match, returns, ids = f"(x:{label})", "x.id AS k0", columns["id"]
        if keyed:
            match = f"(x:{label} {{id: i}})"
    else:
        t, a, b = rel
        match, returns = f"(p:{a})-[x:{t}]->(q:{b})", "p.id AS k0, q.id AS k1"
        by_start = len(set(columns["src"])) >= len(set(columns["dst"]))
        ids = columns["src"] if by_start else columns["dst"]
        if keyed:
            match = f"(p:{a} {{id: i}})-[x:{t}]->(q:{b})" if by_start else f"(p:{a})-[x:{t}]->(q:{b} {{id: i}})"
    cypher = f"MATCH {match} {where}{returns}" + (", " + values if values else "")
    params = {"file": file, "sheet": sheet}
    if not keyed:
        return store.query_arrow(cypher, params)
    ids = sorted({i for i in ids if i is not None})
    parts = [store.query_arrow("UNWIND $ids AS i " + cypher, {**params, "ids": ids[at:at + 20_000]})
             for at in range(0, len(ids), 20_000)]
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    return pa.concat_tables(parts, promote_options="permissive") if len(parts) > 1 else parts[0]


def _held(held, columns: dict[str, list[Any]], cols: list[str], file: str, sheet: str):
    """The rows of ``held`` (a relationship table ``unchanged_rows`` fetched) between the batch's ends,
    as ``_stored_values`` gives them (None: none)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    near = pc.and_(pc.is_in(held["k0"], value_set=pa.array(sorted(set(columns["src"])), pa.string())),
                   pc.is_in(held["k1"], value_set=pa.array(sorted(set(columns["dst"])), pa.string())))
    held = held.filter(near)
    n = held.num_rows
    if not n:
        return None
    out = {"k0": held["k0"], "k1": held["k1"]}
    for i, c in enumerate(cols):
        out[f"c{i}"] = pa.array([file] * n, pa.string()) if c == "src_file" else \
            pa.array([sheet] * n, pa.string()) if c == "src_sheet" else held[c]
    return pa.table(out)


def _unchanged_arrow(store: GraphStore, columns: dict[str, list[Any]], keys: tuple[str, ...], cols: list[str],
                     file: str, sheet: str, label: str | None, rel: tuple[str, str, str] | None,
                     keyed: bool = False, held=None) -> list[int] | None:
    """Indices of the rows that ``file``/``sheet`` already wrote exactly so, found by aligning the
    batch with the stored rows on the key (``index_in``) and comparing column by column: no Python object per
    stored value, so a re-load of a city's households ledger compares a million rows in C.
    None when it cannot tell (a type the comparison does not handle): the caller compares in Python."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from graph.kuzu_store import _arrow_column

    model = store.model
    owner = model.node(label) if label else model.rel(rel[0])
    ktypes = {k: "STRING" for k in keys}
    types = {**ktypes, **{c: owner.prop(c).type for c in cols}}
    if held is not None and all(c in held.column_names or c in ("src_file", "src_sheet") for c in cols):
        old = _held(held, columns, cols, file, sheet)
    else:
        old = _stored_values(store, columns, cols, file, sheet, label, rel, keyed)
    if old is None:
        return []
    try:
        new = pa.table({f"k{i}": pa.array(columns[k], pa.string()) for i, k in enumerate(keys)}
                       | {f"c{i}": _arrow_column(types[c], columns[c], c) for i, c in enumerate(cols)}
                       | {"_i": pa.array(range(len(columns[keys[0]])), pa.int64())})
        old = old.rename_columns([f"o_{name}" if name.startswith("c") else name for name in old.column_names])
        for i, c in enumerate(cols):
            a, b = new[f"c{i}"], old[f"o_c{i}"]
            if types[c] == "STRING[]":  # lists are compared as one joined text
                new = new.set_column(new.schema.get_field_index(f"c{i}"), f"c{i}", pc.binary_join(a, "\x1f"))
                old = old.set_column(old.schema.get_field_index(f"o_c{i}"), f"o_c{i}", pc.binary_join(b, "\x1f"))
            elif b.type != a.type:
                old = old.set_column(old.schema.get_field_index(f"o_c{i}"), f"o_c{i}", b.cast(a.type))
        # Align each new row with the stored row of the same key (a hash lookup, no join payload).
        def key(t: pa.Table):
            if len(keys) == 1:
                return t["k0"].combine_chunks()
            return pc.binary_join_element_wise(*(t[f"k{i}"] for i in range(len(keys))), "\x1f").combine_chunks()
        at = pc.index_in(key(new), value_set=key(old))
        found = pc.is_valid(at)
        new = new.filter(found)
        old = old.take(pc.drop_null(at))
        same = pa.array([True] * new.num_rows, pa.bool_())
        for i in range(len(cols)):
            a, b = new[f"c{i}"], old[f"o_c{i}"]
            eq = pc.fill_null(pc.equal(a, b), False)
            both_null = pc.and_(pc.is_null(a), pc.is_null(b))
            same = pc.and_(same, pc.or_(eq, both_null))
        return pc.filter(new["_i"], same).to_pylist()
    except (pa.ArrowException, ValueError, TypeError, KeyError):
        return None


def _written_before(store: GraphStore, file: str, sheet: str, cols: list[str], label: str | None,
                    rel: tuple[str, str, str] | None) -> dict[tuple, tuple] | None:
    """key → values of the rows that ``file``/``sheet`` wrote before (None when it wrote none)."""
    values = ", ".join(f"x.{c} AS c{i}" for i, c in enumerate(cols))
    if label:
        cypher = f"MATCH (x:{label}) WHERE x.src_file = $file AND x.src_sheet = $sheet RETURN x.id AS k0"
        nkeys = 1
    else:
        t, a, b = rel
        cypher = (f"MATCH (p:{a})-[x:{t}]->(q:{b}) WHERE x.src_file = $file AND x.src_sheet = $sheet "
                  "RETURN p.id AS k0, q.id AS k1")
        nkeys = 2
    table = store.query_columns(cypher + (", " + values if values else ""), {"file": file, "sheet": sheet})
    if not table or not table["k0"]:
        return None
    key_cols = [table[f"k{i}"] for i in range(nkeys)]
    val_cols = [table[f"c{i}"] for i in range(len(cols))]
    return dict(zip(zip(*key_cols), zip(*val_cols))) if cols else dict.fromkeys(zip(*key_cols), ())


#: ``restamp`` checks more rows than this against one scan of what their sheet wrote, fewer by key
RESTAMP_SCAN_ROWS = 5000


def restamp(store: GraphStore, tx, columns: dict[str, list[Any]], *, label: str | None = None,
            rel: tuple[str, str, str] | None = None) -> int:
    """Give the rows of a batch that were not rewritten (their values did not change) the fingerprint
    of the row that was read for them, where the database holds another: a row whose cells changed
    but not its values (a unit moved, a cell re-typed), so the next re-load can leave it out.

    ``src_hash`` is not compared by ``changed_columns``: only the fingerprint is set, by key (Kùzu
    0.11.3 crashed in later reads after MERGE rewrote thousands of nodes whose only change was it).
    Returns how many were set."""
    hashes = columns.get("src_hash")
    if not hashes or not any(hashes):
        return 0
    file, sheet = columns["src_file"][0], columns["src_sheet"][0]
    if label:
        rows = [{"k": k, "h": h} for k, h, f, s in zip(columns["id"], hashes, columns["src_file"], columns["src_sheet"])
                if h and f == file and s == sheet]
        match = f"MATCH (x:{label} {{id: r.k}})"
    else:
        t, a, b = rel
        rows = [{"k": s_, "d": d, "h": h} for s_, d, h, f, s in zip(columns["src"], columns["dst"], hashes,
                                                                     columns["src_file"], columns["src_sheet"])
                if h and f == file and s == sheet]
        match = f"MATCH (:{a} {{id: r.k}})-[x:{t}]->(:{b} {{id: r.d}})"
    # Many rows: what the sheet's rows hold now, in one scan, and only rows whose stored fingerprint
    # differs are set (a statement per 5,000 keys matched the label whole each time in Kùzu 0.11.3:
    # 36,259 unchanged people at ×10 took 35 s). A few rows (a re-load of a thousand changed rows of
    # a city's ledger) are checked by key in one statement instead of a scan of everything it wrote.
    many = len(rows) > RESTAMP_SCAN_ROWS
    if many and label:
        got = store.query_columns(f"MATCH (x:{label}) WHERE x.src_file = $file AND x.src_sheet = $sheet "
                                  "RETURN x.id AS k, x.src_hash AS h", {"file": file, "sheet": sheet})
        held: dict[Any, set] = {}
        for k, h in zip(got.get("k") or [], got.get("h") or []):
            held.setdefault(k, set()).add(h)
        rows = [r for r in rows if (have := held.get(r["k"])) is not None and have != {r["h"]}]
    elif many:
        got = store.query_columns(f"MATCH (p:{a})-[x:{t}]->(q:{b}) WHERE x.src_file = $file AND x.src_sheet = $sheet "
                                  "RETURN p.id AS k, q.id AS d, x.src_hash AS h", {"file": file, "sheet": sheet})
        held = {}
        for k, d, h in zip(got.get("k") or [], got.get("d") or [], got.get("h") or []):
            held.setdefault((k, d), set()).add(h)
        rows = [r for r in rows if (have := held.get((r["k"], r["d"]))) is not None and have != {r["h"]}]
    done = 0
    for i in range(0, len(rows), 5000):
        part = rows[i:i + 5000]
        stale = store.query(f"UNWIND $rows AS r {match} WHERE x.src_file = $file AND x.src_sheet = $sheet "
                            "AND (x.src_hash IS NULL OR x.src_hash <> r.h) RETURN count(x) AS n",
                            {"rows": part, "file": file, "sheet": sheet})
        if stale and stale[0]["n"]:
            tx._exec(f"UNWIND $rows AS r {match} WHERE x.src_file = $file AND x.src_sheet = $sheet "
                     "AND (x.src_hash IS NULL OR x.src_hash <> r.h) SET x.src_hash = r.h",
                     {"rows": part, "file": file, "sheet": sheet})
            done += stale[0]["n"]
    return done
