"""The first start: the app answers at once while the demo county loads in the background.

``orgnet app`` on an empty database no longer loads the demo county before Streamlit starts (the
browser got "connection refused" for the ~40 s that took). It sets ``ORGNET_DEMO_ON_EMPTY`` and
starts the app; the first page view starts one background thread per process that generates the
demo county (in a child process, so the pages keep the interpreter), loads it through the real loader and then precomputes what the pages show
(``queries.coverage.warm``). Until it is done every page shows the progress instead of its
content, refreshed every second; then the pages open on the full county.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from graph.store import GraphStore

ENV = "ORGNET_DEMO_ON_EMPTY"
ROOT = Path(__file__).resolve().parent.parent

#: (label prefix, start, end) of each stage on one progress bar
STAGES = (("生成示范县", 0.0, 0.2), ("读取", 0.2, 0.45), ("校验", 0.45, 0.55), ("写入", 0.55, 0.88),
          ("提交", 0.88, 0.9), ("完成", 0.9, 0.9), ("预先计算", 0.9, 1.0))


@dataclass
class DemoLoad:
    """A demo load running in a thread: what it is doing, how far, and how it ended."""

    profile: str
    scale: float = 1.0
    seed: int = 1
    started: float = field(default_factory=time.monotonic)
    label: str = "准备 Starting"
    fraction: float = 0.0
    finished: float | None = None
    error: str | None = None
    written: int = 0
    log: list[str] = field(default_factory=list)

    def progress(self, label: str, done: int, total: int) -> None:
        for prefix, start, end in STAGES:
            if label.startswith(prefix):
                self.fraction = max(self.fraction, start + (end - start) * min(1.0, done / max(total, 1)))
                break
        if label != self.label:
            self.log.append(f"{time.monotonic() - self.started:5.1f} s  {label}")
        self.label = label

    @property
    def shown(self) -> float:
        """The fraction to draw: generating reports no steps, so it creeps along with the time a
        county usually takes to generate (about 30 s) instead of sitting at 0 %."""
        if self.label.startswith("生成示范县"):
            return min(0.19, 0.2 * (time.monotonic() - self.started) / 30)
        return self.fraction

    @property
    def running(self) -> bool:
        return self.finished is None

    def generate(self, out_dir: Path) -> list[Path]:
        """Write the demo ledgers in a child process: generating is pure Python, and in a thread of
        the app it would hold the interpreter lock the pages need to answer."""
        self.progress("生成示范县 Generating", 0, 1)
        script = ("import json, sys\nfrom demo import generate\n"
                  "g = generate(sys.argv[1], scale=float(sys.argv[2]), seed=int(sys.argv[3]), out_dir=sys.argv[4], "
                  "fmt='xlsx')\nprint(json.dumps([str(p) for p in g.paths]))")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
        done = subprocess.run([sys.executable, "-c", script, self.profile, str(self.scale), str(self.seed),
                               str(out_dir)], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"生成示范县失败 (generating failed): {done.stderr.strip()[-500:]}")
        return [Path(p) for p in json.loads(done.stdout.strip().splitlines()[-1])]

    def run(self, store: GraphStore) -> None:
        from demo import default_out_dir
        from graph.config import archive_dir
        from loaders.engine import load
        from queries import coverage

        try:
            paths = self.generate(default_out_dir(store, self.profile, self.seed))
            report = load(paths, store, archive=archive_dir(store), progress=self.progress)
            self.written = sum(report.written.values())
            from cases import ledger  # the rectification ledger opens a case per gap, as after any load

            ledger.sync(store, archive=archive_dir(store), progress=self.progress)
            coverage.warm(store, progress=self.progress)
        except Exception as e:  # the thread must report any failure to the page, not die silently
            self.error = f"{type(e).__name__}: {e}"
        finally:
            self.fraction = 1.0 if self.error is None else self.fraction
            self.finished = time.monotonic()


@st.cache_resource(show_spinner=False)
def demo_load(_store: GraphStore, location: str) -> DemoLoad | None:
    """Started once per process and database, only when asked for (``ORGNET_DEMO_ON_EMPTY``) and
    the database is empty."""
    profile = os.environ.get(ENV)
    if not profile or not _store.is_empty():
        return None
    job = DemoLoad(profile)
    threading.Thread(target=job.run, args=(_store,), name="orgnet-demo-load", daemon=True).start()
    return job


def wait_page(job: DemoLoad, english: bool) -> None:
    """What every page shows while the demo county loads: a progress bar refreshed each second."""
    st.title("orgnet 组织网络图谱")
    st.info("数据库为空：正在生成并载入示范县（高青，约 3.9 万户），完成后自动打开总览。"
            if not english else "The database is empty: generating and loading the demo county; "
                                "the overview opens when it is done.")

    @st.fragment(run_every=1.0)
    def progress() -> None:
        elapsed = time.monotonic() - job.started
        if job.error:
            st.error(f"示范县载入失败 The demo load failed: {job.error}")
            return
        st.progress(job.shown, text=f"{job.label} · {job.shown:.0%} · 已用 {elapsed:.0f} 秒 elapsed")
        with st.expander("步骤 Steps", expanded=True):
            st.code("\n".join(job.log[-15:]) or "…", language=None)
        if not job.running:
            st.rerun(scope="app")

    progress()
    st.stop()
