"""``orgnet``: the command line, a thin layer over the library.

Every command takes ``--db`` (a Kùzu path or a Neo4j URI); without it the environment decides
(``NEO4J_URI`` → Neo4j, else ``ORGNET_DB`` or ``data/orgnet.kuzu``).

Who is asking: once any account exists (``orgnet users add``), data commands need ``--user NAME``
(or ``ORGNET_USER``) and the password (prompted, or ``ORGNET_PASSWORD`` for scripts), and run with
that account's role and area through ``queries.scope``. Before the first account exists the
server's own operator works alone ("single-user mode": the admin role, masked by default).
Output is masked unless ``--unmask`` is given by a role that may unmask (each use is audited).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from access.accounts import AccountError, LoginFailed
from access.roles import AccessDenied
from graph.config import describe, open_store
from queries.registry import ParameterError
from graph.store import StoreError

ROOT = Path(__file__).resolve().parent


class OrgnetGroup(click.Group):
    """Turns library errors into one readable line with a hint, instead of a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (StoreError, ParameterError) as e:
            raise click.ClickException(f"{e}\n提示 Hint: `orgnet info` shows which database is in use; "
                                       "`orgnet --help` lists the commands.") from None
        except (AccessDenied, LoginFailed, AccountError) as e:
            raise click.ClickException(f"{e}\n提示 Hint: `orgnet --user NAME …` logs in; an administrator "
                                       "manages accounts with `orgnet users`.") from None


@click.group(cls=OrgnetGroup, epilog="Example: orgnet --db data/test.kuzu info")
@click.option("--db", envvar="ORGNET_CLI_DB", metavar="PATH|URI",
              help="Kùzu database path or Neo4j URI (default: NEO4J_URI, ORGNET_DB or data/orgnet.kuzu).")
@click.option("--user", envvar="ORGNET_USER", metavar="NAME",
              help="Log in as this account (password from ORGNET_PASSWORD or a prompt).")
@click.option("--unmask", is_flag=True, help="Show names, phones and ID numbers in full (roles that may; audited).")
@click.pass_context
def cli(ctx: click.Context, db: str | None, user: str | None, unmask: bool) -> None:
    """orgnet 组织网络图谱: the organisation network behind party-building-led grassroots governance."""
    os.umask(0o077)  # databases, archives, exports and logs this process creates: owner only
    ctx.obj = {"db": db, "user": user, "unmask": unmask}


def _access(ctx: click.Context):
    """(accounts, audit log) of the configured database."""
    from access.accounts import Accounts
    from access.audit import AuditLog
    from access.store_dir import access_dir

    obj = ctx.find_root().obj
    if obj.get("accounts") is None:
        folder = access_dir(obj["db"])
        obj["accounts"], obj["audit"] = Accounts(folder / "accounts.sqlite"), AuditLog(folder / "audit.jsonl")
    return obj["accounts"], obj["audit"]


def _principal(ctx: click.Context):
    """Who runs this command: the logged-in account, or the local operator before any account exists."""
    import getpass

    from access.roles import Principal

    obj = ctx.find_root().obj
    if obj.get("principal") is not None:
        return obj["principal"]
    accounts, audit = _access(ctx)
    if not accounts.exists():
        if obj["user"]:
            raise click.ClickException("还没有任何账户：先在服务器上运行 `orgnet users add NAME --role admin` "
                                       "(no accounts yet: create the first administrator)")
        principal = Principal(f"local:{getpass.getuser()}", "admin", unmask=obj["unmask"])
    else:
        if not obj["user"]:
            raise click.ClickException("请登录：orgnet --user 账户名 …（或设置 ORGNET_USER）"
                                       "(log in: orgnet --user NAME …)")
        password = os.environ.get("ORGNET_PASSWORD") or click.prompt(f"{obj['user']} 的密码 password",
                                                                     hide_input=True, err=True)
        try:
            account = accounts.verify(obj["user"], password)
        except LoginFailed as e:
            audit.record("login_failed", user=obj["user"], source="cli", reason=str(e))
            raise
        audit.record("login", user=account.name, role=account.role, area=account.area, source="cli")
        principal = account.principal(unmask=obj["unmask"])
    if obj["unmask"] and not principal.may("unmask"):
        audit.record("denied", user=principal.user, role=principal.role, area=principal.area, perm="unmask",
                     source="cli")
        principal.require("unmask")
    obj["principal"] = principal
    return principal


