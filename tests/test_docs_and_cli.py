"""docs/model.md is current; the CLI works end to end and explains a locked database."""
from __future__ import annotations

import subprocess
import sys
import textwrap

from click.testing import CliRunner

from graph import docs
from orgnet import cli


def test_model_docs_are_current():
    assert docs.DOC_PATH.read_text(encoding="utf-8") == docs.render(), "docs/model.md is stale: run `orgnet docs`"


def test_model_docs_have_every_label_type_and_a_diagram():
    text = docs.render()
    assert "```mermaid" in text
    from graph.model import MODEL
    for n in MODEL.nodes:
        assert f"### {n.label}" in text and n.zh in text
    for r in MODEL.rels:
        assert f"### {r.type}" in text


def test_init_and_info(tmp_path):
    db = str(tmp_path / "cli.kuzu")
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", db, "init"])
    assert result.exit_code == 0, result.output
    assert "schema ready: kuzu" in result.output
    result = runner.invoke(cli, ["--db", db, "info", "--all"])
    assert result.exit_code == 0, result.output
    assert "backend:  kuzu" in result.output and "PartyOrg" in result.output and "包联" in result.output
    assert "total: 0 nodes, 0 relationships" in result.output


def test_every_command_shows_an_example():
    for name, command in cli.commands.items():
        assert command.epilog and command.epilog.startswith("Example: orgnet"), name


def test_a_locked_database_names_its_holder(tmp_path):
    db = tmp_path / "held.kuzu"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from graph.config import open_store
        s = open_store({str(db)!r})
        print("open", flush=True)
        sys.stdin.read()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        result = CliRunner().invoke(cli, ["--db", str(db), "info"])
        assert result.exit_code == 1
        assert "in use by process" in result.output and str(holder.pid) in result.output
        assert "Traceback" not in result.output
    finally:
        holder.communicate("", timeout=30)
    # once the holder has gone, the database opens again
    assert CliRunner().invoke(cli, ["--db", str(db), "info"]).exit_code == 0


def test_demo_command_loads_a_county(tmp_path):
    db = str(tmp_path / "demo.kuzu")
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", db, "demo", "--profile", "wuxiang", "--scale", "0.05", "--seed", "3",
                                 "--out", str(tmp_path / "ledgers")])
    assert result.exit_code == 0, result.output
    assert "示范县 wuxiang" in result.output and (tmp_path / "ledgers" / "manifest.json").exists()
    result = runner.invoke(cli, ["--db", db, "info"])
    assert "Household" in result.output and "LINKED_TO" in result.output
    result = runner.invoke(cli, ["--db", db, "demo", "--profile", "atlantis"])
    assert result.exit_code != 0 and "gaoqing" in result.output
