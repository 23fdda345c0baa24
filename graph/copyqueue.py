"""COPYs that run behind the caller, one at a time, in the order they were given.

A first load's write is Kùzu COPYs (which release the GIL and keep two cores busy) alternating with
single-threaded Python that prepares the next batch (planning its rows, computing its derived
values, typing its Arrow table). Run one after the other, the Python waited for every COPY and every
COPY for the Python. ``CopyQueue`` lets the caller hand a COPY over and go on preparing the next
batches while it runs: it holds the tables of the COPYs not yet finished, up to ``limit`` bytes
(beyond that ``put`` waits), so memory grows by at most that much.

The first error stops the queue: the COPYs after it are dropped, and ``wait`` raises it. The owner
waits before any other statement on the connection and before the commit or rollback, so the
connection never runs two statements at once, and a failed COPY fails the transaction as before.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

#: bytes of tables a queue may hold for COPYs not yet finished before ``put`` waits; one COPY is
#: always taken, whatever its size
QUEUE_BYTES = 384 << 20


class CopyQueue:
    def __init__(self, limit: int = QUEUE_BYTES, name: str = "orgnet-copy"):
        self.limit = limit
        self.name = name
        self._jobs: deque[tuple[int, Callable[[], None], int]] = deque()
        #: (start, end) in ``time.monotonic`` of each job given, by number; None until it has run
        self.times: list[tuple[float, float] | None] = []
        self._held = 0  # bytes of the jobs queued or running
        self._busy = False
        self._error: BaseException | None = None
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def put(self, job: Callable[[], None], nbytes: int = 0) -> int:
        """Run ``job`` after the jobs before it; its number (``times``, ``wait_for``). Raises the
        error of an earlier job, if any (the job is then not run)."""
        with self._cond:
            while (self._jobs or self._busy) and self._held + nbytes > self.limit and self._error is None:
                self._cond.wait()
            self._raise()
            number = len(self.times)
            self.times.append(None)
            self._jobs.append((number, job, nbytes))
            self._held += nbytes
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
            self._cond.notify_all()
        return number

    def wait(self, *, quiet: bool = False) -> None:
        """Until every job given has finished; then raise the first error (unless ``quiet``) and
        stop the worker thread."""
        with self._cond:
            while self._jobs or self._busy:
                self._cond.wait()
            thread, self._thread = self._thread, None
            self._cond.notify_all()
        if thread is not None:
            thread.join()
        if not quiet:
            with self._cond:
                self._raise()

    def wait_for(self, number: int) -> None:
        """Until job ``number`` has run (or one has failed)."""
        with self._cond:
            while self.times[number] is None and self._error is None:
                self._cond.wait()

    @property
    def error(self) -> BaseException | None:
        return self._error

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        me = threading.current_thread()
        while True:
            with self._cond:
                while not self._jobs and self._thread is me:
                    self._cond.wait()
                if not self._jobs:  # ``wait`` has let this thread go
                    return
                number, job, nbytes = self._jobs.popleft()
                self._busy = True
            start = time.monotonic()
            ok = False
            try:
                if self._error is None:
                    job()
                    ok = True
            except BaseException as e:  # noqa: BLE001 - handed to the thread that waits
                self._error = e
            finally:
                del job
                with self._cond:
                    if ok:
                        self.times[number] = (start, time.monotonic())
                    self._busy = False
                    self._held -= nbytes
                    self._cond.notify_all()