def _scope(ctx: click.Context):
    from queries.scope import Scope

    principal = _principal(ctx)  # log in before touching the database
    return Scope(_store(ctx), principal, _access(ctx)[1])


def _store(ctx: click.Context):
    # Opened lazily, once per command, and closed when the command ends.
    obj = ctx.find_root().obj
    if obj.get("store") is None:
        obj["store"] = open_store(obj["db"])
        ctx.find_root().call_on_close(lambda: obj["store"] and obj["store"].close())
        if not getattr(obj["store"], "read_only", False):  # a read-only data folder still serves reads
            obj["store"].create_schema()  # idempotent; every command can then assume the tables exist
            if obj["store"].backend == "kuzu":
                from access.store_dir import restrict
                from graph.config import archive_dir

                db = Path(obj["store"].location)
                restrict(db, db.with_name(db.name + ".wal"), archive_dir(obj["store"]))
    return obj["store"]


@cli.command(epilog="Example: orgnet init")
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the database schema from the model (safe to run again)."""
    store = _store(ctx)
    click.echo(f"schema ready: {store.backend} at {store.location} "
               f"({len(store.model.nodes)} labels, {len(store.model.rels)} relationship types)")


@cli.command(epilog="Example: orgnet info --all")
@click.option("--all", "show_all", is_flag=True, help="Also list labels and types with no data.")
@click.pass_context
def info(ctx: click.Context, show_all: bool) -> None:
    """Which database is in use, and how many nodes/relationships of each kind it holds."""
    store = _store(ctx)
    counts = store.counts()
    click.echo(f"backend:  {store.backend}")
    click.echo(f"location: {store.location}")
    for m in store.load_in_progress():
        click.echo(f"loading:  {m['id']} since {m['started_at']} on {m['host']} (pid {m['pid']}); "
                   "counts include only the batches written so far")
    model = store.model
    click.echo("nodes:")
    for n in model.nodes:
        if show_all or counts[n.label]:
            click.echo(f"  {n.label:<16} {_pad(n.zh, 18)} {counts[n.label]:>10,}")
    click.echo("relationships:")
    for r in model.rels:
        if show_all or counts[r.type]:
            click.echo(f"  {r.type:<20} {_pad(r.zh, 16)} {counts[r.type]:>10,}")
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


def _record(store, report) -> None:
    """Every load is a point in time: its rule results and snapshot are recorded right after it commits."""
    from graph.config import archive_dir
    from queries import history

    history.record(store, report.load_id, archive_dir(store))


def _run_demo(store, profile: str, scale: float, seed: int, out: str | None, user: str | None = None,
              as_of=None, quarter: int = 1):
    from graph.config import archive_dir
    from demo import PROFILES, run_demo
    from demo.quarter import run_quarter

    if profile not in PROFILES:
        raise click.BadParameter(f"unknown profile {profile!r}; profiles: {', '.join(PROFILES)}", param_hint="--profile")
    if quarter < 1:
        raise click.BadParameter("quarter 1 is the county as generated; 2, 3… are the quarters after it",
                                 param_hint="--quarter")
    if quarter == 1:
        report = run_demo(store, profile=profile, scale=scale, seed=seed, out_dir=Path(out) if out else None,
                          progress=_progress(), archive=archive_dir(store), user=user, as_of=as_of)
    else:
        report, changes = run_quarter(store, profile=profile, scale=scale, seed=seed, quarter=quarter,
                                      out_dir=Path(out) if out else None, progress=_progress(),
                                      archive=archive_dir(store), as_of=as_of)
        click.echo(f"第 {quarter} 季度：{len(changes)} 处变化（包联新增与结束、楼长更换、新住户），以 --replace 导入")
    _record(store, report)
    click.echo(f"示范县 {profile} ×{scale:g} (seed {seed}): 写入 {sum(report.written.values()):,} 条，"
               f"用时 {report.seconds:.1f} 秒 ({report.load_id})")
    return report


@cli.command(epilog="Example: orgnet demo --profile pingshun --seed 7")
@click.option("--profile", default="gaoqing", show_default=True,
              help="gaoqing 高青 | pingshun 平顺 | huguan 壶关 | wuxiang 武乡 (calibrated on the seed reports).")
@click.option("--scale", default=1.0, show_default=True, help="Grow the county (10 = ten times the households).")
@click.option("--seed", default=1, show_default=True, help="Same seed, same ledgers, byte for byte.")
@click.option("--out", type=click.Path(file_okay=False), help="Where to write the generated ledgers.")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="Date the ledgers describe (default today).")
@click.option("--quarter", default=1, show_default=True,
              help="2, 3…: the same county that many quarters on (links started and ended, leaders replaced, "
                   "new households), loaded with --replace — for trends and orgnet diff.")
@click.pass_context
def demo(ctx: click.Context, profile: str, scale: float, seed: int, out: str | None, as_of, quarter: int) -> None:
    """Generate a demo county with planted coverage gaps and load it through the real loaders.

    Example: orgnet demo --as-of 2026-03-31 && orgnet demo --quarter 2 --as-of 2026-06-30"""
    principal = _principal(ctx)
    principal.require("load")
    report = _run_demo(_store(ctx), profile, scale, seed, out, user=principal.user,
                       as_of=as_of.date() if as_of else None, quarter=quarter)
    _access(ctx)[1].record("load", user=principal.user, role=principal.role, area=principal.area, source="cli",
                           load=report.load_id, files=[f"demo {profile} x{scale:g} seed {seed}"],
                           rows=sum(report.written.values()), rejected=report.rejected)
    _sync_cases(_store(ctx), principal.user)


@cli.command(epilog="Example: orgnet app --port 8502   (on a server: orgnet app --host 0.0.0.0, behind a TLS proxy)")
@click.option("--port", default=8501, show_default=True, help="Port to serve on.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; the default serves this machine only. Use 0.0.0.0 (every interface) "
                   "only behind a reverse proxy with TLS, see the README's 部署 Deploying section.")
@click.option("--no-demo", is_flag=True, help="Do not load the demo county into an empty database.")
@click.pass_context
def app(ctx: click.Context, port: int, host: str, no_demo: bool) -> None:
    """Start the Streamlit app on the configured database (opens on http://HOST:PORT).

    An empty database first gets the demo county, so a fresh machine opens on a full county.
    SIGTERM or SIGINT (Ctrl-C) stops the app and everything it started, and releases the database.
    """
    env = dict(os.environ)
    env.setdefault("ORGNET_ACCESS", str(_access(ctx)[0].path.parent.resolve()))
    db = ctx.find_root().obj["db"]
    store = _store(ctx)
    env.pop("ORGNET_DEMO_ON_EMPTY", None)
    if store.is_empty() and not no_demo:
        # The app answers at once and loads the demo county in the background, with its progress
        # in the browser (views/_firststart.py).
        click.echo("数据库为空：应用启动后在后台载入示范县，进度显示在浏览器中 "
                   "(empty database: the demo county loads in the background; progress in the browser)")
        env["ORGNET_DEMO_ON_EMPTY"] = "gaoqing"
    # The app process opens the database itself; Kùzu allows one process at a time.
    store.close()
    ctx.find_root().obj["store"] = None
    backend, location = describe(db)
    if db:
        env["NEO4J_URI" if backend == "neo4j" else "ORGNET_DB"] = db
    click.echo(f"orgnet app on {backend} at {location}: http://{host}:{port}")
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
           "--server.address", host, "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    from serving import run_supervised

    raise SystemExit(run_supervised(cmd, env=env))


# --- ledgers ------------------------------------------------------------------------------------------
def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (a Chinese character takes two)."""
    return text + " " * max(0, width - _width(text))


def _table(headers: list[str], rows: list[list[object]]) -> str:
    """Aligned columns for a terminal (Chinese characters count double); the last column runs on.

    Values read as on the pages (``reports.export.display``): — for empty, local time to the
    minute, fractions rounded, lists joined with 、."""
    from reports.export import display

    def cell(v: object) -> str:
        if isinstance(v, bool):
            return "是" if v else "否"
        plain = isinstance(v, (str, int)) or (isinstance(v, float) and v == v)  # numbers keep their rounding
        return str(v if plain else display("", v)).replace("\n", " ")

    cells = [[cell(v) for v in r] for r in [headers, *rows]]
    widths = [max(_width(r[i]) for r in cells) for i in range(len(headers) - 1)]

    def fmt(r: list[str]) -> str:
        return "  ".join(c + " " * max(0, widths[i] - _width(c)) for i, c in enumerate(r[:-1])) + "  " + r[-1]

    rule = "  ".join("-" * w for w in widths) + "  --------"
    return "\n".join([fmt(cells[0]), rule, *map(fmt, cells[1:])])


ERROR_HEADERS = ["代码 code", "文件 file", "工作表 sheet", "行 row", "列 column", "值 value", "说明 message"]


def _error_rows(errors) -> list[list[object]]:
    return [[e.code, e.file, e.sheet, e.row, e.column, e.value, e.message] for e in errors]


def _progress():
    """A one-line progress bar on a terminal; stage names only when output is a file or pipe."""
    state = {"label": None}

    def report(label: str, done: int, total: int) -> None:
        if sys.stderr.isatty():
            filled = int(30 * done / max(total, 1))
            sys.stderr.write(f"\r{label:<20} [{'#' * filled}{' ' * (30 - filled)}] {done}/{total}")
            if done >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()
        elif label != state["label"]:
            click.echo(f"… {label}", err=True)
        state["label"] = label

    return report


@cli.command(epilog="Example: orgnet templates 模板/")
@click.argument("directory", type=click.Path(file_okay=False))
def templates(directory: str) -> None:
    """Write blank ledger templates (one .xlsx with a sheet per ledger, and CSVs) into DIRECTORY."""
    from loaders.templates import write_templates

    paths = write_templates(directory)
    click.echo(f"wrote {paths[0]} and {len(paths) - 1} CSV files in {Path(directory) / 'csv'}")


@cli.command(epilog="Example: orgnet validate 高青台账.xlsx 包联.csv --json")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the errors as JSON.")
@click.pass_context
def validate(ctx: click.Context, paths: tuple[str, ...], as_json: bool) -> None:
    """Check ledgers without writing: every error with file, sheet, row, column and how to fix it."""
    import json

    from loaders.engine import validate as run_validate

    _principal(ctx).require("load")
    result = run_validate(paths, _store(ctx))
    if as_json:
        click.echo(json.dumps({"ok": result.ok, "rows": result.summary(), "skipped": result.skipped,
                               "errors": [e.as_dict() for e in result.errors]}, ensure_ascii=False, indent=2))
    else:
        for note in result.skipped:
            click.echo(note)
        for ledger, n in result.summary().items():
            click.echo(f"{ledger}: {n} 行")
        if result.errors:
            click.echo(_table(ERROR_HEADERS, _error_rows(result.errors)))
            click.echo(f"共 {len(result.errors)} 处错误 ({len(result.errors)} errors)")
        else:
            click.echo("校验通过 No errors.")
    if result.errors:
        ctx.exit(1)


@cli.command(epilog="Example: orgnet load 高青台账.xlsx --skip-invalid --rejects 拒收.xlsx")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--skip-invalid", is_flag=True,
              help="Write the valid rows; put rejected rows with their reasons in a rejects workbook.")
