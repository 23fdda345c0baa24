"""The demo county one quarter later: the ledgers of a generated county, changed the way a quarter
changes a real one, written in the same format and under the same file names (so a ``--replace`` load
retires what is gone).

What changes (``share`` of the planted 包联 gaps, at least one of everything): households that had no
linked member get one (R08 gaps close), building leaders are replaced by people who led nothing,
包联 links end (R08 gaps open where it was the household's only link), and new households move into
existing units. ``next_quarter`` returns the new ledgers and the list of changes, each with the ledger
and the row (as Excel shows it) that carries it.

Examples
--------
>>> g = generate("gaoqing", scale=0.05, out_dir="/tmp/q1", fmt="csv")      # doctest: +SKIP
>>> paths, changes = next_quarter(g, "/tmp/q2")                             # doctest: +SKIP
>>> changes[0]["change"], changes[0]["ledger"]                              # doctest: +SKIP
('link-started', '包联')
"""
from __future__ import annotations

import hashlib
import random
from collections import Counter
from pathlib import Path
from typing import Any

from loaders.specs import LEDGERS

from .common import Generated
from .profiles import PROFILES
from .recompute import read_ledgers
from .writing import _ledger_table, _write_csv, _write_xlsx


def next_quarter(g: Generated, out_dir: str | Path, *, share: float = 0.3, seed: int = 1,
                 since: str = "2026-04-15") -> tuple[list[Path], list[dict[str, Any]]]:
    """Write the county of ``g`` one quarter on into ``out_dir``; (paths, changes)."""
    digest = hashlib.sha256(f"{g.profile}|{g.scale!r}|{g.seed}|{seed}|quarter".encode()).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))
    rows = {name: [{k: (v or "") for k, v in r.items()} for r in rs] for name, rs in read_ledgers(g.paths).items()}
    changes: list[dict[str, Any]] = []
    people = rows["people"]
    links = rows["links"]
    member = {p["人员编号"]: p.get("是否党员") == "是" for p in people}
    per_member = Counter(r["人员编号"] for r in links)
    per_household = Counter(r["住户编号"] for r in links)
    # 1. unlinked households get a member with a single link (who then has two, within 1–2)
    unlinked = sorted(h for h in g.rules.get("R08", []) if per_household[h] == 0)
    helpers = sorted(m for m, n in per_member.items() if n == 1 and member.get(m))
    k = min(len(unlinked), len(helpers), max(1, round(share * len(unlinked))))
    for h, m in zip(rng.sample(unlinked, k), rng.sample(helpers, k)):
        links.append({"人员编号": m, "住户编号": h, "包联类型": "普通住户", "起始日期": since})
        per_member[m] += 1
        per_household[h] += 1
        changes.append({"change": "link-started", "ledger": "包联", "row": len(links) + 1, "person": m, "household": h})
    # 2. links end: a household's only link, from a member who keeps another
    ending = sorted(i for i, r in enumerate(links) if per_household[r["住户编号"]] == 1 and per_member[r["人员编号"]] == 2
                    and r.get("起始日期") != since)
    for i in sorted(rng.sample(ending, min(len(ending), max(1, k // 2))), reverse=True):
        r = links.pop(i)
        changes.append({"change": "link-ended", "ledger": "包联", "row": i + 2, "person": r["人员编号"],
                        "household": r["住户编号"]})
    # row numbers of rows added after a removal moved up: recount them
    for c in changes:
        if c["change"] == "link-started":
            c["row"] = next(j for j, r in enumerate(links) if r["人员编号"] == c["person"]
                            and r["住户编号"] == c["household"]) + 2
    # 3. building leaders replaced by people who led nothing (same in-service half of the pair)
    leaders = rows["building_leaders"]
    busy = {r["人员编号"] for name in ("building_leaders", "unit_leaders") for r in rows[name]}
    free = sorted(p["人员编号"] for p in people if p["人员编号"] not in busy and member.get(p["人员编号"]))
    for i in sorted(rng.sample(range(len(leaders)), min(len(leaders), len(free), max(1, k // 2)))):
        new = free.pop(rng.randrange(len(free)))
        changes.append({"change": "leader-replaced", "ledger": "楼长", "row": i + 2, "building": leaders[i]["楼栋编号"],
                        "before": leaders[i]["人员编号"], "after": new})
        leaders[i]["人员编号"] = new
        leaders[i]["起始日期"] = since
    # 4. new households move into existing units
    households = rows["households"]
    for n in range(max(1, k // 2)):
        base = households[rng.randrange(len(households))]
        new = {**base, "住户编号": f"H-Q{seed}-{n + 1:04d}", "门牌地址": base["门牌地址"] + f"附{n + 1}",
               "房号": f"{base.get('房号', '')}附{n + 1}", "党员中心户": "否", "中心户所属党组织编号": "", "特殊群体": ""}
        households.append(new)
        changes.append({"change": "household-added", "ledger": "住户", "row": len(households) + 1,
                        "household": new["住户编号"]})
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = [(spec.zh, *_ledger_table(spec, rows[spec.name])) for spec in LEDGERS.values()]
    if g.fmt == "csv":
        paths = []
        for name, header, body in tables:
            _write_csv(out / f"{name}.csv", header, body)
            paths.append(out / f"{name}.csv")
    else:
        path = out / g.paths[0].name
        _write_xlsx(path, tables, f"{PROFILES[g.profile].county}示范台账")
        paths = [path]
    return paths, changes


def run_quarter(store, profile: str = "gaoqing", scale: float = 1.0, seed: int = 1, quarter: int = 2,
                out_dir: str | Path | None = None, progress=None, archive: Path | None = None, as_of=None):
    """Load quarter ``quarter`` (2, 3, …) of the demo county with ``--replace``: the county as generated,
    then ``next_quarter`` applied once per quarter after the first. Returns (load report, changes)."""
    import dataclasses

    from loaders.engine import load

    from .writing import default_out_dir, generate

    if quarter < 2:
        raise ValueError("quarter must be 2 or later (quarter 1 is the county as generated: orgnet demo)")
    base = Path(out_dir) if out_dir is not None else default_out_dir(store, profile, seed)
    g = generate(profile, scale=scale, seed=seed, out_dir=base)
    changes: list[dict[str, Any]] = []
    for q in range(2, quarter + 1):
        paths, changes = next_quarter(g, base.with_name(f"{base.name}-q{q}"), seed=q)
        g = dataclasses.replace(g, paths=paths, out_dir=paths[0].parent)
    report = load(g.paths, store, replace=True, archive=archive, progress=progress, as_of=as_of)
    return report, changes
