"""The Cypher console's tab: a statement runs in a worker thread that stops with its page.

``console_tab`` draws the console; ``run_watched`` runs one statement through the query layer
(``queries.scope.Scope.run_console``: checked, audited, masked) in a worker thread
and interrupts it when the user presses 停止, reruns the page, or closes the browser tab.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

import streamlit as st

from graph import cypherparse
from queries import readonly
from views._shared import frame, t

#: how the tab runs a statement: (text, timeout, row_cap, cancel) -> ConsoleResult
Runner = Callable[[str, float, int, readonly.Cancel], readonly.ConsoleResult]


def _session_alive(session_id: str | None) -> bool:
    if session_id is None:
        return True
    try:
        from streamlit.runtime import Runtime

        return not Runtime.exists() or Runtime.instance().is_active_session(session_id)
    except Exception:  # no runtime (AppTest): the page cannot be closed under us
        return True


def _name_os_thread(name: str) -> None:
    """Give the worker an OS-level name (``top -H``, ``/proc/PID/task/*/comm`` show it), so an
    operator or a test can see a console statement running; Linux only, skipped elsewhere."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(15, name.encode()[:15], 0, 0, 0)  # 15 = PR_SET_NAME
    except (OSError, AttributeError):
        pass


def run_watched(run: Runner, text: str, *, timeout: float, row_cap: int) -> readonly.ConsoleResult:
    """Run a console statement in a worker thread and stop it if this page goes away.

    The page waits in a loop that updates a status line: a rerun (the 停止 button, another click)
    or a closed browser tab makes Streamlit stop this script at that update, and the ``finally``
    then interrupts the engine; a session that is no longer connected is noticed too."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    session_id = ctx.session_id if ctx else None
    cancel = readonly.Cancel()
    box: dict = {}

    def work() -> None:
        _name_os_thread("orgnet-console")
        try:
            box["result"] = run(text, timeout, row_cap, cancel)
        except BaseException as e:  # handed to the page
            box["error"] = e

    worker = threading.Thread(target=work, name="orgnet-console", daemon=True)
    worker.start()
    status = st.empty()
    began = time.monotonic()
    try:
        while worker.is_alive():
            worker.join(0.25)
            if not _session_alive(session_id):
                break
            status.caption(t(f"正在执行… {time.monotonic() - began:.0f} 秒（点“停止”可中止）",
                             f"Running… {time.monotonic() - began:.0f} s (Stop interrupts it)"))
    finally:
        if worker.is_alive():
            cancel.set()
            worker.join(10)
        status.empty()
    if "error" in box:
        raise box["error"]
    if "result" not in box:
        raise readonly.ConsoleCancelled("the page went away")
    return box["result"]


@st.cache_resource(show_spinner=False)
def _warm_parser() -> bool:
    """Start the Cypher parser's process once, in the background, so the first statement is quick."""
    def warm() -> None:
        try:
            cypherparse.warm_up()
        except cypherparse.ParserUnavailable:
            pass  # the console says so when it is used

    threading.Thread(target=warm, name="orgnet-parser-warm-up", daemon=True).start()
    return True


def console_tab(run: Runner) -> None:
    """The console: a text area, 执行 and 停止, the result or the error in Chinese with the engine's
    own text under it. ``run`` goes through the query layer that checks, scopes, audits and masks
    (``queries.scope.Scope.run_console``)."""
    _warm_parser()
    timeout, row_cap = readonly.settings()
    st.caption(t(f"只读：只接受一条由 MATCH、OPTIONAL MATCH、WHERE、WITH、UNWIND、RETURN、ORDER BY、SKIP、LIMIT 组成的语句，"
                 f"只能调用常用函数；不接受 CALL、COPY、LOAD、写操作和多条语句。每条语句最多执行 {timeout:g} 秒、返回 {row_cap:,} 行。",
                 f"Read-only: one statement of MATCH, OPTIONAL MATCH, WHERE, WITH, UNWIND, RETURN, ORDER BY, SKIP, "
                 f"LIMIT and common functions; no CALL, COPY, LOAD, writes or several statements. Each statement "
                 f"runs at most {timeout:g} s and returns at most {row_cap:,} rows."))
    text = st.text_area("Cypher", "MATCH (c:Community)-[:PART_OF]->(s:Street)\nRETURN s.name AS street, c.name AS community\n"
                        "ORDER BY street, community LIMIT 25", height=140, key="free_cypher")
    run_col, stop_col = st.columns([1, 8])
    start = run_col.button(t("执行", "Run"), key="free_run", type="primary")
    # Clicking 停止 reruns the page, which interrupts the waiting loop below and stops the query.
    stop_col.button(t("停止", "Stop"), key="free_stop")
    if start:
        try:
            result = run_watched(run, text, timeout=timeout, row_cap=row_cap)
        except Exception as e:  # every console error is shown in Chinese with the engine's text under it
            zh, detail = readonly.explain_error(e)
            st.error(zh)
            if detail:
                st.code(detail, language="text")
        else:
            st.dataframe(frame(result.rows), hide_index=True, width="stretch", key="free_result")
            note = t(f"{len(result.rows)} 行，用时 {result.seconds:.2f} 秒", f"{len(result.rows)} rows in {result.seconds:.2f} s")
            if result.truncated:
                note += t(f"；结果超过 {row_cap:,} 行，只显示前 {row_cap:,} 行", f"; more than {row_cap:,} rows, showing the first {row_cap:,}")
            st.caption(note)