@click.option("--replace", is_flag=True,
              help="Retire relationships an earlier load of the same file/sheet wrote that these files no longer have.")
@click.option("--rejects", type=click.Path(dir_okay=False), help="Rejects workbook (default rejects-<load>.xlsx).")
@click.option("--no-cases", is_flag=True, help="Do not update the rectification ledger (整改台账) after the load.")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]),
              help="Date the ledgers describe, e.g. a quarter's last day (default today).")
@click.pass_context
def load(ctx: click.Context, paths: tuple[str, ...], skip_invalid: bool, replace: bool, rejects: str | None,
         no_cases: bool, as_of) -> None:
    """Validate and load ledgers in one transaction: all or nothing unless --skip-invalid."""
    from graph.config import archive_dir
    from loaders.archive import LoadFailed
    from loaders.engine import LoadRefused, load as run_load

    principal = _principal(ctx)
    principal.require("load")
    store = _store(ctx)
    try:
        report = run_load(paths, store, skip_invalid=skip_invalid, replace=replace, archive=archive_dir(store),
                          rejects=Path(rejects) if rejects else None, progress=_progress(), user=principal.user,
                          as_of=as_of.date() if as_of else None)
    except LoadRefused as e:
        click.echo(_table(ERROR_HEADERS, _error_rows(e.validation.errors)))
        raise click.ClickException(str(e)) from None
    except LoadFailed as e:
        raise click.ClickException(e.message) from None
    _record(store, report)
    _access(ctx)[1].record("load", user=principal.user, role=principal.role, area=principal.area,
                           load=report.load_id, files=[Path(p).name for p in paths], rows=sum(report.written.values()),
                           rejected=report.rejected, source="cli")
    for note in report.skipped:
        click.echo(note)
    total = sum(report.written.values())
    click.echo(f"导入 {report.load_id}: 写入 {total:,} 条（节点与关系）用时 {report.seconds:.1f} 秒")
    for name, n in report.written.items():
        click.echo(f"  {name:<20} {n:>8,}")
    if report.unchanged:
        click.echo(f"其中 {report.unchanged:,} 条与数据库中的相同，未重写（只写入有变化的行）")
    if report.retired:
        click.echo(f"--replace 撤销了 {report.retired} 条不再出现的关系（作为历史保留，结束日期 {report.as_of}）")
    if report.rejected:
        click.echo(f"拒收 {report.rejected} 行（{len(report.errors)} 处错误），已写入 {report.rejects_file}")
    if not no_cases:
        _sync_cases(store, principal.user)


