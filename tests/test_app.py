"""The Streamlit app runs its pages on the embedded store (Streamlit's AppTest, no browser)."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setenv("ORGNET_DB", str(tmp_path / "app.kuzu"))
    from graph.config import open_store
    with open_store(str(tmp_path / "app.kuzu")) as s:
        s.create_schema()
        s.upsert_nodes("Street", [{"id": "s1", "name": "城关街道"}])
        s.upsert_nodes("Community", [{"id": "c1", "name": "和园社区"}, {"id": "c2", "name": "青羊社区"}])
        s.upsert_rels("PART_OF", "Community", "Street", [{"src": "c1", "dst": "s1"}, {"src": "c2", "dst": "s1"}])
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    yield at
    # The app caches one store per process; release it so the next test opens its own database.
    from pages import _shared
    _shared.store().close()
    _shared.store.clear()


def test_model_browser_shows_labels_and_counts(app):
    app.run()
    assert not app.exception, app.exception
    assert "数据模型" in app.title[0].value
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["节点标签 Labels"] == "16"
    assert metrics["节点 Nodes"] == "3"
    assert metrics["关系 Relationships"] == "2"
    nodes = app.dataframe[0].value
    assert nodes.set_index("标签 Label").loc["Community", "数量 Count"] == 2
    assert nodes.set_index("标签 Label").loc["Community", "中文"] == "社区"
    app.selectbox(key="label").set_value("Household").run()
    props = app.dataframe[1].value
    assert "special_groups" in set(props["属性 Property"]) and "党员中心户" in set(props["中文"])
