"""The free Cypher console is read-only: writes are refused before anything runs, on both stores.

The check reads the statement's tokens (not its string literals or comments) for any clause or
procedure that writes, changes the schema, reads files or alters the session. On Neo4j the
store additionally asks the server with ``EXPLAIN`` whether the plan is read-only and runs the
statement in a read transaction (``graph.neo4j_store.Neo4jStore.query_readonly``).

Examples
--------
>>> write_reason("MATCH (n:Person) RETURN n.name LIMIT 5") is None
True
>>> write_reason("MATCH (n) DETACH DELETE n")
'DETACH'
>>> write_reason("RETURN 'CREATE is only text here' AS s") is None
True
"""
from __future__ import annotations

import re

from graph.dialect import _split_code
from graph.store import GraphStore, Row, WriteRefused  # noqa: F401  (callers catch it from here)

#: clauses that write or change the database, the schema or the session, in either dialect
WRITE_KEYWORDS = (
    "CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "DROP", "ALTER", "FOREACH", "COPY", "LOAD",
    "IMPORT", "EXPORT", "INSTALL", "UNINSTALL", "ATTACH", "USE", "CHECKPOINT", "BEGIN", "COMMIT",
    "ROLLBACK", "GRANT", "DENY", "REVOKE",
)
#: administration commands whose first word is also a common variable name (``start``, ``stop``)
ADMIN_PHRASES = re.compile(r"\b(START|STOP)\s+DATABASE\b|\bTERMINATE\s+TRANSACTIONS?\b|\bRENAME\s+(ROLE|USER|"
                           r"SERVER|DATABASE|ALIAS)\b|\bENABLE\s+SERVER\b|\bDEALLOCATE\b|\bREALLOCATE\b", re.I)
#: procedures (``CALL x.y()``) that write or administer; anything not clearly a read is refused
WRITE_PROCEDURES = re.compile(
    r"(create|drop|merge|delete|remove|set|write|refactor|load|import|export|periodic|schema\.assert|"
    r"awaitindex|clearquerycaches|kill|terminate|upgrade|checkpoint|install|fts_index|attach|"
    r"dbms\.|apoc\.(?!meta|text|coll|map|math|convert|date|temporal|number|util|label|node\.degree))",
    re.I)
_WORD = re.compile(r"[A-Za-z_][\w.]*")
_CALL = re.compile(r"\bCALL\s+([A-Za-z_][\w.]*)", re.I)


def write_reason(cypher: str) -> str | None:
    """The first writing keyword or procedure in ``cypher``, or None if it only reads."""
    code = " ".join(chunk for is_code, chunk in _split_code(cypher) if is_code)
    admin = ADMIN_PHRASES.search(code)
    if admin:
        return " ".join(admin.group(0).upper().split())
    for m in _CALL.finditer(code):
        if WRITE_PROCEDURES.search(m.group(1)):
            return f"CALL {m.group(1)}"
    # Property names (`n.set`) and map keys (`{delete: 1}`) are not clauses.
    for m in _WORD.finditer(code):
        word = m.group(0)
        before = code[:m.start()].rstrip()
        after = code[m.end():].lstrip()
        if before.endswith(".") or after.startswith(":"):
            continue
        if word.upper() in WRITE_KEYWORDS:
            return word.upper()
    return None


def run(store: GraphStore, cypher: str) -> list[Row]:
    """Run a statement typed into the console: refused (``WriteRefused``) before it runs if it
    could write; on Neo4j the store then checks the plan and reads in a read transaction."""
    reason = write_reason(cypher)
    if reason:
        raise WriteRefused(reason)
    return store.query_readonly(cypher)
