"""Incremental loads: write only the rows of a ledger that differ from what the database holds.

Re-loading a ledger that changed in a few rows should cost work in proportion to the change. The
database itself is the record of what a ledger's previous load wrote: every node and relationship
carries the file and sheet it came from (``src_file``, ``src_sheet``). For each batch the engine is
about to write (a column batch, ``loaders.plan``), ``changed_columns`` reads back, in one scan per
ledger, the rows that ledger wrote before — as Arrow, aligned with the batch by key and compared
column by column — and keeps only the rows that are new or differ in a written column (its row
number included, so provenance stays exact). An unchanged row keeps the ``src_load`` of the load
that last changed it.

Nothing is kept outside the database, so there is no second record to fall out of step with it.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from graph.store import GraphStore

#: written with every row but not compared: a re-load always has a new load id
_NOT_COMPARED = ("src_load",)


def changed_columns(store: GraphStore, columns: dict[str, list[Any]], *, label: str | None = None,
                    rel: tuple[str, str, str] | None = None) -> tuple[dict[str, list[Any]], int]:
    """``(columns to write, number unchanged)`` for a column batch (``loaders.plan``); ``label`` for
    node rows (keyed by ``id``), ``rel=(type, start, end)`` for relationship rows (``src``, ``dst``).

    The rows are compared as tuples made from the columns, against one scan of what each source
    (file, sheet) of the batch wrote before; no dict is made per row."""
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
        unchanged = _unchanged_arrow(store, columns, keys, cols, file, sheet, label, rel)
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


def _unchanged_arrow(store: GraphStore, columns: dict[str, list[Any]], keys: tuple[str, ...], cols: list[str],
                     file: str, sheet: str, label: str | None, rel: tuple[str, str, str] | None) -> list[int] | None:
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
    values = ", ".join(f"x.{c} AS c{i}" for i, c in enumerate(cols))
    if label:
        cypher = f"MATCH (x:{label}) WHERE x.src_file = $file AND x.src_sheet = $sheet RETURN x.id AS k0"
    else:
        t, a, b = rel
        cypher = (f"MATCH (p:{a})-[x:{t}]->(q:{b}) WHERE x.src_file = $file AND x.src_sheet = $sheet "
                  "RETURN p.id AS k0, q.id AS k1")
    old = store.query_arrow(cypher + (", " + values if values else ""), {"file": file, "sheet": sheet})
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
