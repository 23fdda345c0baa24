"""``orgnet``: the command line, a thin layer over the library.

Every command takes ``--db`` (a Kùzu path or a Neo4j URI); without it the environment decides
(``NEO4J_URI`` → Neo4j, else ``ORGNET_DB`` or ``data/orgnet.kuzu``).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

from graph.config import describe, open_store
from graph.store import StoreError

ROOT = Path(__file__).resolve().parent


class OrgnetGroup(click.Group):
    """Turns library errors into one readable line with a hint, instead of a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except StoreError as e:
            raise click.ClickException(f"{e}\n提示 Hint: `orgnet info` shows which database is in use; "
                                       "`orgnet --help` lists the commands.") from None


@click.group(cls=OrgnetGroup, epilog="Example: orgnet --db data/test.kuzu info")
@click.option("--db", envvar="ORGNET_CLI_DB", metavar="PATH|URI",
              help="Kùzu database path or Neo4j URI (default: NEO4J_URI, ORGNET_DB or data/orgnet.kuzu).")
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """orgnet 组织网络图谱: the organisation network behind party-building-led grassroots governance."""
    ctx.obj = {"db": db}


def _store(ctx: click.Context):
    # Opened lazily, once per command, and closed when the command ends.
    obj = ctx.find_root().obj
    if obj.get("store") is None:
        obj["store"] = open_store(obj["db"])
        ctx.find_root().call_on_close(obj["store"].close)
    return obj["store"]


@cli.command(epilog="Example: orgnet init")
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the database schema from the model (safe to run again)."""
    store = _store(ctx)
    store.create_schema()
    click.echo(f"schema ready: {store.backend} at {store.location} "
               f"({len(store.model.nodes)} labels, {len(store.model.rels)} relationship types)")


@cli.command(epilog="Example: orgnet info --all")
@click.option("--all", "show_all", is_flag=True, help="Also list labels and types with no data.")
@click.pass_context
def info(ctx: click.Context, show_all: bool) -> None:
    """Which database is in use, and how many nodes/relationships of each kind it holds."""
    store = _store(ctx)
    store.create_schema()
    counts = store.counts()
    click.echo(f"backend:  {store.backend}")
    click.echo(f"location: {store.location}")
    model = store.model
    click.echo("nodes:")
    for n in model.nodes:
        if show_all or counts[n.label]:
            click.echo(f"  {n.label:<16} {n.zh:<10} {counts[n.label]:>10,}")
    click.echo("relationships:")
    for r in model.rels:
        if show_all or counts[r.type]:
            click.echo(f"  {r.type:<20} {r.zh:<10} {counts[r.type]:>10,}")
    total_n = sum(counts[n.label] for n in model.nodes)
    total_r = sum(counts[r.type] for r in model.rels)
    click.echo(f"total: {total_n:,} nodes, {total_r:,} relationships")


@cli.command(epilog="Example: orgnet docs --check")
@click.option("--check", is_flag=True, help="Exit 1 if docs/model.md is stale instead of writing it.")
def docs(check: bool) -> None:
    """Regenerate docs/model.md from the model."""
    from graph import docs as model_docs

    if check:
        current = model_docs.DOC_PATH.read_text(encoding="utf-8") if model_docs.DOC_PATH.exists() else ""
        if current != model_docs.render():
            raise click.ClickException("docs/model.md is stale: run `orgnet docs`")
        click.echo("docs/model.md is current")
        return
    click.echo(f"wrote {model_docs.write()}")


@cli.command(epilog="Example: orgnet app --port 8502")
@click.option("--port", default=8501, show_default=True, help="Port to serve on.")
@click.pass_context
def app(ctx: click.Context, port: int) -> None:
    """Start the Streamlit app on the configured database (opens on http://localhost:PORT)."""
    env = dict(os.environ)
    db = ctx.find_root().obj["db"]
    backend, location = describe(db)
    if db:
        env["NEO4J_URI" if backend == "neo4j" else "ORGNET_DB"] = db
    click.echo(f"orgnet app on {backend} at {location}: http://localhost:{port}")
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
           "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    raise SystemExit(subprocess.call(cmd, env=env))


def main() -> None:
    cli(prog_name="orgnet")


if __name__ == "__main__":
    main()
