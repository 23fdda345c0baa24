"""The ledger archive (the system of record) and the load log, kept in step with the database.

A load's files are copied into ``<archive>/files/<sha256>.<ext>`` before its transaction starts.
Its log entry goes first to ``<archive>/pending/<load>.json`` (written and flushed *before* the
commit) and moves to ``loads.jsonl`` after the commit. A process killed in between leaves a pending
entry; ``reconcile`` settles it on the next load, ``orgnet loads`` or ``orgnet rebuild``: logged if
the database holds the load's ``Load`` node (the record commits with its data), dropped if not.
So the log never misses a committed load and never lists one that did not commit.

Disk full while archiving ends in ``LoadFailed`` with a Chinese message and leaves no ``.part``
file; ``check_space`` refuses a load up front when the database's disk clearly cannot take it
(Kùzu crashes the process when a write meets a full disk, so the check must come first).
"""
from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from graph.store import GraphStore

DISK_FULL_HINT = "请清理磁盘空间（或把数据目录移到空间更大的磁盘）后重试；数据库保持导入前的状态，没有写入任何内容"


class LoadFailed(Exception):
    """A load stopped before anything was written, for a reason outside the ledgers (disk, archive).

    ``message`` is Chinese and says how to fix it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _disk_full(e: OSError) -> bool:
    return e.errno in (errno.ENOSPC, errno.EDQUOT)


def archive_files(archive: Path, hashes: dict[Path, str]) -> None:
    """Copy each file to ``files/<sha256><suffix>`` (atomically: ``.part`` then rename)."""
    files = archive / "files"
    for p, h in hashes.items():
        target = files / f"{h}{p.suffix.lower()}"
        if target.exists():
            continue
        tmp = target.with_suffix(target.suffix + ".part")
        try:
            files.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(p, tmp)
            tmp.replace(target)
        except OSError as e:
            tmp.unlink(missing_ok=True)
            if _disk_full(e):
                raise LoadFailed(f"归档台账文件“{p.name}”时磁盘已满（{archive}）：{DISK_FULL_HINT}") from None
            raise LoadFailed(f"无法归档台账文件“{p.name}”到 {archive}（{e.strerror or e}）："
                             "请检查该目录是否可写，或用 ORGNET_ARCHIVE 指定另一个目录") from None


def _append_line(path: Path, line: str) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(line + "\n")
        f.flush()
        os.fsync(f.fileno())


def log_entry(load_id: str, started: dt.datetime, files: list[dict], skip_invalid: bool, replace: bool,
              counts: dict[str, int], as_of: dt.date | None = None) -> dict[str, Any]:
    entry = {"id": load_id, "started_at": started.isoformat(), "files": files,
             "skip_invalid": skip_invalid, "replace": replace, "counts": counts}
    if as_of is not None:  # the date the ledgers describe: rebuild replays it
        entry["as_of"] = as_of.isoformat()
    return entry


def write_pending(archive: Path, entry: dict[str, Any]) -> Path:
    """The log entry of a load about to commit; ``LoadFailed`` (nothing written) if the disk is full."""
    pending = archive / "pending"
    path = pending / f"{entry['id']}.json"
    tmp = path.with_suffix(".part")
    try:
        pending.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(entry, f, ensure_ascii=False)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        if _disk_full(e):
            raise LoadFailed(f"写入导入记录时磁盘已满（{archive}）：{DISK_FULL_HINT}") from None
        raise LoadFailed(f"无法写入导入记录到 {archive}（{e.strerror or e}）：请检查该目录是否可写") from None
    return path


def commit_pending(archive: Path, pending: Path) -> None:
    """Move a committed load's entry from ``pending/`` to ``loads.jsonl``."""
    entry = json.loads(pending.read_text(encoding="utf-8"))
    if entry["id"] not in {e["id"] for e in archived_loads(archive)}:
        _append_line(archive / "loads.jsonl", json.dumps(entry, ensure_ascii=False))
    pending.unlink(missing_ok=True)


