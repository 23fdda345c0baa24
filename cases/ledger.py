"""Cases of the rectification ledger: read them, keep them in step with the gaps, close them.

A case is one (rule, entity) pair, id ``ZG-<rule>-<entity id>``; it is never deleted. After every
load ``sync`` compares the cases with what the coverage rules show now (default thresholds):

* a gap with no case opens one (待整改, owner: the entity's community, else its street; deadline:
  ``deadline_days`` after today);
* a case whose gap is gone while it was 待整改 or 整改中 becomes 已整改待核验 (``fixed_load`` names
  the load); closing it (已销号) is a person's act: ``close``;
* a gap that comes back after it had gone (the case 已整改待核验 or 已销号) reopens the case
  (待整改, ``reopened`` + 1); 不适用 cases stay as they are;
* a community that says 已整改待核验 while the gap is still there keeps its word until the next
  check: ``gap_present`` shows the checker that the gap is still in the data.

Every change is written as a 整改台账 ledger through ``loaders.engine.load`` (validated, one
transaction, archived), so a rebuild restores the cases exactly.

Examples
--------
>>> from graph.config import open_store, archive_dir         # doctest: +SKIP
>>> store = open_store()                                     # doctest: +SKIP
>>> sync(store, archive=archive_dir(store)).opened           # doctest: +SKIP
1733
"""
from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from graph.model import CASE_STATUS
from graph.store import GraphStore
from queries import coverage
from queries.registry import ParameterError, registry

OPEN = ("待整改", "整改中")
FIXED = "已整改待核验"
CLOSED = "已销号"
NOT_APPLICABLE = "不适用"
DEADLINE_DAYS = 30

CASE_COLUMNS = ("案件编号", "规则", "对象类别", "对象编号", "对象名称", "问题", "整改办法", "街道编号", "街道",
                "社区编号", "社区", "网格", "状态", "不适用理由", "整改期限", "备注", "发现批次", "发现日期",
                "整改批次", "缺口仍在", "重开次数", "核验人", "责任主体编号")
_PROP_OF = {"案件编号": "id", "规则": "rule", "对象类别": "entity_label", "对象编号": "entity_id",
            "对象名称": "entity_name", "问题": "problem", "整改办法": "remedy", "街道编号": "street_id", "街道": "street",
            "社区编号": "community_id", "社区": "community", "网格": "grid", "状态": "status", "不适用理由": "reason",
            "整改期限": "deadline", "备注": "notes", "发现批次": "opened_load", "发现日期": "opened_on",
            "整改批次": "fixed_load", "缺口仍在": "gap_present", "重开次数": "reopened", "核验人": "checked_by",
            "责任主体编号": "owner_id"}

Progress = Callable[[str, int, int], None]


class CaseError(ValueError):
    """An unknown case, community or status, or a close that is not allowed; the message says what to do."""


def case_id(rule: str, entity_id: str) -> str:
    return f"ZG-{rule}-{entity_id}"


def cases(store: GraphStore, *, community: str | None = None, status: str | None = None,
          today: dt.date | None = None) -> list[dict[str, Any]]:
    """Every case (one row each, with its latest owner and whether it is overdue), optionally filtered.

    ``community`` is an id or a name and must exist; ``status`` one of ``CASE_STATUS``.
    """
    if status is not None and status not in CASE_STATUS:
        raise CaseError(f"未知状态“{status}”：可选 {'、'.join(CASE_STATUS)}")
    if community is not None:
        known = store.query("MATCH (c:Community) WHERE c.id = $c OR c.name = $c RETURN c.id AS id", {"c": community})
        if not known:
            raise CaseError(f"找不到社区“{community}”：请填写社区台账中的编号或名称")
    today = today or dt.date.today()
    latest: dict[str, dict] = {}
    for r in registry()["cases"].run(store):
        prev = latest.get(r["id"])
        if prev is None or _when(r) > _when(prev):
            latest[r["id"]] = r
    out = []
    for r in latest.values():
        r.pop("owner_load", None)
        r.pop("owner_at", None)
        if community is not None and community not in (r["community_id"], r["community"]):
            continue
        if status is not None and r["status"] != status:
            continue
        r["overdue"] = bool(r["status"] in OPEN and r["deadline"] and r["deadline"] < today)
        out.append(r)
    out.sort(key=lambda r: (r["community"] or "", r["rule"], r["entity_id"]))
    return out


def _when(r: dict) -> tuple:
    """The owner a later load named wins (loads in the same second are told apart by their id)."""
    return (r["owner_at"] or dt.datetime.min, r["owner_load"] or "")


