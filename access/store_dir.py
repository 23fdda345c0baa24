"""Where accounts and the audit log live: outside the graph database, so a rebuild keeps them.

``ORGNET_ACCESS`` names the folder; otherwise it sits beside the embedded database
(``data/orgnet.kuzu`` → ``data/orgnet.access/``) or, for Neo4j, ``data/neo4j.access/``. The folder
is created 0700 and its files 0600: only the account that runs orgnet can read them.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from graph.config import describe


def access_dir(db: str | None = None, env: Mapping[str, str] | None = None, create: bool = True) -> Path:
    env = os.environ if env is None else env
    if env.get("ORGNET_ACCESS"):
        path = Path(env["ORGNET_ACCESS"])
    else:
        backend, location = describe(db, env)
        path = Path(location).with_suffix(".access") if backend == "kuzu" else Path("data/neo4j.access")
    if create:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(path, 0o700)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` if missing and make it readable by its owner only."""
    fd = os.open(path, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)
    return path


def restrict(*paths: Path) -> None:
    """Make existing database files and folders owner-only (files 0600, folders 0700); files made
    before orgnet set its umask, or copied in by hand, were often world-readable."""
    for p in paths:
        p = Path(p)
        if not p.exists():
            continue
        try:
            os.chmod(p, 0o700 if p.is_dir() else 0o600)
            if p.is_dir():
                for child in p.rglob("*"):
                    os.chmod(child, 0o700 if child.is_dir() else 0o600)
        except PermissionError:  # not ours: leave it, the owner decides
            pass