@cli.command(epilog="Example: orgnet rebuild --yes (to Neo4j: orgnet --db neo4j://… rebuild --from data/orgnet.kuzu)")
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
@click.option("--from", "source", metavar="PATH", help="Replay and copy in another database's archive (moving to Neo4j).")
@click.pass_context
def rebuild(ctx: click.Context, yes: bool, source: str | None) -> None:
    """Recreate the database from the archived ledgers (the system of record), replaying every load."""
    import datetime as dt
    import errno
    import shutil

    from graph.config import archive_dir
    from graph.store import StoreError
    from loaders.archive import LoadFailed, adopt, reconcile
    from loaders.engine import archived_loads, rebuild as run_rebuild

    principal = _principal(ctx)
    principal.require("rebuild")
    store = _store(ctx)
    archive = archive_dir(store)
    try:
        for note in reconcile(store, archive):
            click.echo(note)
    except StoreError:
        pass  # a damaged database cannot be asked; the log as it stands is what rebuild replays
    try:  # --from: the ledgers move with the data, so the new database can rebuild itself later
        yes = bool(source and adopt(Path(source), archive, None if yes else lambda m: click.confirm(m, abort=True))) or yes
    except LoadFailed as e:
        raise click.ClickException(e.message) from None
    loads = archived_loads(archive)
    if not loads:
        raise click.ClickException(f"no archived loads in {archive}: nothing to rebuild from")
    if not yes:
        click.confirm(f"Replace {store.location} with {len(loads)} loads replayed from {archive}?", abort=True)
    if store.backend == "kuzu":
        target = Path(store.location)
        fresh = target.with_name(target.name + ".rebuilding")

        def clear_fresh() -> None:
            for p in fresh.parent.glob(fresh.name + "*"):  # the file and its .wal/.owner companions
                shutil.rmtree(p) if p.is_dir() else p.unlink(missing_ok=True)

        clear_fresh()
        try:
            new = open_store(str(fresh))
            try:
                new.create_schema()
                reports = run_rebuild(new, archive, progress=_progress(), after_each=lambda r: _record(new, r))
            finally:
                new.close()
        except BaseException as e:
            clear_fresh()  # nothing half-built is left behind; the old database is untouched
            if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT):
                raise click.ClickException(f"重建时磁盘已满：已删除未完成的新库，原数据库未改动。请清理磁盘空间后重试 "
                                           f"({fresh.parent})") from None
            if isinstance(e, (StoreError, LoadFailed)):
                raise click.ClickException(f"重建失败，已删除未完成的新库，原数据库未改动：{e}") from None
            raise
        store.close()
        ctx.find_root().obj["store"] = None
        backup = target.with_name(target.name + dt.datetime.now().strftime(".bak-%Y%m%d%H%M%S"))
        if target.exists():
            shutil.move(target, backup)
            click.echo(f"old database kept as {backup}")
        shutil.move(fresh, target)
    else:
        store.clear()  # in batches: one transaction deleting a county needs as much memory as loading it
        store.create_schema()
        reports = run_rebuild(store, archive, progress=_progress(), after_each=lambda r: _record(store, r))
    _access(ctx)[1].record("rebuild", user=principal.user, role=principal.role, area=principal.area,
                           loads=len(reports), source="cli")
    click.echo(f"rebuilt {store.location} from {len(reports)} loads: {sum(sum(r.written.values()) for r in reports):,} "
               f"rows in {sum(r.seconds for r in reports):.1f} s")


