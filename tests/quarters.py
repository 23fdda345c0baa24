"""Two quarters of one demo county: the first load as generated, the second with a replaced building
leader, an ended 包联 link, a changed household (residents), a new head of another household and a new
household, loaded with ``--replace`` (for the
history, diff, brief and page tests)."""
from __future__ import annotations

import csv
import datetime as dt
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from demo import generate
from graph.config import open_store
from graph.store import GraphStore
from loaders.engine import load
from queries import history

Q1, Q2 = dt.date(2026, 3, 31), dt.date(2026, 6, 30)


@dataclass
class Quarters:
    db: str
    archive: Path
    first: str
    second: str
    #: what was changed in the second quarter, with the rows (as Excel shows them) responsible
    leader: dict
    link: dict
    household: dict
    new_household: dict
    #: a household whose head of household changed: a personal property (name) before and after
    head: dict
    q2_dir: Path
    store: GraphStore | None = None

    @contextmanager
    def open(self) -> Iterator[GraphStore]:
        """The store holding both quarters: the one given to ``two_quarters`` (left open), else the file."""
        if self.store is not None:
            yield self.store
        else:
            with open_store(self.db) as s:
                yield s


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        r = csv.DictReader(f)
        return list(r.fieldnames or []), list(r)


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, header)
        w.writeheader()
        w.writerows(rows)


def two_quarters(tmp: Path, profile: str = "gaoqing", scale: float = 0.05, store: GraphStore | None = None) -> Quarters:
    """Both quarters loaded into ``store`` (a store of either backend, kept open), or into a new Kùzu
    file in ``tmp``."""
    shutil.rmtree(tmp / "q1", ignore_errors=True)
    shutil.rmtree(tmp / "q2", ignore_errors=True)
    q1 = tmp / "q1"
    g = generate(profile, scale=scale, seed=1, out_dir=q1, fmt="csv")
    q2 = tmp / "q2"
    shutil.copytree(q1, q2)
    # a building leader replaced by someone who led nothing
    h, leaders = _read(q2 / "楼长.csv")
    _, people = _read(q2 / "人员.csv")
    busy = {r["人员编号*"] for r in leaders}
    newcomer = next(r["人员编号*"] for r in people[::-1] if r["人员编号*"] not in busy)
    i = 4
    leader = {"building": leaders[i]["楼栋编号*"], "before": leaders[i]["人员编号*"], "after": newcomer, "row": i + 2}
    leaders[i]["人员编号*"] = newcomer
    _write(q2 / "楼长.csv", h, leaders)
    # a 包联 link ended: the household's only link, so R08 opens a gap there
    h, links = _read(q2 / "包联.csv")
    per_household: dict[str, int] = {}
    for r in links:
        per_household[r["住户编号*"]] = per_household.get(r["住户编号*"], 0) + 1
    j = next(k for k, r in enumerate(links) if per_household[r["住户编号*"]] == 1)
    link = {"person": links[j]["人员编号*"], "household": links[j]["住户编号*"], "row": j + 2}
    del links[j]
    _write(q2 / "包联.csv", h, links)
    # a household's residents changed, and a new household moved in
    h, households = _read(q2 / "住户.csv")
    k = 2
    old = households[k]["常住人数"]
    households[k]["常住人数"] = str(int(old or "1") + 2)
    household = {"id": households[k]["住户编号*"], "before": int(old or "1"), "after": int(old or "1") + 2, "row": k + 2}
    new = dict(households[-1])
    new.update({"住户编号*": "H-NEW-0001", "门牌地址*": households[-1]["门牌地址*"] + "附1", "房号": "附1",
                "党员中心户": "否", "中心户所属党组织编号": ""})
    households.append(new)
    new_household = {"id": "H-NEW-0001", "row": len(households) + 1}
    k = 3
    head = {"id": households[k]["住户编号*"], "before": households[k]["户主姓名"], "after": "欧阳新民", "row": k + 2}
    households[k]["户主姓名"] = head["after"]
    _write(q2 / "住户.csv", h, households)

    archive = tmp / "quarters.archive"
    shutil.rmtree(archive, ignore_errors=True)  # a refill (Neo4j, after another module wiped it) starts afresh

    def both(s):
        r1 = load(g.paths, s, archive=archive, as_of=Q1)
        history.record(s, r1.load_id, archive)
        r2 = load(sorted(q2.glob("*.csv")), s, archive=archive, as_of=Q2, replace=True)
        history.record(s, r2.load_id, archive)
        return r1, r2

    if store is None:
        db = str(tmp / "quarters.kuzu")
        with open_store(db) as s:
            s.create_schema()
            r1, r2 = both(s)
    else:
        db = store.location
        r1, r2 = both(store)
    return Quarters(db, archive, r1.load_id, r2.load_id, leader, link, household, new_household, head, q2, store)
