"""The audit trail: append-only JSON lines outside the graph database, kept across rebuilds.

One record per event: ``time`` (UTC), ``event``, ``user``, ``role``, ``area`` and event details
(what was downloaded and how many rows, which statement ran, which load…). Each record carries
``prev``, the SHA-256 of the line before it, so an edited or deleted line breaks the chain
(:func:`verify_chain`). The file is 0600; orgnet only ever appends to it.

Events: ``login``, ``login_failed``, ``logout``, ``unmask``, ``download``, ``export``, ``load``,
``rebuild``, ``user_add``, ``user_disable``, ``user_enable``, ``user_passwd``, ``user_role``,
``console``, ``denied``.

Examples
--------
>>> import tempfile, pathlib
>>> log = AuditLog(pathlib.Path(tempfile.mkdtemp()) / "audit.jsonl")
>>> _ = log.record("download", user="wang", role="community", area="C01", what="R08.csv", rows=12)
>>> [(r["event"], r["rows"]) for r in log.read()], verify_chain(log.path)
([('download', 12)], True)
"""
from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

from .store_dir import private_file

EVENTS = ("login", "login_failed", "logout", "unmask", "download", "export", "load", "rebuild", "user_add",
          "user_disable", "user_enable", "user_passwd", "user_role", "console", "denied", "query")
#: what each event is called on the page (中文, English)
EVENT_NAMES = {
    "login": ("登录", "login"), "login_failed": ("登录失败", "failed login"), "logout": ("退出", "logout"),
    "unmask": ("显示完整信息", "unmask"), "download": ("下载", "download"), "export": ("导出", "export"),
    "load": ("导入台账", "load"), "rebuild": ("重建数据库", "rebuild"), "user_add": ("新建账户", "account added"),
    "user_disable": ("停用账户", "account disabled"), "user_enable": ("启用账户", "account enabled"),
    "user_passwd": ("修改密码", "password changed"), "user_role": ("变更角色", "role changed"),
    "console": ("控制台查询", "console statement"), "denied": ("拒绝访问", "access denied"),
    "query": ("命名查询", "named query"),
}
_GENESIS = "0" * 64


class AuditLog:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        private_file(self.path)
        self._lock = threading.Lock()

    def record(self, event: str, *, user: str | None, role: str | None = None, area: str | None = None,
               **detail: Any) -> dict:
        if event not in EVENTS:
            raise ValueError(f"unknown audit event {event!r}")
        rec = {"time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "event": event,
               "user": user, "role": role, "area": area, **detail}
        with self._lock, open(self.path, "a+b") as f:
            fcntl.flock(f, fcntl.LOCK_EX)  # other processes (CLI beside the app) append in turn
            try:
                rec["prev"] = _last_hash(f)
                line = json.dumps(rec, ensure_ascii=False, default=str, sort_keys=False) + "\n"
                f.write(line.encode("utf-8"))
                f.flush()
                os.fsync(f.fileno())
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)
        return rec

    def read(self, event: str | None = None, user: str | None = None, since: str | None = None,
             limit: int | None = None) -> list[dict]:
        """Records, oldest first, optionally filtered; ``limit`` keeps the newest."""
        out = []
        with open(self.path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                r = json.loads(line)
                if (event and r["event"] != event) or (user and r.get("user") != user) or \
                        (since and r["time"] < since):
                    continue
                out.append(r)
        return out[-limit:] if limit else out


def _last_hash(f) -> str:
    f.seek(0, os.SEEK_END)
    size = f.tell()
    if size == 0:
        return _GENESIS
    block = min(size, 65536)
    while True:
        f.seek(size - block)
        tail = f.read(block)
        lines = tail.rstrip(b"\n").split(b"\n")
        if len(lines) > 1 or block == size:
            return hashlib.sha256(lines[-1]).hexdigest()
        block = min(size, block * 4)


def verify_chain(path: Path) -> bool:
    """True when no line was edited, removed or reordered since it was written."""
    prev = _GENESIS
    with open(path, "rb") as f:
        for line in f:
            line = line.rstrip(b"\n")
            if not line:
                continue
            if json.loads(line).get("prev") != prev:
                return False
            prev = hashlib.sha256(line).hexdigest()
    return True