def reconcile(store: GraphStore | None, archive: Path | None) -> list[str]:
    """Settle the entries of loads interrupted between commit and log; returns what was done, in Chinese.

    A pending load whose ``Load`` node is in the database committed: it is logged. One that is not
    there never committed: its entry is dropped (its archived files stay; they are content-addressed).
    """
    if store is None or archive is None or not (archive / "pending").is_dir():
        return []
    notes = []
    for pending in sorted((archive / "pending").glob("*.json")):
        try:
            entry = json.loads(pending.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pending.unlink(missing_ok=True)
            continue
        found = store.query("MATCH (l:Load) WHERE l.id = $id RETURN l.id AS id", {"id": entry["id"]})
        if found:
            commit_pending(archive, pending)
            notes.append(f"导入 {entry['id']} 已提交但上次未记入日志（进程在提交后中断）：已补记")
        else:
            pending.unlink()
            notes.append(f"导入 {entry['id']} 未提交（进程在提交前中断）：数据库保持原样，已删除其待定记录")
    for part in (archive / "pending").glob("*.part"):
        part.unlink(missing_ok=True)
    return notes


def archived_loads(archive: Path) -> list[dict]:
    log = archive / "loads.jsonl"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]


# Bytes on disk per byte of ledger, measured on the demo county (database + WAL during the commit),
# with head-room: a CSV row becomes a node or relationship with its provenance; xlsx is zipped.
_GROWTH = {".xlsx": 12, ".xlsm": 12}
_DEFAULT_GROWTH = 4
_MIN_FREE = 16 << 20


def space_needed(paths: Iterable[Path]) -> int:
    return _MIN_FREE + sum(p.stat().st_size * _GROWTH.get(p.suffix.lower(), _DEFAULT_GROWTH) for p in paths)


def check_space(where: Path, paths: Iterable[Path], free: Callable[[Path], int] | None = None) -> None:
    """Refuse a load (``LoadFailed``) when ``where``'s disk has clearly too little room for it."""
    paths = list(paths)
    need = space_needed(paths)
    probe = where if where.exists() else where.parent
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    have = (free or (lambda p: shutil.disk_usage(p).free))(probe)
    if have < need:
        raise LoadFailed(f"磁盘空间不足：数据库所在磁盘（{probe}）只剩 {have / 2**20:.0f} MB，导入这些台账约需 "
                         f"{need / 2**20:.0f} MB。{DISK_FULL_HINT}")


def replay_files(archive: Path, entry: dict, into: Path) -> list[Path]:
    """Copy a logged load's archived files to ``into`` under their original names."""
    into.mkdir(parents=True, exist_ok=True)
    paths = []
    for f in entry["files"]:
        src = archive / "files" / (f["sha256"] + Path(f["name"]).suffix.lower())
        if not src.exists():
            raise FileNotFoundError(f"archived file missing: {src} ({f['name']}); the archive is incomplete")
        dst = into / f["name"]
        shutil.copyfile(src, dst)  # keep the original name: provenance and --replace use it
        paths.append(dst)
    return paths


def adopt(source: Path, archive: Path, confirm=None) -> Path:
    """Copy another database's archive (``source``: a Kùzu path, whose archive sits beside it, or an
    archive folder) into ``archive``, so the database rebuilt from it can rebuild itself later.
    ``LoadFailed`` when there is nothing to copy, or ``archive`` has a history of its own."""
    src = source if (source / "loads.jsonl").exists() else source.with_suffix(".archive")
    entries = archived_loads(src)
    if not entries:
        raise LoadFailed(f"no archived loads in {src}: --from takes a Kùzu database path "
                         "(data/orgnet.kuzu) or its archive folder (data/orgnet.archive)")
    if src.resolve() == archive.resolve():
        return src
    if archived_loads(archive):
        raise LoadFailed(f"{archive} already holds this database's own archived loads; move it away (or set "
                         "ORGNET_ARCHIVE to an empty folder) so the two histories are not mixed")
    if confirm:
        confirm(f"Replace the database with the {len(entries)} loads archived in {src}?")
    shutil.copytree(src, archive, dirs_exist_ok=True, ignore=shutil.ignore_patterns("replay", "pending"))
    return src
