"""Uploaded ledgers are on disk only while they are validated or loaded (loaders/uploads.py)."""
from __future__ import annotations

import os
import stat
import time

import pytest

from loaders.uploads import PREFIX, UploadRefused, staged, sweep


def test_staged_files_keep_their_names_and_are_removed_afterwards(tmp_path):
    with staged([("人员.csv", b"a,b\n"), ("sub/../住户.xlsx", b"xx")], root=tmp_path) as paths:
        assert [p.name for p in paths] == ["人员.csv", "住户.xlsx"]
        assert [p.read_bytes() for p in paths] == [b"a,b\n", b"xx"]
        folder = paths[0].parent
        assert folder.parent == tmp_path and folder.name.startswith(PREFIX)
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700  # only this user reads what was uploaded
        (folder / "rejects.xlsx").write_bytes(b"rejected rows")  # what a load writes beside them
    assert not folder.exists() and not list(tmp_path.iterdir())


def test_staged_files_are_removed_when_the_block_fails(tmp_path):
    with pytest.raises(RuntimeError):
        with staged([("人员.csv", b"a,b\n")], root=tmp_path):
            raise RuntimeError("the load failed")
    assert not list(tmp_path.iterdir())


def test_two_uploads_with_one_name_are_an_error_and_nothing_is_written(tmp_path):
    with pytest.raises(UploadRefused, match="人员.csv"):
        with staged([("人员.csv", b"1"), ("a/人员.csv", b"2"), ("住户.csv", b"3")], root=tmp_path):
            pytest.fail("the block must not run")
    assert not list(tmp_path.iterdir())


def test_sweep_removes_only_this_users_old_upload_folders(tmp_path):
    old, fresh, other = tmp_path / f"{PREFIX}old", tmp_path / f"{PREFIX}fresh", tmp_path / "kept-old"
    for folder in (old, fresh, other):
        folder.mkdir()
        (folder / "人员.csv").write_text("x")
    target = tmp_path / "target"
    target.mkdir()
    link = tmp_path / f"{PREFIX}link"
    link.symlink_to(target)
    day_ago = time.time() - 2 * 24 * 3600
    for path in (old, other, target):
        os.utime(path, (day_ago, day_ago))
    os.utime(link, (day_ago, day_ago), follow_symlinks=False)
    assert sweep(tmp_path) == [old]
    assert not old.exists()
    assert fresh.exists() and other.exists() and link.is_symlink() and (target).exists()
    assert sweep(tmp_path, older_than_s=0) == [fresh]


@pytest.mark.parametrize("name", ["..", "a/..", "", "."])
def test_a_name_that_is_no_files_is_refused_and_nothing_is_written(tmp_path, name):
    with pytest.raises(UploadRefused, match="不是一个文件的名字"):
        with staged([("人员.csv", b"1"), (name, b"2")], root=tmp_path):
            pytest.fail("the block must not run")
    assert not list(tmp_path.iterdir())
