"""Ledgers uploaded in the app, on disk only while they are validated or loaded.

An uploaded ledger holds names, phones and ID numbers. The loaders read files by path (a file's
name matters: it picks the ledger, it is the load's provenance and what ``--replace`` matches),
so an upload is written to a folder of its own for the length of one validation or one load and
removed on the way out, whatever happens there. The archive keeps what was loaded; nothing else
keeps a copy. A process killed in the middle leaves its folder behind: ``sweep`` removes such
folders once they are older than any validation or load could take.
"""
from __future__ import annotations

import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

PREFIX = "orgnet-upload-"
STALE_S = 24 * 3600  # far longer than a city's load takes


class UploadRefused(ValueError):
    """Uploads that cannot be staged as they are: two files with one name, or a name that is no file's."""


@contextmanager
def staged(uploads: Iterable[tuple[str, bytes]], root: str | Path | None = None) -> Iterator[list[Path]]:
    """The uploads, each ``(file name, bytes)``, as files under their own names in a new folder
    only this user may read, for as long as the block runs; then the folder and everything in it
    (a rejects file written there too) is removed. Two uploads with one name are an error (the
    second would silently replace the first), and so is a name that is no file's (``..``)."""
    folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir=root))  # mode 0700
    try:
        paths: list[Path] = []
        for name, data in uploads:  # one file's bytes at a time: an upload may be 200 MB
            if Path(name).name in ("", ".", ".."):
                raise UploadRefused(f"文件名“{name}”不是一个文件的名字：请改名后重新上传。")
            path = folder / Path(name).name
            if path in paths:
                raise UploadRefused(f"上传了两个同名文件：{path.name}。请只保留一个，或改名后重新上传。")
            path.write_bytes(data)
            paths.append(path)
        yield paths
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def sweep(root: str | Path | None = None, older_than_s: float = STALE_S) -> list[Path]:
    """Remove the upload folders this user left behind more than ``older_than_s`` ago (a process
    that died while validating or loading); returns what was removed. Another user's folders, and
    links, are left alone."""
    base = Path(root or tempfile.gettempdir())
    cutoff = time.time() - older_than_s
    removed = []
    for folder in sorted(base.glob(PREFIX + "*")):
        try:
            st = folder.lstat()
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and st.st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed
