"""What every page shares: the one store of this process, who is logged in (the pages' single entry
to the current user and role), their scoped view of the data, settings and cached results."""
from __future__ import annotations

import ipaddress
import os
import re
import time
from pathlib import Path

import pandas as pd
import streamlit as st

from access.accounts import Accounts, LoginFailed
from access.audit import AuditLog
from access.roles import ROLES, AccessDenied, Principal
from access.store_dir import access_dir
from graph.config import open_store
from graph.store import GraphStore
from queries import coverage
from queries.scope import Scope
from reports.export import header, readable
from views import _firststart as firststart

_MARKDOWN = re.compile(r"[\\`*_\[\]<>~$|:]")
#: where GitHub-style Markdown turns plain text into a link after parsing (escapes do not stop it):
#: a scheme before "://", "www." and an e-mail's "@"; a zero-width space breaks each
_AUTOLINK = re.compile(r"(?<=https)(?=://)|(?<=http)(?=://)|(?<=ftp)(?=://)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
_BLOCK_START = re.compile(r"^(\s*(?:\d+)?)([#+\-=>]|(?<=\d)[.)])")


def plain(text) -> str:
    """``text`` shown as itself inside Markdown (st.markdown, st.error, st.warning, st.caption …).

    A value from a link, an upload or a ledger may hold Markdown: ``[登录](http://…)`` or a bare
    ``http://…`` / ``www.…`` would be a link on our own page, ``**``, ``#`` or ``:red[…]`` would
    restyle it. What Markdown or Streamlit gives a meaning to inside a line is escaped, so is a line
    start that would open a heading, list or quote; a zero-width space keeps a web or e-mail address
    from becoming a link; line breaks become spaces. The text is drawn as typed, on one line."""
    one_line = _AUTOLINK.sub("\u200b", " ".join(str(text).splitlines()))
    escaped = _MARKDOWN.sub(lambda m: "\\" + m.group(0), one_line)
    return _BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped, count=1)


#: minutes of inactivity after which a session must log in again (``ORGNET_IDLE_MINUTES``)
IDLE_MINUTES = float(os.environ.get("ORGNET_IDLE_MINUTES", "30"))


@st.cache_resource(show_spinner="正在打开数据库 Opening the database…")
def _open() -> GraphStore:
    """Created once per process (Kùzu allows one open database per process) and shared by sessions."""
    s = open_store()
    if not getattr(s, "read_only", False):  # a read-only data folder still serves reads
        s.create_schema()
    return s


def store() -> GraphStore:
    """The store every page starts with. On a first start (``orgnet app`` on an empty database)
    the page shows the demo county's progress instead of its content until it is loaded."""
    s = _open()
    job = firststart.demo_load(s, s.location)
    if job is not None and (job.running or job.error):
        firststart.wait_page(job, english())
    for m in s.load_in_progress():  # a batched Neo4j load: its rows appear batch by batch
        st.warning(f"A load ({m['id']}) is being written: until it finishes, figures may include only part of it."
                   if english() else f"正在写入导入 {m['id']}：写完之前，页面上的数字可能只包含其中一部分。")
    return s


store.clear = _open.clear  # tests and benchmarks close and forget the store between runs


def data_version(s: GraphStore) -> tuple:
    """Changes when a load commits; cached results are keyed by it."""
    return coverage._version(s)


@st.cache_data(ttl=3600, show_spinner=False)
def counts(_store: GraphStore, location: str, version: tuple) -> dict[str, int]:
    return _store.counts()


def summary(_store: GraphStore, location: str, version: tuple) -> list[dict]:
    """Coverage per rule in the principal's area (the query layer caches the rule populations)."""
    return scope().summary()


def rollup(_store: GraphStore, location: str, version: tuple, rule_id: str, params: tuple, by: str,
           areas: tuple = (None, None, None)) -> list[dict]:
    """``areas``: (street, community, grid) to roll up within, each a name or id or None; always
    inside the principal's own area (``queries.scope``)."""
    street, community, grid = areas
    return scope().rollup(rule_id, dict(params), by=by, street=street, community=community, grid=grid)


def violations(_store: GraphStore, location: str, version: tuple, rule_id: str, params: tuple) -> list[dict]:
    """The rule's gaps the principal may see, masked (``queries.scope``), each with what is wrong
    and how to fix it in the page's language (``queries.explain``)."""
    return scope().violations(rule_id, dict(params), lang="en" if english() else "zh")


