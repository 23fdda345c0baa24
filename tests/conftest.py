"""Fixtures: a real embedded database per test, and Neo4j too whenever NEO4J_URI is set.

Store tests are written once and run against every available store. The Neo4j run wipes the
target database: point NEO4J_URI at a throwaway server (see the README).
"""
from __future__ import annotations

import datetime as dt
import os

import pytest

from graph.config import open_store
from graph.model import Prop

BACKENDS = ["kuzu"] + (["neo4j"] if os.environ.get("NEO4J_URI") else [])


@pytest.fixture
def kuzu_store(tmp_path):
    s = open_store(str(tmp_path / "test.kuzu"))
    s.create_schema()
    yield s
    s.close()


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    if request.param == "kuzu":
        s = open_store(str(tmp_path / "test.kuzu"))
    else:
        s = open_store(os.environ["NEO4J_URI"])
        s.write([("MATCH (n) DETACH DELETE n", None)])
    s.create_schema()
    yield s
    s.close()


def sample_value(p: Prop, i: int = 0):
    """A value of the property's type (an allowed one where the model lists them)."""
    if p.values:
        v = p.values[i % len(p.values)]
        return [v] if p.type == "STRING[]" else v
    return {
        "STRING": f"{p.name}-{i}",
        "INT64": 7 + i,
        "DOUBLE": 36.5 + i,
        "BOOL": i % 2 == 0,
        "DATE": dt.date(2023, 5, 1) + dt.timedelta(days=i),
        "TIMESTAMP": dt.datetime(2024, 1, 2, 3, 4, 5) + dt.timedelta(hours=i),
        "STRING[]": [f"{p.name}-a", f"{p.name}-b"],
    }[p.type]
