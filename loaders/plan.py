"""What a validated load writes, as column batches: no dict per row.

``plan(validation, load_id)`` turns the valid rows of every parsed sheet (``columnar.SheetData``)
into node batches ``(label, columns)`` and relationship batches ``((type, start, end), columns)``,
where ``columns`` maps a property (``id``, or ``src``/``dst`` for relationships, the ledger's
columns and the provenance ``src_load``/``src_file``/``src_sheet``/``src_row``) to one list of
values. All rows of a batch have the same columns, so a store can write it as one table (Kùzu
COPYs it as Arrow). A relationship named twice in one batch (``A、A`` in a list cell) is written
once, keeping the last row that named it.
"""
from __future__ import annotations

from typing import Any

from graph.model import MODEL

Columns = dict[str, list[Any]]
NodeBatch = tuple[str, Columns]
RelBatch = tuple[tuple[str, str, str], Columns]

PROVENANCE = ("src_load", "src_file", "src_sheet", "src_row", "src_hash")
#: provenance of the relationships a node ledger's row writes (its references): the fingerprint is the
#: node's, and such a relationship is checked by its ends (``incremental.unchanged_rows``), so an
#: edit elsewhere in the row does not rewrite it
REL_PROVENANCE = PROVENANCE[:-1]
#: provenance of a relationship ledger's rows: the row is the relationship
LEDGER_REL_PROVENANCE = PROVENANCE


def size(columns: Columns) -> int:
    """Rows in a column batch."""
    return len(next(iter(columns.values()))) if columns else 0


def take(columns: Columns, rows: list[int]) -> Columns:
    """The rows ``rows`` (indices, in order) of a column batch."""
    return {c: [col[i] for i in rows] for c, col in columns.items()}


def plan(v, load_id: str) -> tuple[list[NodeBatch], list[RelBatch]]:
    """Node batches in model order, relationship batches largest first (a store may bulk-copy into a
    still-empty table, so the big batch should get there first). Afterwards each sheet keeps only
    its rejected rows. The loader plans the relationships first (``plan_rels``: they hold the ids
    the sheets already hold, and the few columns of the relationship ledgers), then one label at a
    time (``plan_nodes``), writing each before the next label's values are read back."""
    rel_batches = plan_rels(v.sheets, load_id)
    return [b for label in MODEL.labels for b in plan_nodes(v.sheets, load_id, label)], rel_batches


def node_batch_count(sheets) -> int:
    """How many batches ``plan_nodes`` will make over all labels (for progress), without planning."""
    return len({(sd.spec.label, tuple(c.header for c in sd.spec.columns if c.header in sd.present))
                for sd in sheets if sd.spec.is_node and len(sd) > len(sd.errors)})


def _good_rows(sd):
    """(pick, m): a function taking a column's valid rows, and how many there are."""
    n = len(sd)
    good = [i for i in range(n) if i not in sd.errors] if sd.errors else None
    pick = (lambda col: col) if good is None else (lambda col: [col[i] for i in good])  # noqa: E731
    return pick, (n if good is None else len(good))


def _provenance(sd, pick, m: int, load_id: str) -> dict[str, list]:
    return {"src_load": [load_id] * m, "src_file": [sd.file] * m, "src_sheet": [sd.sheet] * m,
            "src_row": pick(sd.numbers), "src_hash": pick(sd.fingerprints or [None] * len(sd))}


def plan_nodes(sheets, load_id: str, label: str) -> list[NodeBatch]:
    """The node batches of ``label`` from its node ledgers' valid rows, after ``plan_rels``. Each
    sheet's property values are read back if spilled (``SheetData.unspill``) and let go once
    planned; the sheet then keeps only its rejected rows."""
    nodes: dict[tuple[str, ...], Columns] = {}
    for sd in sheets:
        if not (sd.spec.is_node and sd.spec.label == label):
            continue
        pick, m = _good_rows(sd)
        if m:
            spec, none = sd.spec, [None] * len(sd)
            values = sd.unspill()
            prov = _provenance(sd, pick, m, load_id)
            cols = tuple(spec.prop_of(c).name for c in spec.columns if c.header in sd.present)
            batch = nodes.setdefault(cols, {c: [] for c in ("id", *cols, *PROVENANCE)})
            batch["id"] += pick(sd.keys)
            for c in cols:
                batch[c] += pick(values.get(c, none))
            for c in PROVENANCE:
                batch[c] += prov[c]
        sd.drop_values()  # planned (a rejects file is made from the cells as read, not from these)
        sd.keep_only(sorted(sd.errors))
    return [(label, cols) for cols in nodes.values()]


def plan_rels(sheets, load_id: str) -> list[RelBatch]:
    """Relationship batches of every sheet's valid rows, largest first. A relationship ledger then
    keeps only its rejected rows; a node ledger does so once ``plan_nodes`` has planned it."""
    rels: dict[tuple[tuple[str, str, str], tuple[str, ...]], Columns] = {}
    for sd in sheets:
        pick, m = _good_rows(sd)
        if m:
            _plan_rels(sd, pick, m, load_id, rels)
        if not sd.spec.is_node:
            sd.keep_only(sorted(sd.errors))  # planned: the sheet keeps only its rejected rows
    totals: dict[tuple[str, str, str], int] = {}
    rel_list = []
    for (trip, _), cols in rels.items():
        cols = _last_of_each_pair(cols)
        totals[trip] = totals.get(trip, 0) + size(cols)
        rel_list.append((trip, cols))
    return sorted(rel_list, key=lambda x: (-totals[x[0]], -size(x[1])))