@st.cache_data(ttl=3600, show_spinner=False)
def _all_cases(_store: GraphStore, location: str, version: tuple) -> list[dict]:
    from cases import ledger

    return ledger.cases(_store)


def case_rows(_store: GraphStore, location: str, version: tuple) -> list[dict]:
    """The rectification ledger's cases (``cases.ledger``) whose entity lies in the principal's area."""
    rows = _all_cases(_store, location, version)
    p = principal()
    if p is not None and p.county_wide:
        return rows
    sc = scope()
    return [r for r in rows if sc.allows(r["entity_label"], r["entity_id"])]


# --- settings ---------------------------------------------------------------------------------------
def english() -> bool:
    return st.session_state.get("lang", "中文") == "English"


def t(zh: str, en: str) -> str:
    """Chinese first; English when the user chose English labels."""
    return en if english() else zh


def unmasked() -> bool:
    """True only when the user may unmask and switched it on (``Principal.masked``)."""
    p = principal()
    return p is not None and not p.masked


def tile_url() -> str:
    return st.session_state.get("tile_url", os.environ.get("ORGNET_TILE_URL", ""))


def frame(rows: list[dict], keep: tuple[str, ...] = ("coverage",)) -> pd.DataFrame:
    """Rows as a table a person reads: Chinese (or English) headers, model labels in words, lists
    joined with 、, empty cells as —, local times to the minute, rounded coordinates and
    distances (``reports.export.readable``, as the CLI prints them). Columns in ``keep`` stay
    numbers (progress bars)."""
    lang = "en" if english() else "zh"
    df = pd.DataFrame(readable(rows, lang, keep))
    return df.rename(columns={c: header(c, lang) for c in df.columns})


def rule_label(rule_id: str) -> str:
    q = coverage.rule(rule_id)
    return f"{rule_id} {q.title_en if english() else q.title_zh}"


# --- who is logged in ----------------------------------------------------------------------------------
@st.cache_resource
def _accounts(folder: str) -> Accounts:
    return Accounts(Path(folder) / "accounts.sqlite")


@st.cache_resource
def _audit(folder: str) -> AuditLog:
    return AuditLog(Path(folder) / "audit.jsonl")


def accounts() -> Accounts:
    """The account book beside the configured database (``access.store_dir``), one per folder."""
    return _accounts(str(access_dir().resolve()))


def audit() -> AuditLog:
    return _audit(str(access_dir().resolve()))


#: headers a reverse proxy adds: behind one, every request comes from 127.0.0.1, so they mark it remote
PROXY_HEADERS = ("X-Forwarded-For", "X-Real-Ip", "Forwarded")


def _local_request() -> bool:
    try:
        headers = st.context.headers or {}
        if any(headers.get(h) for h in PROXY_HEADERS):
            return False
    except Exception:  # no request context (AppTest, bare runs): no headers to read
        pass
    ip = getattr(st.context, "ip_address", None)
    if not isinstance(ip, str) or not ip:
        return True  # AppTest and bare runs have no remote peer
    try:
        addr = ipaddress.ip_address(ip.split("%")[0])
    except ValueError:
        return False
    mapped = getattr(addr, "ipv4_mapped", None)  # ::ffff:127.0.0.1 when the server listens on IPv6
    return addr.is_loopback or bool(mapped and mapped.is_loopback)


def principal() -> Principal | None:
    """The logged-in principal of this session (with the sidebar's unmask switch), or None."""
    p = st.session_state.get("_principal")
    if p is None:
        return None
    return p.with_unmask(bool(st.session_state.get("unmask", False)) and p.may("unmask"))


def _sso_email() -> str | None:
    """The e-mail the identity provider vouched for, when OIDC (``st.login``) is configured and the
    browser came back signed in; None otherwise."""
    if not _sso_configured():
        return None
    try:
        user = st.user
        if not user.is_logged_in:
            return None
        email = user.get("email")
    except Exception:  # an [auth] section Streamlit cannot use: no single sign-on
        return None
    return str(email).strip() if email else ""


