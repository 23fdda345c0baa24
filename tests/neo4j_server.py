"""A throw-away Neo4j Community server for the tests and benchmarks, started from Maven Central.

``tools/neo4j/pom.xml`` pins the release; Maven resolves its classpath once (cached in
``tools/neo4j/classpath.txt`` keyed by the pom's hash) and ``tools/neo4j/Launcher.java`` runs on it
with Java's single-file source launcher: Bolt on 127.0.0.1 at a free port, authentication on, HTTP
off, data in a temporary directory. The server stops when ``stop()`` is called, and also by itself
when this process dies (its standard input closes).

Examples
--------
>>> with TestServer.start() as server:                   # doctest: +SKIP
...     server.env()["NEO4J_URI"]
'bolt://127.0.0.1:40123'
"""
from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "neo4j"
PASSWORD = "orgnet-test-password"


class ServerUnavailable(RuntimeError):
    """Java or Maven is missing, or the server did not come up; the message says what to do."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def missing_tools() -> list[str]:
    return [tool for tool in ("java", "mvn") if shutil.which(tool) is None]


def classpath() -> str:
    """The Neo4j classpath, resolved by Maven the first time (and again whenever the pom changes)."""
    pom = TOOL / "pom.xml"
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()[:16]
    cache = TOOL / "classpath.txt"
    stamp = TOOL / "classpath.sha"
    if cache.exists() and stamp.exists() and stamp.read_text().strip() == digest:
        cp = cache.read_text().strip()
        if all(Path(j).exists() for j in cp.split(os.pathsep)):
            return cp
    out = TOOL / f"classpath.{os.getpid()}.tmp"
    proc = subprocess.run(["mvn", "-q", "-B", "-f", str(pom), "dependency:build-classpath",
                           f"-Dmdep.outputFile={out}"], capture_output=True, text=True)
    if proc.returncode != 0 or not out.exists():
        raise ServerUnavailable("Maven could not resolve Neo4j from tools/neo4j/pom.xml "
                                f"(exit {proc.returncode}):\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    out.replace(cache)  # atomic: parallel sessions never read half a file
    stamp.write_text(digest)
    return cache.read_text().strip()


@dataclass
class TestServer:
    __test__ = False  # not a test class, whatever pytest thinks of the name

    uri: str
    home: Path
    process: subprocess.Popen
    log: list[str] = field(default_factory=list)
    user: str = "neo4j"
    password: str = PASSWORD

    @classmethod
    def start(cls, *, heap: str = "1g", page_cache: str = "512m", timeout_s: float = 300,
              settings: dict[str, str] | None = None, quick_jit: bool = False) -> "TestServer":
        """``settings``: extra launcher variables, e.g. ``{"NEO4J_TEST_TX_MAX": "2m"}``.

        ``quick_jit`` compiles with Java's client compiler only (``-XX:TieredStopAtLevel=1``): for the
        test suite, which sends hundreds of different statements a few times each, the optimising
        compiler's work never pays off (measured: boot 15 → 9 CPU-s, a first mini-county fill 16 → 11,
        a first 0.05 demo county with its rules 24 → 16, later runs the same). Benchmarks leave it off."""
        missing = missing_tools()
        if missing:
            raise ServerUnavailable(f"{' and '.join(missing)} not found on PATH: the Neo4j tests start a "
                                    "Neo4j server with Java 17 and Maven (apt-get install -y openjdk-17-jdk-headless "
                                    "maven), or set NEO4J_URI to use a server of your own")
        cp = classpath()
        home = Path(tempfile.mkdtemp(prefix="orgnet-neo4j-"))
        port = free_port()
        env = dict(os.environ, NEO4J_TEST_PASSWORD=PASSWORD, NEO4J_TEST_PAGECACHE=page_cache, **(settings or {}))
        cmd = ["java", f"-Xmx{heap}", "-XX:+UseParallelGC", *(["-XX:TieredStopAtLevel=1"] if quick_jit else []),
               "--add-opens=java.base/java.nio=ALL-UNNAMED",
               "--add-opens=java.base/java.lang=ALL-UNNAMED", "-cp", cp, str(TOOL / "Launcher.java"),
               str(home), str(port)]
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, env=env)
        server = cls(f"bolt://127.0.0.1:{port}", home, proc)
        ready = threading.Event()

        def pump():  # keep reading so the server never blocks on a full pipe
            for line in proc.stdout:
                server.log.append(line.rstrip())
                del server.log[:-200]
                if line.startswith("orgnet-neo4j ready"):
                    ready.set()

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + timeout_s
        while not ready.wait(0.2):
            if proc.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise ServerUnavailable("the test Neo4j did not start:\n" + "\n".join(server.log[-40:]))
        server.wait_until_answering(deadline)
        return server

    def wait_until_answering(self, deadline: float) -> None:
        import neo4j

        while True:
            try:
                with neo4j.GraphDatabase.driver(self.uri, auth=(self.user, self.password)) as d:
                    d.verify_connectivity()
                return
            except Exception as e:  # noqa: BLE001 - any failure means "not yet"
                if time.monotonic() > deadline:
                    self.stop()
                    raise ServerUnavailable(f"the test Neo4j does not answer at {self.uri}: {e}") from None
                time.sleep(0.3)

    def env(self) -> dict[str, str]:
        return {"NEO4J_URI": self.uri, "NEO4J_USERNAME": self.user, "NEO4J_PASSWORD": self.password}

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                self.process.stdin.close()  # the launcher shuts Neo4j down cleanly on end of input
                self.process.wait(60)
            except (OSError, subprocess.TimeoutExpired):
                self.process.terminate()
                try:
                    self.process.wait(30)
                except subprocess.TimeoutExpired:
                    self.process.kill()
        shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self) -> "TestServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def main() -> None:
    """``python tests/neo4j_server.py``: run a test server until Enter or Ctrl-C (for benchmarks, by hand)."""
    server = TestServer.start(heap=os.environ.get("NEO4J_TEST_HEAP", "1g"),
                              page_cache=os.environ.get("NEO4J_TEST_PAGECACHE", "512m"))
    print(" ".join(f"{k}={v}" for k, v in server.env().items()), flush=True)
    try:
        input()
    except (KeyboardInterrupt, EOFError):
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