@cli.command(epilog="Example: orgnet loads")
@click.pass_context
def loads(ctx: click.Context) -> None:
    """List the loads recorded in the database (newest first by the date their ledgers describe)."""
    from graph.config import archive_dir
    from loaders.archive import reconcile
    from queries import history
    from reports.export import display

    _principal(ctx).require("detail")
    store = _store(ctx)
    if not getattr(store, "read_only", False):
        for note in reconcile(store, archive_dir(store)):
            click.echo(note)

    rows = history.loads(store)[::-1]
    click.echo(_table(["导入 load", "数据截至 as of", "时间 started", "操作人", "方式", "秒", "文件 files"],
                      [[r["id"], r["as_of"], r["started"], r["user"], r["mode"], display("seconds", r["seconds"]), "、".join(r["files"])]
                       for r in rows]))


# --- rectification ledger and planners: orgnet_plans.py (registered below) -----------------------------
def _sync_cases(store, user: str):
    """After a load: open cases for new gaps, mark fixed what is gone, reopen what came back (recorded
    under the logged-in account that loaded)."""
    import orgnet_plans

    return orgnet_plans.sync_cases(store, _progress(), user=user)


# --- queries ------------------------------------------------------------------------------------------
def _params(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for p in pairs:
        key, sep, value = p.partition("=")
        if not sep:
            raise click.BadParameter(f"{p!r}: write parameters as key=value, e.g. -p radius_m=800")
        out[key.strip()] = value.strip()
    return out


def _emit(rows: list[dict], fmt: str, output: str | None, sheet: str, ctx: click.Context | None = None) -> None:
    from reports import export

    if ctx is not None and (fmt != "table" or output):
        p = _principal(ctx)
        _access(ctx)[1].record("export", user=p.user, role=p.role, area=p.area, what=sheet, rows=len(rows),
                               format=fmt, file=output, masked=p.masked, source="cli")

    if fmt == "table":
        if not rows:
            click.echo("（无结果 no rows）")
            return
        # as the pages show them: Chinese labels, local times, rounded figures, — for empty
        shown = export.readable(rows)
        cols = [c for c in rows[0] if c != "title_en"]  # the English title is for --format json/csv
        click.echo(_table([export.header(c) for c in cols] + [""], [[r.get(c) for c in cols] + [""] for r in shown]))
        click.echo(f"{len(rows)} 行 rows")
        return
    if fmt == "json":
        data = export.to_json(rows).encode("utf-8")
    elif fmt == "csv":
        data = export.to_csv(rows)
    else:
        data = export.to_xlsx(rows, sheet=sheet)
        output = output or f"{sheet}.xlsx"
    if output:
        Path(output).write_bytes(data)
        click.echo(f"wrote {len(rows)} rows to {output}")
    else:
        click.echo(data.decode("utf-8-sig"))


FORMATS = click.Choice(["table", "csv", "json", "xlsx"])


@cli.command(epilog="Example: orgnet gaps --rule R15 -p radius_m=800 --community 富明社区 --format xlsx")
@click.option("--rule", "rule_id", help="Rule id (R01…R16); without it, one line per rule.")
@click.option("--street", help="Only this street (id or name).")
@click.option("--community", help="Only this community (id or name).")
@click.option("--grid", help="Only this grid (id or name).")
@click.option("--by", type=click.Choice(["street", "community", "grid"]),
              help="Roll the rule up per street, community or grid instead of listing entities.")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE", help="Rule parameter, e.g. radius_m=800.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file.")
@click.pass_context
def gaps(ctx, rule_id, street, community, grid, by, params, fmt, output) -> None:
    """Coverage gaps: every entity that violates a rule, with where it is, or roll-ups per area."""
    scope = _scope(ctx)
    values = _params(params)
    if not rule_id:
        if by:
            raise click.UsageError("--by 需要与 --rule 一起使用：汇总是按规则做的 (--by needs --rule)")
        from queries.coverage import split_params

        rows = scope.summary(split_params(values), street=street, community=community, grid=grid)
        sheet = "覆盖规则"
    elif by:
        rows = scope.rollup(rule_id, values, by=by, street=street, community=community, grid=grid)
        sheet = f"{rule_id.upper()}-汇总"
    else:
        rows = scope.violations(rule_id, values, street=street, community=community, grid=grid)
        sheet = rule_id.upper()
    _emit(rows, fmt, output, sheet, ctx)


@cli.command(epilog="Example: orgnet links --household H-000001")
@click.option("--member", help="A member's id: the households they are linked to.")
@click.option("--household", help="A household's id: its whole chain of responsibility.")
@click.option("--organization", help="A co-building unit's id: its reported members and their households.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False))
@click.pass_context
def links(ctx, member, household, organization, fmt, output) -> None:
    """Member–household links (包联) and a household's chain of responsibility."""
    chosen = [(n, v) for n, v in (("member", member), ("household", household), ("organization", organization)) if v]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --member, --household, --organization")
    name, value = chosen[0]
    query = {"member": "member_households", "household": "household_chain",
             "organization": "unit_reported_members"}[name]
    _emit(_scope(ctx).named(query, {name: value}), fmt, output, query, ctx)


@cli.command(epilog="Example: orgnet query connection_path -p person=P-000001 -p household=H-001758")
@click.argument("name")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False))
@click.pass_context
def query(ctx, name, params, fmt, output) -> None:
    """Run a named query (see `orgnet queries`) with parameters."""
    from queries.registry import registry

    reg = registry()
    if name not in reg:
        raise click.UsageError(f"no named query {name!r}; `orgnet queries` lists them")
    _emit(_scope(ctx).named(name, _params(params)), fmt, output, name, ctx)


