"""Neo4j's own Cypher parser, kept running in one Node.js process, for the console's check.

``tools/cypherlint/parse.mjs`` loads the ANTLR parser generated inside the pinned
``@neo4j-cypher/language-support`` package once and answers one JSON line per statement: the
syntax errors, how many statements the text holds, every grammar rule and function it uses, and a
canonical text (comments and whitespace runs turned into one space, string literals re-written in
one plain form). Starting node and loading the parser costs about a second, so the process stays
up; a parse of a typical statement then takes milliseconds. The process ends when ours does (it
exits when its stdin closes).

Examples
--------
>>> describe("MATCH (n) RETURN count(n)").functions        # doctest: +SKIP
['count']
"""
from __future__ import annotations

import atexit
import json
import shutil
import subprocess
import threading
from dataclasses import dataclass, field

from .cypherlint import INSTALL_HINT, TOOL_DIR, LintUnavailable

#: a parse that takes longer than this is given up (the process is restarted): a statement built to
#: make the parser's prediction explode (deeply nested CASE) must not hold the console for everyone
PARSE_TIMEOUT = 5.0


class ParserUnavailable(LintUnavailable):
    """Node.js or the parser package is missing, or the parser process died."""


class ParseTimeout(RuntimeError):
    """The parser did not finish within ``PARSE_TIMEOUT`` seconds; it was restarted."""


@dataclass(frozen=True)
class Parsed:
    errors: list[dict] = field(default_factory=list)   # {"line", "column", "message"}
    statements: int = 0
    rules: frozenset[str] = frozenset()
    functions: tuple[str, ...] = ()
    canonical: str = ""


class _Server:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None

    def _start(self) -> subprocess.Popen:
        node = shutil.which("node")
        if node is None:
            raise ParserUnavailable(f"node (Node.js >= 20) is not on PATH; install it, then {INSTALL_HINT}")
        if not (TOOL_DIR / "node_modules" / "@neo4j-cypher" / "language-support").is_dir():
            raise ParserUnavailable(f"{TOOL_DIR / 'node_modules'} is missing; {INSTALL_HINT}")
        return subprocess.Popen([node, "--stack-size=4000", str(TOOL_DIR / "parse.mjs")], cwd=TOOL_DIR,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                text=True, encoding="utf-8", bufsize=1)

    def pid(self) -> int | None:
        return self._proc.pid if self._proc and self._proc.poll() is None else None

    def ask(self, text: str) -> dict:
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._proc = self._start()
            proc = self._proc
            answer: list[str] = []

            def read() -> None:
                answer.append(proc.stdout.readline())

            try:
                proc.stdin.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
                proc.stdin.flush()
            except OSError as e:
                self.stop_locked()
                raise ParserUnavailable(f"the Cypher parser process ended: {e}") from None
            reader = threading.Thread(target=read, daemon=True)
            reader.start()
            reader.join(PARSE_TIMEOUT)
            if reader.is_alive():
                self.stop_locked()
                raise ParseTimeout(f"the Cypher parser did not finish within {PARSE_TIMEOUT:g} s")
            if not answer or not answer[0]:
                self.stop_locked()
                raise ParserUnavailable("the Cypher parser process ended without an answer")
            return json.loads(answer[0])

    def stop_locked(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()

    def stop(self) -> None:
        with self._lock:
            self.stop_locked()


_SERVER = _Server()
atexit.register(_SERVER.stop)


def describe(text: str) -> Parsed:
    """Parse ``text`` with Neo4j's grammar. Callers limit its size and nesting first."""
    d = _SERVER.ask(text)
    return Parsed(errors=d["errors"], statements=d["statements"], rules=frozenset(d["rules"]),
                  functions=tuple(d["functions"]), canonical=d["canonical"])


def warm_up() -> None:
    """Start the parser process now (the first parse would otherwise take about a second)."""
    describe("RETURN 1")


def parser_pid() -> int | None:
    """The running parser process, if any (tests check it ends with the app)."""
    return _SERVER.pid()

