"""The one place where Neo4j 5 Cypher and Kùzu 0.11 Cypher are reconciled.

orgnet's queries are written once, in the subset both engines run (``EXISTS { MATCH … }``,
``COUNT { MATCH … }``, map literals, ``coalesce(collect(x), [])``, one label per node). This module

* rewrites the few functions that only differ by name or form (``type(r)`` → ``label(r)``,
  ``toString(x)`` → ``cast(x AS STRING)``, ``split`` → ``string_split``, ``datetime()`` →
  ``current_timestamp()``, …) when a query goes to Kùzu, never touching string literals or comments;
* picks a per-backend variant where no common form exists. A query text may hold blocks
  introduced by a line ``//@neo4j`` or ``//@kuzu``; a block runs to the next marker or the end,
  and ``//@both`` returns to text shared by both.

Examples
--------
>>> to_kuzu("MATCH (a)-[r]->(b) RETURN type(r) AS t, toInteger(a.n) AS n")
'MATCH (a)-[r]->(b) RETURN label(r) AS t, cast(a.n AS INT64) AS n'
>>> to_kuzu("RETURN 'type(r)' AS s")
"RETURN 'type(r)' AS s"
>>> select_variant("MATCH (n)\\n//@neo4j\\nRETURN 1\\n//@kuzu\\nRETURN 2", "kuzu")
'MATCH (n)\\nRETURN 2'
"""
from __future__ import annotations

import re
from functools import lru_cache

BACKENDS = ("neo4j", "kuzu")

# Functions renamed one-to-one (argument lists unchanged).
_RENAMES = {
    "type": "label",
    "split": "string_split",
    "toLower": "lower",
    "toUpper": "upper",
    "tolower": "lower",
    "toupper": "upper",
}
# Functions that become a cast of their single argument.
_CASTS = {
    "toString": "STRING",
    "toInteger": "INT64",
    "toFloat": "DOUBLE",
    "toBoolean": "BOOL",
}
# Zero-argument functions with another name.
_NULLARY = {
    "datetime": "current_timestamp",
    "date": "current_date",
    "timestamp": "current_timestamp",
}

_STARTS = re.compile(r"['\"`]|//|/\*")


# A literal runs to its closing quote, skipping backslash escapes; an unterminated one runs to the
# end. The closing quote is optional, so the match never fails and never backtracks.
_LITERAL = {q: re.compile(q + r"(?:[^" + q + r"\\]+|\\.)*" + q + "?", re.S) for q in "'\""}


def _literal_end(text: str, start: int) -> int:
    return _LITERAL[text[start]].match(text, start).end()


def _split_code(text: str) -> list[tuple[bool, str]]:
    """Split into (is_code, chunk): string literals, comments and back-quoted names are not code.

    One pass, linear in the text's length: each literal or comment is skipped with a search that
    starts where the last one ended, and an unterminated one runs to the end of the text (a
    backtracking regular expression took minutes on 180 KB of unclosed comments).
    """
    out, pos, n = [], 0, len(text)
    while pos < n:
        m = _STARTS.search(text, pos)
        if m is None:
            out.append((True, text[pos:]))
            break
        if m.start() > pos:
            out.append((True, text[pos:m.start()]))
        start, opener = m.start(), m.group(0)
        if opener == "//":
            end = text.find("\n", start)
            end = n if end == -1 else end
        elif opener == "/*":
            end = text.find("*/", start + 2)
            end = n if end == -1 else end + 2
        elif opener == "`":
            end = text.find("`", start + 1)
            end = n if end == -1 else end + 1
        else:
            end = _literal_end(text, start)
        out.append((False, text[start:end]))
        pos = end
    return out


_CALL = re.compile(r"(?<![\w.$])([A-Za-z_]\w*)\s*\(")


def _matching_paren(text: str, open_at: int) -> int:
    depth = 0
    for i in range(open_at, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError("unbalanced parentheses in Cypher")


def _rewrite_code(code: str) -> str:
    out, pos = [], 0
    while True:
        m = _CALL.search(code, pos)
        if not m:
            out.append(code[pos:])
            return "".join(out)
        name, open_at = m.group(1), m.end() - 1
        out.append(code[pos:m.start()])
        if name in _RENAMES:
            out.append(_RENAMES[name] + "(")
            pos = open_at + 1
        elif name in _CASTS:
            close = _matching_paren(code, open_at)
            inner = _rewrite_code(code[open_at + 1:close])
            out.append(f"cast({inner} AS {_CASTS[name]})")
            pos = close + 1
        elif name in _NULLARY and code[open_at + 1:_matching_paren(code, open_at)].strip() == "":
            out.append(_NULLARY[name] + "()")
            pos = _matching_paren(code, open_at) + 1
        else:
            out.append(code[m.start():open_at + 1])
            pos = open_at + 1


def _rewrite(text: str) -> str:
    # A cast's argument may contain a string literal, so rewrite over the whole text with literals
    # masked by placeholders of the same length, then put them back.
    chunks = _split_code(text)
    masked, literals = [], []
    for is_code, chunk in chunks:
        if is_code:
            masked.append(chunk)
        else:
            literals.append(chunk)
            masked.append(f"\x00{len(literals) - 1}\x00")
    rewritten = _rewrite_code("".join(masked))
    return re.sub(r"\x00(\d+)\x00", lambda m: literals[int(m.group(1))], rewritten)


@lru_cache(maxsize=2048)
def to_kuzu(cypher: str) -> str:
    """Rewrite a common-subset Cypher statement for Kùzu 0.11."""
    return _rewrite(cypher)


_MARKER = re.compile(r"^\s*//@(neo4j|kuzu|both)\s*$")


@lru_cache(maxsize=2048)
def select_variant(text: str, backend: str) -> str:
    """Keep the shared lines and the ``//@backend`` blocks for ``backend``; drop the other's."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; expected one of {BACKENDS}")
    keep, current = [], "both"
    for line in text.splitlines():
        m = _MARKER.match(line)
        if m:
            current = m.group(1)
            continue
        if current in ("both", backend):
            keep.append(line)
    return "\n".join(keep)


def for_backend(text: str, backend: str) -> str:
    """The statement as ``backend`` should receive it."""
    chosen = select_variant(text, backend)
    return to_kuzu(chosen) if backend == "kuzu" else chosen


_PARAM = re.compile(r"\$([A-Za-z_]\w*)")


def parameters(cypher: str) -> set[str]:
    """The ``$parameters`` a statement uses (outside literals and comments)."""
    return {m.group(1) for is_code, chunk in _split_code(cypher) if is_code for m in _PARAM.finditer(chunk)}