def _sso_refused(email: str, reason: str) -> None:
    """A sign-on whose e-mail maps to no usable account: audited once, explained, and a way out
    (signing out of the provider's session here, so another account can be tried)."""
    if st.session_state.get("_sso_refused") != email:
        st.session_state["_sso_refused"] = email
        audit().record("login_failed", user=email or "(no e-mail)", source="sso", email=email, reason=reason)
    st.title("orgnet 组织网络图谱")
    st.error(f"单点登录的邮箱 {email or '（身份提供方未给出邮箱）'} {reason}请管理员用 "
             "`orgnet users add 账户名 --role 角色 --email 邮箱` 建立或对应账户。 "
             f"Single sign-on: {email or 'no e-mail'} is not mapped to an orgnet account that may log in; "
             "an administrator maps it with `orgnet users add NAME --role R --email E`.")
    if st.button("退出单点登录 Sign out", key="sso_logout"):
        st.session_state.pop("_sso_refused", None)
        st.logout()


def _sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:
        return False


def logout(reason: str = "logout") -> None:
    p = st.session_state.pop("_principal", None)
    sso = st.session_state.pop("_sso", False)
    if p is not None:
        audit().record("logout", user=p.user, role=p.role, area=p.area, source="sso" if sso else "app", reason=reason)
    st.session_state.pop("unmask", None)
    if sso:  # end the identity provider's session here too, or the next run would sign straight back in
        st.logout()


def login_gate() -> Principal:
    """Who is using this session; shows the login form (or the setup message) and stops the page
    until someone has logged in. Accounts are re-read on every run, so a disabled account or a
    changed role takes effect at once; an idle session expires after ``IDLE_MINUTES``."""
    book = accounts()
    now = time.time()
    if not book.exists():
        if not _local_request():
            st.error("尚未创建任何账户，本系统只对服务器本机开放。管理员请在服务器上运行 "
                     "`orgnet users add 账户名 --role admin`。 No accounts exist yet: the administrator must "
                     "create the first one on the server with `orgnet users add NAME --role admin`.")
            st.stop()
        import getpass
        st.session_state["_principal"] = Principal(f"local:{getpass.getuser()}", "admin")
        st.session_state["_single_user"] = True
        return principal()
    st.session_state.pop("_single_user", None)
    p = st.session_state.get("_principal")
    last = st.session_state.get("_last_seen", now)
    if p is not None and now - last > IDLE_MINUTES * 60:
        logout("idle")
        st.session_state["_login_note"] = "长时间未操作，请重新登录。 The session expired: please log in again."
        p = None
    if p is not None:
        try:
            account = book.get(p.user)
        except Exception:
            account = None
        if account is None or account.disabled:
            logout("disabled")
            p = None
        elif (account.role, account.area) != (p.role, p.area):
            st.session_state["_principal"] = account.principal()
    if p is None:
        email = _sso_email()
        if email is None:
            _login_form(book)
            st.stop()
        account = book.by_email(email) if email else None
        if account is None or account.disabled:
            _sso_refused(email, "已停用。" if account is not None else "没有对应的 orgnet 账户。")
            st.stop()
        st.session_state.pop("_sso_refused", None)
        st.session_state["_principal"] = account.principal()
        st.session_state["_sso"] = True
        audit().record("login", user=account.name, role=account.role, area=account.area, source="sso", email=email)
    st.session_state["_last_seen"] = now
    return principal()


def _login_form(book: Accounts) -> None:
    st.title("orgnet 组织网络图谱")
    note = st.session_state.pop("_login_note", None)
    if note:
        st.info(note)
    with st.form("login"):
        name = st.text_input("账户 Account", key="login_user")
        password = st.text_input("密码 Password", type="password", key="login_password")
        submitted = st.form_submit_button("登录 Log in")
    if _sso_configured() and st.button("单点登录 Single sign-on", key="sso_login"):
        st.login()
    if submitted:
        try:
            account = book.verify(name.strip(), password)
        except LoginFailed as e:
            audit().record("login_failed", user=name.strip(), source="app", reason=str(e))
            st.error(plain(e))
            return
        audit().record("login", user=account.name, role=account.role, area=account.area, source="app")
        st.session_state["_principal"] = account.principal()
        st.session_state["_last_seen"] = time.time()
        st.session_state.pop("login_password", None)
        st.rerun()


def scope() -> Scope:
    """The data as the logged-in principal may see it: every page reads through this."""
    p = principal()
    if p is None:
        raise AccessDenied("请先登录 (log in first)")
    return Scope(store(), p, audit())


def role_label(p: Principal) -> str:
    r = ROLES[p.role]
    return t(r.zh, r.en)


def deny(message_zh: str, message_en: str) -> None:
    """Stop a page the principal's role may not use, saying so."""
    st.warning(t(message_zh, message_en))
    st.stop()
