"""The first start (issue 13): the demo county loads in a thread and reports its progress."""
from __future__ import annotations

import time

from graph.config import open_store
from views._firststart import DemoLoad


def test_progress_moves_through_the_stages_and_never_back():
    job = DemoLoad("gaoqing")
    seen = []
    for label, done, total in [("生成示范县 Generating", 0, 1), ("读取 Reading 楼栋.csv", 1, 4),
                               ("校验 Validating：1,000 行", 4, 5), ("写入 住户：500 行", 3, 10),
                               ("提交 Committing", 9, 10), ("完成 Done", 10, 10), ("预先计算 R01 Precomputing", 0, 22),
                               ("预先计算 Precomputing", 22, 22)]:
        job.progress(label, done, total)
        seen.append(job.fraction)
    assert seen == sorted(seen) and seen[-1] == 1.0
    assert 0.2 <= seen[1] < seen[2] < seen[3] < 0.9
    assert [line.split(" s  ", 1)[1] for line in job.log][:2] == ["生成示范县 Generating", "读取 Reading 楼栋.csv"]


def test_the_background_load_fills_an_empty_database(tmp_path):
    """The real generator (in its child process) and the real loader, on a small county."""
    with open_store(str(tmp_path / "first.kuzu")) as s:
        s.create_schema()
        job = DemoLoad("pingshun", scale=0.05, seed=2)
        job.run(s)
        assert job.error is None and job.fraction == 1.0 and job.written > 1000
        assert not job.running and any("预先计算" in line for line in job.log)
        assert not s.is_empty()
        assert (tmp_path / "demo" / "pingshun-s2").is_dir()
        assert time.monotonic() >= job.started