def _plan_rels(sd, pick, m: int, load_id: str, rels: dict) -> None:
    spec, n = sd.spec, len(sd)
    none = [None] * n
    prov = _provenance(sd, pick, m, load_id)
    cols = tuple(spec.prop_of(c).name for c in spec.columns if c.header in sd.present)
    if spec.is_node:
        keys = pick(sd.keys)
        for ref in spec.refs:
            resolved = pick(sd.resolved.get(ref.header) or none)
            ids = pick(sd.refs.get(ref.header) or none)
            extra = [p.prop for p in ref.props if p.header in sd.present]
            given = sd.ref_values.get(ref.header, {})
            extra_values = [pick(given.get(p, none)) for p in extra]
            names = ("src", "dst", *extra, *REL_PROVENANCE)
            prov_cols = [prov[c] for c in REL_PROVENANCE]
            # Rows whose one id resolved to one kind go by whole columns; the rest row by row.
            by_label: dict[str, list[int]] = {}
            slow = []
            for j, res in enumerate(resolved):
                if not res:
                    continue
                if res.__class__ is str and len(ids[j]) == 1:
                    by_label.setdefault(res, []).append(j)
                else:
                    slow.append(j)
            for label, rows in by_label.items():
                a, b = (label, spec.label) if ref.incoming else (spec.label, label)
                out = rels.get(((ref.rel, a, b), names))
                if out is None:
                    out = rels[((ref.rel, a, b), names)] = {c: [] for c in names}
                xs, ks = [ids[j][0] for j in rows], [keys[j] for j in rows]
                out["src"] += xs if ref.incoming else ks
                out["dst"] += ks if ref.incoming else xs
                for c, col in zip(names[2:], extra_values + prov_cols):
                    out[c] += [col[j] for j in rows]
            for j in slow:
                res = resolved[j]
                key = keys[j]
                tail = [col[j] for col in extra_values] + [col[j] for col in prov_cols]
                for label, x in ([(res, x) for x in ids[j]] if res.__class__ is str else res):
                    src, dst, a, b = (x, key, label, spec.label) if ref.incoming else (key, x, spec.label, label)
                    out = rels.get(((ref.rel, a, b), names))
                    if out is None:
                        out = rels[((ref.rel, a, b), names)] = {c: [] for c in names}
                    for c, value in zip(names, (src, dst, *tail)):
                        out[c].append(value)
    else:
        names = ("src", "dst", *cols, *LEDGER_REL_PROVENANCE)
        start_labels, starts = _first_ends(sd, spec.start.header, pick)
        end_labels, ends = _first_ends(sd, spec.end.header, pick)
        given = sd.unspill()
        values = [starts, ends] + [pick(given.get(c, none)) for c in cols] + [prov[c] for c in LEDGER_REL_PROVENANCE]
        one_start, one_end = set(start_labels), set(end_labels)
        if len(one_start) == 1 and len(one_end) == 1:  # one kind at each end (the usual): whole columns
            by_pair = {(start_labels[0], end_labels[0]): None}
        else:
            by_pair = {}
            for j, pair in enumerate(zip(start_labels, end_labels)):
                by_pair.setdefault(pair, []).append(j)
        for (a, b), rows in by_pair.items():
            out = rels.get(((spec.rel, a, b), names))
            if out is None:
                out = rels[((spec.rel, a, b), names)] = {c: [] for c in names}
            for c, col in zip(names, values):
                out[c] += col if rows is None else [col[j] for j in rows]


def _first_ends(sd, header: str, pick) -> tuple[list[str], list[str]]:
    """(label, id) of the one end each valid row of a relationship ledger names in ``header``, as
    two columns (what ``SheetData.resolved_at(header, i)[0]`` holds, without a list per row)."""
    resolved = pick(sd.resolved[header])
    refs = pick(sd.refs.get(header) or [None] * len(sd))
    labels = [e if e.__class__ is str else e[0][0] for e in resolved]
    ids = [r[0] if e.__class__ is str else e[0][1] for e, r in zip(resolved, refs)]
    return labels, ids


def _last_of_each_pair(cols: Columns) -> Columns:
    pairs = list(zip(cols["src"], cols["dst"]))
    if len(set(pairs)) == len(pairs):
        return cols
    last: dict[tuple[str, str], int] = {}
    for i, p in enumerate(pairs):
        last[p] = i
    return take(cols, sorted(last.values()))


def rows_of(columns: Columns) -> list[dict[str, Any]]:
    """A column batch as rows (dicts): for a store without a column writer, and for benchmarks."""
    names = list(columns)
    return [dict(zip(names, values)) for values in zip(*columns.values())]
