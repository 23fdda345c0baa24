"""Local accounts: names, roles, areas and argon2 password hashes in a small SQLite file.

The file (``accounts.sqlite`` in ``access.store_dir.access_dir``) lives outside the graph database,
so ``orgnet rebuild`` keeps it; it is 0600. Passwords are hashed with argon2id (``argon2-cffi``)
and never stored or logged in clear. There is no default account: the first one is created with
``orgnet users add NAME --role admin`` on the server.

Failed logins are throttled per account: after ``MAX_FAILURES`` in a row the account is locked
for ``LOCK_SECONDS`` × 2^(extra failures), at most an hour; a success resets the count.

Examples
--------
>>> import tempfile, pathlib
>>> book = Accounts(pathlib.Path(tempfile.mkdtemp()) / "accounts.sqlite")
>>> book.add("wang", "s3cret-pass", "community", area="C01").role
'community'
>>> book.verify("wang", "s3cret-pass").area
'C01'
"""
from __future__ import annotations

import datetime as dt
import re
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from .roles import ROLES, Principal, role as get_role
from .store_dir import private_file

MAX_FAILURES = 5
LOCK_SECONDS = 30
MIN_PASSWORD = 10
_NAME = re.compile(r"^[A-Za-z0-9_.@\-\u4e00-\u9fff]{2,64}$")
_HASHER = PasswordHasher()
_SCHEMA = """
CREATE TABLE IF NOT EXISTS account (
    name TEXT PRIMARY KEY, role TEXT NOT NULL, area TEXT, email TEXT, password TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0, locked_until TEXT,
    created_at TEXT NOT NULL, last_login TEXT)
"""


class AccountError(ValueError):
    """A bad account operation (unknown name, weak password…); the message says how to fix it."""


