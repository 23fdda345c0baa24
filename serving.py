"""Serving the app: ``orgnet app`` runs Streamlit as a supervised child and takes it down whole.

Streamlit runs in a process group of its own (with everything it starts: the Cypher parser's
Node.js process, any worker). SIGTERM, SIGINT (Ctrl-C) or SIGHUP to ``orgnet app`` is passed to
that whole group; whatever has not ended after ``GRACE_S`` seconds is killed, and so is anything
left in the group when Streamlit itself has ended. The embedded database's lock belongs to the
Streamlit process, so it is released with it.

Examples
--------
>>> run_supervised([sys.executable, "-c", "print('served')"])   # doctest: +SKIP
served
0
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence

#: seconds the app gets to stop on its own before the rest of its group is killed
GRACE_S = 10.0
_FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def run_supervised(cmd: Sequence[str], *, env: Mapping[str, str] | None = None, grace: float = GRACE_S) -> int:
    """Run ``cmd`` in a new process group until it ends; stop the whole group on a signal.

    Returns the child's exit code (128 + the signal's number if it was stopped by one, like a shell).
    """
    child = subprocess.Popen(list(cmd), env=dict(env) if env is not None else None, start_new_session=True)
    pgid = child.pid  # a new session: the child leads its own process group
    received: list[int] = []
    killers: list[threading.Timer] = []

    def stop(signum, _frame) -> None:
        received.append(signum)
        _signal_group(pgid, signal.SIGTERM)
        killer = threading.Timer(grace, _signal_group, (pgid, signal.SIGKILL))
        killer.daemon = True
        killer.start()
        killers.append(killer)

    previous = {s: signal.signal(s, stop) for s in _FORWARDED}
    try:
        code = child.wait()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        for killer in killers:
            killer.cancel()
        # Streamlit has ended; nothing it started may outlive it.
        _signal_group(pgid, signal.SIGKILL)
    if received:
        return 128 + received[0]
    return code if code >= 0 else 128 - code


if __name__ == "__main__":  # pragma: no cover - a manual check: python serving.py CMD…
    sys.exit(run_supervised(sys.argv[1:]))
