"""``--replace``: retire the relationships an earlier load of the same file and sheet wrote that this
load no longer has — and keep each as an ``EndedRel`` (its properties, the row that had written it,
the load that ended it and that load's as-of date), so history is not forgotten."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from graph.model import MODEL
from graph.schema import rels_from_source

from .incremental import ends


def retire(tx, v, rel_batches, load_id: str, as_of: dt.date) -> int:
    """--replace: remove relationships an earlier load of the same file and sheet wrote that this one lacks,
    keeping each as an ``EndedRel`` (its properties, source row and the date it ended)."""
    keep: dict[tuple[str, str, str], set[tuple[str, str]]] = {}
    for trip, cols in rel_batches:  # column batches (``loaders.plan``); one type may have several
        keep.setdefault(trip, set()).update(zip(cols.get("src", ()), cols.get("dst", ())))
    retired = 0
    for sd in v.sheets:
        types = sd.spec.rel_types()
        # rows left out unread because the database holds them exactly so still have their relationships
        held = sd.unchanged.ends if getattr(sd, "unchanged", None) is not None else set()
        for t in types:
            for a, b in MODEL.rel(t).pairs:
                if sd.spec.is_node and a != sd.spec.label and b != sd.spec.label:
                    continue
                old = tx.run(rels_from_source(t, a, b), {"file": sd.file, "sheet": sd.sheet})
                gone = [o for o in old if (o["src"], o["dst"]) not in keep.get((t, a, b), set())
                        and not (held and (ends(o["src"], o["dst"], o.get("src_row")) in held
                                           or ends(o["dst"], o["src"], o.get("src_row")) in held))]
                if not gone:
                    continue
                tx.upsert_nodes("EndedRel", [_ended(t, a, b, o, load_id, as_of) for o in gone])
                retired += tx.delete_rels(t, a, b, [(o["src"], o["dst"]) for o in gone])
    return retired


def _ended(t: str, a: str, b: str, old: dict[str, Any], load_id: str, as_of: dt.date) -> dict[str, Any]:
    props = {k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v) for k, v in old.items()
             if k not in ("src", "dst") and not k.startswith("src_") and v is not None}
    return {"id": f"{load_id}|{t}|{old['src']}|{old['dst']}", "rel_type": t, "start_label": a,
            "start_id": old["src"], "end_label": b, "end_id": old["dst"],
            "props": json.dumps(props, ensure_ascii=False, sort_keys=True), "started_load": old.get("src_load"),
            "ended_load": load_id, "ended_on": as_of, "src_load": old.get("src_load"),
            "src_file": old.get("src_file"), "src_sheet": old.get("src_sheet"), "src_row": old.get("src_row")}