class LoginFailed(PermissionError):
    """Wrong name or password, a disabled or a locked account. The message never says which of
    name or password was wrong."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    area: str | None
    email: str | None
    disabled: bool
    created_at: str
    last_login: str | None

    def principal(self, unmask: bool = False) -> Principal:
        return Principal(self.name, self.role, self.area, unmask)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 个字符 (the password needs at least {MIN_PASSWORD} characters)")
    if password.isdigit() or password.isalpha():
        raise AccountError("密码不能只有数字或只有字母 (use letters and digits or symbols)")


class Accounts:
    """The account book (one SQLite file); safe to share between threads of one process."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        private_file(self.path)
        self._lock = threading.Lock()
        with self._db() as db:
            db.execute(_SCHEMA)

    def _db(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10)
        db.row_factory = sqlite3.Row
        return db

    @staticmethod
    def _account(row: sqlite3.Row) -> Account:
        return Account(row["name"], row["role"], row["area"], row["email"], bool(row["disabled"]),
                       row["created_at"], row["last_login"])

    def exists(self) -> bool:
        """True once any account exists (then the app and the CLI require a login)."""
        with self._db() as db:
            return db.execute("SELECT count(*) FROM account").fetchone()[0] > 0

    def list(self) -> list[Account]:
        with self._db() as db:
            return [self._account(r) for r in db.execute("SELECT * FROM account ORDER BY name")]

    def get(self, name: str) -> Account:
        with self._db() as db:
            row = db.execute("SELECT * FROM account WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise AccountError(f"没有账户 {name!r}；`orgnet users list` 列出全部账户 (no such account)")
        return self._account(row)

    def by_email(self, email: str) -> Account | None:
        with self._db() as db:
            row = db.execute("SELECT * FROM account WHERE lower(email) = lower(?)", (email,)).fetchone()
        return self._account(row) if row else None

    def add(self, name: str, password: str, role: str, area: str | None = None, email: str | None = None) -> Account:
        if not _NAME.match(name or ""):
            raise AccountError("账户名 2–64 个字符：字母、数字、汉字、_ . @ - (account names: 2–64 letters, digits, _.@-)")
        r = get_role(role)
        if r.level and not area:
            raise AccountError(f"角色 {role} 需要 --area（所辖{r.zh[:2]}的编号）(role {role} needs --area)")
        if not r.level and area:
            raise AccountError(f"角色 {role} 看全县，不带 --area (role {role} is county-wide: drop --area)")
        check_password(password)
        with self._lock, self._db() as db:
            if db.execute("SELECT 1 FROM account WHERE name = ?", (name,)).fetchone():
                raise AccountError(f"账户 {name!r} 已存在；改密码用 `orgnet users passwd` (account exists)")
            db.execute("INSERT INTO account (name, role, area, email, password, created_at) VALUES (?,?,?,?,?,?)",
                       (name, role, area, email, _HASHER.hash(password), _now().isoformat()))
        return self.get(name)

    def set_password(self, name: str, password: str) -> None:
        self.get(name)
        check_password(password)
        with self._lock, self._db() as db:
            db.execute("UPDATE account SET password = ?, failures = 0, locked_until = NULL WHERE name = ?",
                       (_HASHER.hash(password), name))

    def set_role(self, name: str, role: str, area: str | None = None) -> Account:
        self.get(name)
        r = get_role(role)
        if r.level and not area:
            raise AccountError(f"角色 {role} 需要 --area (role {role} needs --area)")
        with self._lock, self._db() as db:
            db.execute("UPDATE account SET role = ?, area = ? WHERE name = ?", (role, area if r.level else None, name))
        return self.get(name)

    def set_disabled(self, name: str, disabled: bool = True) -> None:
        self.get(name)
        with self._lock, self._db() as db:
            db.execute("UPDATE account SET disabled = ?, failures = 0, locked_until = NULL WHERE name = ?",
                       (int(disabled), name))

    def verify(self, name: str, password: str, now: dt.datetime | None = None) -> Account:
        """The account if ``password`` is right; ``LoginFailed`` otherwise (and the failure counted)."""
        now = now or _now()
        failure = None
        with self._lock, self._db() as db:  # commits on leaving: failures are counted before raising
            row = db.execute("SELECT * FROM account WHERE name = ?", (name,)).fetchone()
            if row is None:
                _HASHER.hash(password)  # same work as a real check: timing does not reveal names
                failure = "账户名或密码不正确 (wrong name or password)"
            elif row["locked_until"] and dt.datetime.fromisoformat(row["locked_until"]) > now:
                wait = int((dt.datetime.fromisoformat(row["locked_until"]) - now).total_seconds()) + 1
                failure = f"登录失败次数过多，请 {wait} 秒后再试 (too many failures: try again in {wait} s)"
            else:
                try:
                    _HASHER.verify(row["password"], password)
                except (VerifyMismatchError, VerificationError, InvalidHashError):
                    failures = row["failures"] + 1
                    locked = None
                    if failures >= MAX_FAILURES:
                        seconds = min(3600, LOCK_SECONDS * 2 ** (failures - MAX_FAILURES))
                        locked = (now + dt.timedelta(seconds=seconds)).isoformat()
                    db.execute("UPDATE account SET failures = ?, locked_until = ? WHERE name = ?",
                               (failures, locked, name))
                    failure = "账户名或密码不正确 (wrong name or password)"
                else:
                    if row["disabled"]:
                        failure = "账户已停用，请联系管理员 (the account is disabled)"
                    else:
                        if _HASHER.check_needs_rehash(row["password"]):
                            db.execute("UPDATE account SET password = ? WHERE name = ?", (_HASHER.hash(password), name))
                        db.execute("UPDATE account SET failures = 0, locked_until = NULL, last_login = ? "
                                   "WHERE name = ?", (now.isoformat(), name))
        if failure:
            raise LoginFailed(failure)
        return self.get(name)


def roles_table() -> list[tuple[str, str, str]]:
    return [(r.name, r.zh, r.en) for r in ROLES.values()]