def per_community(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Open (待整改 / 整改中), overdue, awaiting check and closed cases per community."""
    acc: dict[tuple, Counter] = {}
    for r in rows:
        c = acc.setdefault((r["community_id"], r["community"] or "(未归属)"), Counter())
        c["cases"] += 1
        c["open"] += r["status"] in OPEN
        c["overdue"] += r["overdue"]
        c["awaiting_check"] += r["status"] == FIXED
        c["closed"] += r["status"] == CLOSED
        c["not_applicable"] += r["status"] == NOT_APPLICABLE
    out = [{"community_id": k[0], "community": k[1], **{n: v[n] for n in
            ("cases", "open", "overdue", "awaiting_check", "closed", "not_applicable")}} for k, v in acc.items()]
    out.sort(key=lambda r: (-r["open"], r["community"]))
    return out


# --- keeping cases in step with the gaps ------------------------------------------------------------
@dataclass
class SyncReport:
    load_id: str | None = None
    opened: list[str] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)
    reopened: list[str] = field(default_factory=list)
    gaps: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"load_id": self.load_id, "gaps": self.gaps, "opened": len(self.opened), "fixed": len(self.fixed),
                "reopened": len(self.reopened)}

    def line(self) -> str:
        return (f"整改台账：新开 {len(self.opened)} 件，已整改待核验 {len(self.fixed)} 件，重开 {len(self.reopened)} 件"
                f"（当前缺口 {self.gaps} 处）")


def current_gaps(store: GraphStore, progress: Progress | None = None) -> dict[tuple[str, str], dict]:
    """(rule, entity id) → the violation row with its context, for every rule at its default thresholds."""
    out = {}
    rules = coverage.rules()
    for i, (rid, q) in enumerate(rules.items()):
        if progress:
            progress("核对缺口 Checking gaps", i, len(rules))
        for r in coverage.violations(store, rid, explain="zh"):
            out[(rid, str(r["id"]))] = {**r, "entity_label": q.entity, "title": q.title_zh}
    return out


def _problem(g: dict) -> str:
    """The rule's title and what is wrong in words (``queries.explain``: figures, never names)."""
    return g["title"] + (f"：{g['problem']}" if g.get("problem") else "")


def sync(store: GraphStore, *, archive: Path | None, today: dt.date | None = None,
         deadline_days: int = DEADLINE_DAYS, user: str | None = None, progress: Progress | None = None) -> SyncReport:
    """Open, mark fixed and reopen cases after a load; writes one 整改台账 load when anything changed."""
    today = today or dt.date.today()
    gaps = current_gaps(store, progress)
    existing = {(r["rule"], r["entity_id"]): r for r in cases(store, today=today)}
    latest_load = store.query("MATCH (l:Load) RETURN l.id AS id ORDER BY l.started_at DESC, l.id DESC LIMIT 1")
    last = latest_load[0]["id"] if latest_load else None
    report = SyncReport(gaps=len(gaps))
    rows: list[dict[str, Any]] = []
    ctx_cache: dict[str, dict] = {}
    for key, g in gaps.items():
        c = existing.get(key)
        if c is None:
            ctx = ctx_cache.setdefault(g["entity_label"], coverage.context(store, g["entity_label"])).get(key[1], {})
            owner = ctx.get("community_id") or ctx.get("street_id")
            rows.append({"id": case_id(*key), "rule": key[0], "entity_label": g["entity_label"], "entity_id": key[1],
                         "entity_name": g.get("name"), "problem": _problem(g), "remedy": g.get("fix") or "",
                         "street_id": ctx.get("street_id"), "street": g.get("street"),
                         "community_id": ctx.get("community_id"), "community": g.get("community"), "grid": g.get("grid"),
                         "status": "待整改", "deadline": today + dt.timedelta(days=deadline_days),
                         "opened_load": last, "opened_on": today, "gap_present": True, "reopened": 0,
                         "owner_id": owner})
            report.opened.append(case_id(*key))
        elif not c["gap_present"] and c["status"] in (FIXED, CLOSED):
            rows.append({**c, "status": "待整改", "gap_present": True, "fixed_load": None, "checked_by": None,
                         "reopened": (c["reopened"] or 0) + 1, "deadline": today + dt.timedelta(days=deadline_days),
                         "problem": _problem(g)})
            report.reopened.append(c["id"])
        elif not c["gap_present"]:
            rows.append({**c, "gap_present": True})
    for key, c in existing.items():
        if key in gaps or not c["gap_present"]:
            continue
        if c["status"] in OPEN:
            rows.append({**c, "status": FIXED, "gap_present": False, "fixed_load": last})
            report.fixed.append(c["id"])
        else:
            rows.append({**c, "gap_present": False})
    if rows:
        report.load_id = write_cases(store, rows, archive=archive, user=user, progress=progress)
    return report


def close(store: GraphStore, ids: list[str], *, checker: str, archive: Path | None, force: bool = False,
          user: str | None = None) -> str:
    """销号: close cases whose gap the latest data no longer shows (``force``: close even so, e.g. after an on-site check)."""
    if not checker:
        raise CaseError("销号须写明核验人（--checker）")
    known = {r["id"]: r for r in cases(store)}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise CaseError(f"找不到整改案件：{'、'.join(unknown)}。`orgnet cases` 列出全部案件")
    refused = [i for i in ids if known[i]["gap_present"] and not force]
    if refused:
        raise CaseError(f"这些案件的缺口在最新数据中仍然存在，不能销号：{'、'.join(refused)}。"
                        "请先整改并导入更新后的台账")
    return write_cases(store, [{**known[i], "status": CLOSED, "checked_by": checker} for i in ids],
                       archive=archive, user=user)


def write_cases(store: GraphStore, rows: list[dict[str, Any]], *, archive: Path | None, user: str | None = None,
                progress: Progress | None = None) -> str:
    """Write case rows as a 整改台账 ledger and load it through the validating engine; the load id."""
    from loaders.engine import LoadRefused, load

    with tempfile.TemporaryDirectory(prefix="orgnet-cases-") as tmp:
        path = Path(tmp) / "整改台账.csv"
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(CASE_COLUMNS)
            for r in rows:
                w.writerow([_cell(r.get(_PROP_OF[h])) for h in CASE_COLUMNS])
        try:
            report = load([path], store, archive=archive, user=user, progress=progress)
        except LoadRefused as e:  # would be orgnet's own bug: say exactly what it wrote
            raise CaseError("整改台账写入被拒：" + "；".join(f"第{x.row}行 {x.column}: {x.message}"
                                                      for x in e.validation.errors[:5])) from None
    return report.load_id


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()[:10]
    return str(v)


def check_status(status: str) -> str:
    if status not in CASE_STATUS:
        raise ParameterError(f"未知状态“{status}”：可选 {'、'.join(CASE_STATUS)}")
    return status
