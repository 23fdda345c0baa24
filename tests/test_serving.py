"""Serving (issue 11, item 6): `orgnet app` listens on 127.0.0.1 unless told otherwise, and SIGTERM or
SIGINT stops the whole process tree and releases the database lock."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from graph.config import open_store
from browser import free_port

ROOT = Path(__file__).resolve().parent.parent


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def descendants(pid: int) -> set[int]:
    tree, out, todo = _children(), set(), [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _env() -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("NEO4J_URI", None)
    return env


def _wait_gone(pids: set[int], seconds: float = 30) -> set[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = {p for p in pids if alive(p)}
        if not left:
            return set()
        time.sleep(0.2)
    return {p for p in pids if alive(p)}


def _listening_addresses(port: int) -> set[str]:
    out = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            addr, hex_port = local.split(":")
            if int(hex_port, 16) == port and state == "0A":  # LISTEN
                out.add(addr)
    return out


class Session:
    """A browser tab as far as Streamlit can tell: its websocket, reruns with widget values."""

    def __init__(self, port: int):
        from websockets.sync.client import connect

        self.ws = connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"], open_timeout=30,
                          legacy=True)
        self.widgets: dict[str, str] = {}   # user key -> widget id
        self.texts: list[str] = []

    def rerun(self, page: str, widgets: dict[str, object] | None = None, *, until: str | None = None,
              wait: float = 60) -> None:
        """Run ``page`` with widget values (by user key); read messages until the run finishes or a
        message holds ``until``."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_name = page
        for key, value in (widgets or {}).items():
            w = msg.rerun_script.widget_states.widgets.add()
            w.id = self.widgets[key]
            if value is True:
                w.trigger_value = True
            else:
                w.string_value = str(value)
        self.ws.send(msg.SerializeToString())
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            fwd = ForwardMsg()
            fwd.ParseFromString(self.ws.recv(max(0.1, deadline - time.monotonic())))
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                el = fwd.delta.new_element
                inner = getattr(el, el.WhichOneof("type"))
                wid = getattr(inner, "id", "")
                if wid and "-" in wid:
                    self.widgets[wid.rsplit("-", 1)[1]] = wid
                text = str(inner)
                self.texts.append(text)
                if until and until in text:
                    return
            if kind == "script_finished":
                return
        raise AssertionError(f"no answer from the app within {wait} s")

    def close(self) -> None:
        self.ws.close()


def threads(pid: int) -> list[str]:
    """The OS names of a process's threads (the console's worker calls itself orgnet-console)."""
    names = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            names.append((task / "comm").read_text().strip())
        except OSError:
            pass
    return names


def _wait_for(condition, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def _start_app(db: str, tmp_path: Path, **env) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "orgnet.py"), "--db", db, "app", "--port", str(port),
                             "--no-demo"], cwd=tmp_path, env={**_env(), **env}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    return proc, port
        except OSError:
            pass
        assert proc.poll() is None, "orgnet app ended before it answered"
        if time.monotonic() > deadline:
            _stop(proc)
            raise AssertionError("the app did not answer")
        time.sleep(0.5)


def _stop(proc: subprocess.Popen) -> None:
    """Whatever a failed test left running goes too (a SIGKILLed orgnet app cannot pass it on)."""
    if proc.poll() is not None:
        return
    tree = descendants(proc.pid)
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    for pid in _wait_gone(tree, 5):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _streamlit_pid(proc: subprocess.Popen) -> int:
    for pid in descendants(proc.pid):
        if b"streamlit" in Path(f"/proc/{pid}/cmdline").read_bytes():
            return pid
    raise AssertionError("no Streamlit child")


def test_closing_the_page_stops_its_query(tmp_path):
    from test_console import SLOW

    db = str(tmp_path / "close.kuzu")
    with open_store(db) as s:
        s.create_schema()
    proc, port = _start_app(db, tmp_path, ORGNET_CONSOLE_TIMEOUT="300")
    try:
        app_pid = _streamlit_pid(proc)
        tab = Session(port)
        tab.rerun("queries")
        assert {"free_cypher", "free_run"} <= set(tab.widgets), tab.widgets
        tab.rerun("queries", {"free_cypher": SLOW, "free_run": True}, until="正在执行")
        assert _wait_for(lambda: "orgnet-console" in threads(app_pid)), "the console worker did not start"
        time.sleep(2.0)
        assert "orgnet-console" in threads(app_pid), "the slow statement ended by itself"
        tab.close()
        assert _wait_for(lambda: "orgnet-console" not in threads(app_pid), 15), \
            "the statement kept running after its page closed"
        again = Session(port)  # and the app still answers
        again.rerun("queries")
        again.rerun("queries", {"free_cypher": "RETURN 40 + 2 AS answer", "free_run": True})
        assert any("answer" in t for t in again.texts)
        again.close()
    finally:
        _stop(proc)


def test_supervisor_stops_the_whole_group():
    script = ("import subprocess, time; subprocess.Popen(['sleep', '300']); "
              "subprocess.Popen(['sh', '-c', 'sleep 300']); time.sleep(300)")
    proc = subprocess.Popen([sys.executable, str(ROOT / "serving.py"), sys.executable, "-c", script], env=_env())
    try:
        deadline = time.monotonic() + 20
        while len(descendants(proc.pid)) < 4 and time.monotonic() < deadline:
            time.sleep(0.1)
        tree = descendants(proc.pid)
        assert len(tree) >= 4, tree  # python child, two sleeps, one sh
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 128 + signal.SIGTERM
        assert _wait_gone(tree) == set()
    finally:
        _stop(proc)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_orgnet_app_stops_whole_and_releases_the_database(tmp_path, signum):
    db = str(tmp_path / "serve.kuzu")
    with open_store(db) as s:
        s.create_schema()
    proc, port = _start_app(db, tmp_path)
    try:
        tab = Session(port)   # a visit opens the database and starts the Cypher parser
        tab.rerun("queries")
        deadline = time.monotonic() + 30
        while not any(b"parse.mjs" in _cmdline(p) for p in descendants(proc.pid)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert any(b"parse.mjs" in _cmdline(p) for p in descendants(proc.pid)), "the parser process did not start"
        # Only the loopback interface listens (0100007F is 127.0.0.1 as /proc writes it).
        assert _listening_addresses(port) == {"0100007F"}
        tree = descendants(proc.pid)
        assert tree, "orgnet app runs Streamlit as a child"
        with pytest.raises(Exception, match="in use"):
            open_store(db)
        proc.send_signal(signum)   # with the tab still open
        assert proc.wait(30) == 128 + signum
        assert _wait_gone(tree) == set(), "a child of orgnet app outlived it"
    finally:
        _stop(proc)
    try:
        tab.close()
    except Exception:
        pass
    with open_store(db) as s:  # the lock went with the app
        assert s.is_empty()


def test_app_help_shows_host():
    out = subprocess.run([sys.executable, str(ROOT / "orgnet.py"), "app", "--help"], env=_env(),
                         capture_output=True, text=True, check=True).stdout
    assert "--host" in out and "127.0.0.1" in out