@cli.command(epilog="Example: orgnet queries")
def queries() -> None:
    """List the named queries with their parameters."""
    from queries.registry import registry

    rows = [[q.name, q.rule or "", q.kind, ", ".join(f"{p.name}={p.default!r}" for p in q.params), q.title]
            for q in registry().values() if not q.context]
    click.echo(_table(["名称 name", "规则", "类型", "参数 params", "标题 title"], rows))


@cli.command(epilog="Example: orgnet network --what orphans")
@click.option("--what", type=click.Choice(["bridges", "orphans", "chains"]), default="chains", show_default=True,
              help="bridges: units bridging communities; orphans: party orgs cut off from the tree; "
                   "chains: party-chain completeness per community.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False))
@click.pass_context
def network(ctx, what, fmt, output) -> None:
    """Network analysis with networkx on subgraphs of the store."""
    from analysis import network as analysis

    scope = _scope(ctx)
    scope.require("detail")
    if not scope.principal.county_wide:
        raise AccessDenied("网络分析涵盖全县，只对县级角色开放 (network analysis covers the county: county roles only)")
    fn = {"bridges": analysis.bridging_units, "orphans": analysis.orphan_orgs, "chains": analysis.chain_completeness}
    _emit(scope.mask(fn[what](scope.store), what=f"network:{what}"), fmt, output, what, ctx)


# --- accounts and the audit log (orgnet_users.py) ----------------------------------------------------
import orgnet_users  # noqa: E402  (registers its commands on this group)

orgnet_users.register(cli, sys.modules[__name__])


import orgnet_plans  # noqa: E402  (its commands use the helpers above)

orgnet_plans.register(cli, emit=_emit, progress=_progress,
                      error_table=lambda errors: _table(ERROR_HEADERS, _error_rows(errors)), scope=_scope)


# --- over time and on paper: stats, check-report, diff, brief (orgnet_reports.py) ---------------------
import orgnet_reports  # noqa: E402  (registers its commands on this group)

orgnet_reports.register(cli, sys.modules[__name__])


def main() -> None:
    cli(prog_name="orgnet")


if __name__ == "__main__":
    main()
