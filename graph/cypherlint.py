"""Offline Cypher linting with Neo4j's own language-support package.

The linting itself happens in ``tools/cypherlint/lint.mjs`` (Node.js); this module
only feeds it a batch of statements plus our schema and parses the result.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

TOOL_DIR = Path(__file__).resolve().parent.parent / "tools" / "cypherlint"
INSTALL_HINT = "run: npm ci --prefix tools/cypherlint"
SCHEMA_KEYS = ("labels", "relationshipTypes", "propertyKeys")


class LintUnavailable(RuntimeError):
    """Node.js or the linter's node_modules are missing."""


@dataclass(frozen=True)
class Diagnostic:
    severity: str  # "error" | "warning"
    message: str
    line: int  # 1-based
    column: int  # 1-based


def lint_timeout(n_statements: int, load: float | None = None, cores: int | None = None) -> float:
    """Seconds to allow for linting ``n_statements``: 60 s to start plus 2 s a statement (linting
    every statement takes ~60 s on an idle 2-core machine), stretched by how busy the machine is
    (load average per core), at most an hour. A hung linter still fails; a busy machine does not."""
    load = os.getloadavg()[0] if load is None else load
    cores = (os.cpu_count() or 1) if cores is None else cores
    return min(3600.0, (60.0 + 2.0 * n_statements) * max(1.0, load / cores))


def lint(statements: list[str], schema: dict, timeout: float | None = None) -> list[list[Diagnostic]]:
    """Lint Neo4j 5 Cypher statements; returns one diagnostics list per statement.

    ``schema`` has ``labels``, ``relationshipTypes`` and ``propertyKeys``. A key left
    out disables its check rather than flagging every name as unknown (labels and
    relationship types are only checked when both are given). ``timeout`` defaults to
    ``lint_timeout(len(statements))``.
    """
    if not statements:
        return []
    node = shutil.which("node")
    if node is None:
        raise LintUnavailable(f"node (Node.js >= 20) is not on PATH; install it, then {INSTALL_HINT}")
    if not (TOOL_DIR / "node_modules" / "@neo4j-cypher" / "language-support").is_dir():
        raise LintUnavailable(f"{TOOL_DIR / 'node_modules'} is missing; {INSTALL_HINT}")

    payload = {
        "schema": {key: list(schema[key]) for key in SCHEMA_KEYS if key in schema},
        "statements": list(statements),
    }
    # One node process per batch: starting node and loading the parser costs ~1 s.
    proc = subprocess.run(
        [node, str(TOOL_DIR / "lint.mjs")],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout if timeout is not None else lint_timeout(len(statements)),
        cwd=TOOL_DIR,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"cypherlint failed (exit {proc.returncode}): {proc.stderr.strip()}")
    return [[Diagnostic(**d) for d in diags] for diags in json.loads(proc.stdout)]
