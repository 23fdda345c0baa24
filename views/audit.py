"""审计日志 Audit log (administrators): logins, unmasking, downloads, loads, console statements; filter and export."""
from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from access.audit import EVENT_NAMES, EVENTS, verify_chain
from access.roles import ROLES
from reports import export
from views._shared import audit, deny, english, principal, t

me = principal()
st.title(t("审计日志", "Audit log"))
if not me.may("audit"):
    deny("只有管理员可以查看审计日志。", "Only administrators read the audit log.")

log = audit()
if not verify_chain(log.path):
    st.error(t("审计日志的哈希链断了：有记录被改动或删除。", "The audit chain is broken: a record was edited or removed."))
c1, c2, c3 = st.columns(3)
core = ("time", "event", "user", "role", "area")


def event_name(e: str) -> str:
    zh, en = EVENT_NAMES.get(e, (e, e))
    return en if english() else zh


def role_name(r: str | None) -> str:
    return "—" if not r else (r if english() or r not in ROLES else ROLES[r].zh)


def detail(r: dict) -> str:
    """The rest of a record as words: 'what: R01.csv; rows: 3' — not raw JSON."""
    return "；".join(f"{k}: {v}" for k, v in r.items() if k not in core and k != "prev" and v not in (None, "")) or "—"


event = c1.selectbox(t("事件", "Event"), [""] + list(EVENTS), format_func=lambda v: event_name(v) if v else t("全部", "All"),
                     key="audit_event")
who = c2.text_input(t("账户", "Account"), key="audit_user").strip()
since = c3.date_input(t("起始日期 (UTC)", "Since (UTC)"), value=None, key="audit_since")
records = log.read(event=event or None, user=who or None, since=since.isoformat() if since else None)
rows = [{**{k: r.get(k) for k in core}, "detail": json.dumps(
    {k: v for k, v in r.items() if k not in core and k != "prev"}, ensure_ascii=False)} for r in reversed(records)]
shown = [{"time": r.get("time") or "—", "event": event_name(r.get("event") or ""), "user": r.get("user") or "—",
          "role": role_name(r.get("role")), "area": r.get("area") or "—", "detail": detail(r)} for r in reversed(records)]
st.metric(t("记录", "Records"), f"{len(rows):,}")
labels = {"time": t("时间 (UTC)", "Time (UTC)"), "event": t("事件", "Event"), "user": t("账户", "Account"),
          "role": t("角色", "Role"), "area": t("区域", "Area"), "detail": t("详情", "Detail")}
st.dataframe(pd.DataFrame(shown, columns=list(labels)).rename(columns=labels), hide_index=True, width="stretch",
             key="audit_table")


def _exported() -> None:
    log.record("export", user=me.user, role=me.role, area=me.area, what="audit.csv", rows=len(rows), source="app")


st.download_button(t("导出 CSV", "Export CSV"), export.to_csv(rows), "audit.csv", mime="text/csv", key="audit_dl",
                   on_click=_exported)
