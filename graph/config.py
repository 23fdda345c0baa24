"""The one connection factory: which store to open, from arguments or the environment.

* ``NEO4J_URI`` (with ``NEO4J_USERNAME``, ``NEO4J_PASSWORD``, optional ``NEO4J_DATABASE``) selects
  Neo4j;
* otherwise the embedded Kùzu database at ``ORGNET_DB`` or ``data/orgnet.kuzu``;
* an explicit ``db`` (the CLI's ``--db``) wins: a ``bolt://``/``neo4j://``/``neo4j+s://`` URI or a path.

Credentials come only from the environment, never from code.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from .store import GraphStore, StoreUnavailable

DEFAULT_DB = "data/orgnet.kuzu"
NEO4J_SCHEMES = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")


def describe(db: str | None = None, env: Mapping[str, str] | None = None) -> tuple[str, str]:
    """(backend, location) that ``open_store`` would use, without opening anything."""
    env = os.environ if env is None else env
    target = db or env.get("NEO4J_URI") or env.get("ORGNET_DB") or DEFAULT_DB
    if target.startswith(NEO4J_SCHEMES):
        return "neo4j", target
    return "kuzu", target


def open_store(db: str | None = None, *, read_only: bool = False, env: Mapping[str, str] | None = None) -> GraphStore:
    """Open the configured store. Create it once per process and pass it around."""
    env = os.environ if env is None else env
    backend, target = describe(db, env)
    if backend == "neo4j":
        from .neo4j_store import Neo4jStore

        user, password = env.get("NEO4J_USERNAME", "neo4j"), env.get("NEO4J_PASSWORD")
        if not password:
            raise StoreUnavailable("NEO4J_URI is set but NEO4J_PASSWORD is not: set it in the environment "
                                   "(or unset NEO4J_URI to use the embedded database)")
        return Neo4jStore(target, user, password, env.get("NEO4J_DATABASE") or None)
    from .kuzu_store import KuzuStore

    return KuzuStore(target, read_only=read_only)


def archive_dir(store: GraphStore, env: Mapping[str, str] | None = None) -> Path:
    """Where loaded ledgers are archived (the system of record): ``ORGNET_ARCHIVE``, else beside
    the embedded database (``data/orgnet.kuzu`` → ``data/orgnet.archive``), else ``data/neo4j.archive``."""
    env = os.environ if env is None else env
    if env.get("ORGNET_ARCHIVE"):
        return Path(env["ORGNET_ARCHIVE"])
    if store.backend == "kuzu":
        return Path(store.location).with_suffix(".archive")
    return Path("data/neo4j.archive")
