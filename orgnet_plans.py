"""The CLI's rectification-ledger and planner commands (`orgnet cases …`, `orgnet plan …`).

``orgnet.py`` registers them with ``register(cli, …)``, handing over its helpers (output, progress,
the error table, the logged-in scope), so this module imports nothing from ``orgnet``.
"""
from __future__ import annotations

from pathlib import Path

import click


def sync_cases(store, progress=None, user: str | None = None):
    """After a load: open cases for new gaps, mark fixed what is gone, reopen what came back; the
    ledger load this writes is recorded under ``user`` (the logged-in account)."""
    from cases import ledger
    from graph.config import archive_dir

    report = ledger.sync(store, archive=archive_dir(store), progress=progress, user=user)
    click.echo(report.line())
    return report


def register(cli: click.Group, *, emit, progress, error_table, scope) -> None:
    """Add the ``cases`` and ``plan`` command groups to ``cli``; ``scope(ctx)`` logs in and gives the
    principal's ``queries.scope.Scope``."""
    _emit, _progress, _scope = emit, progress, scope

    CASE_FORMATS = click.Choice(["table", "json", "xlsx"])


    @cli.group(invoke_without_command=True,
               epilog="Example: orgnet cases --community 富和社区 --status 待整改 | orgnet cases --format xlsx -o 整改.xlsx | "
                      "orgnet cases close ZG-R08-H-000123 --checker 王芳")
    @click.option("--community", help="Only this community (id or name).")
    @click.option("--status", type=click.Choice(["待整改", "整改中", "已整改待核验", "已销号", "不适用"]), help="Only this status.")
    @click.option("--overdue", is_flag=True, help="Only open cases past their deadline.")
    @click.option("--by-community", is_flag=True, help="Open / overdue / awaiting-check counts per community instead.")
    @click.option("--format", "fmt", type=CASE_FORMATS, default="table", show_default=True,
                  help="xlsx writes the community task list (整改任务清单) that is filled in and returned.")
    @click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file.")
    @click.option("--unmask", is_flag=True, help="Show people's names unmasked (for users allowed to see them).")
    @click.pass_context
    def cases(ctx, community, status, overdue, by_community, fmt, output, unmask) -> None:
        """The rectification ledger (整改台账): every gap as a case with owner, deadline and status.

        A load opens cases for new gaps and marks fixed (已整改待核验) those it no longer shows; a
        community returns its task list with `orgnet load 任务清单.xlsx`; `orgnet cases close` closes (销号).
        """
        if ctx.invoked_subcommand:
            return
        import json

        from cases import ledger, tasklist

        sc = _scope(ctx)
        if community:  # outside the role's area: refused, not an empty list
            sc.check_areas(community=community)
        try:
            rows = ledger.cases(sc.store, community=community, status=status)
        except ledger.CaseError as e:
            raise click.ClickException(str(e)) from None
        rows = [r for r in rows if sc.allows(r["entity_label"], r["entity_id"])]  # staff: their area's cases
        if overdue:
            rows = [r for r in rows if r["overdue"]]
        if by_community:
            _emit(ledger.per_community(rows), "json" if fmt == "json" else "table", output, "整改-社区")
            return
        sc.require("detail")
        shown = tasklist.masked(sc, rows, what="cases:cli")
        if fmt == "xlsx":
            path = Path(output or f"整改任务清单{('-' + community) if community else ''}.xlsx")
            path.write_bytes(tasklist.task_list_xlsx(shown))
            sc.audit_export(path.name, len(shown), "xlsx")
            click.echo(f"wrote {len(rows)} cases to {path}")
        elif fmt == "json":
            data = json.dumps(shown, ensure_ascii=False, indent=2, default=str)
            if output:
                Path(output).write_text(data, encoding="utf-8")
                sc.audit_export(Path(output).name, len(shown), "json")
                click.echo(f"wrote {len(rows)} cases to {output}")
            else:
                click.echo(data)
        else:
            cols = ["id", "status", "overdue", "deadline", "community", "grid", "entity_name", "problem", "owner_name"]
            _emit([{c: r[c] for c in cols} for r in shown], "table", None, "整改台账")


    @cases.command("sync", epilog="Example: orgnet cases sync")
    @click.pass_context
    def cases_sync(ctx) -> None:
        """Bring the cases in step with the data now (a load does this by itself)."""
        sc = _scope(ctx)
        sc.require("load")  # it writes the ledger, as a load does
        sync_cases(sc.store, _progress(), user=sc.principal.user)


    @cases.command("close", epilog="Example: orgnet cases close ZG-R08-H-000123 ZG-R03A-B-00009 --checker 王芳")
    @click.argument("ids", nargs=-1, required=True)
    @click.option("--checker", required=True, help="Who checked the fix (核验人).")
    @click.option("--force", is_flag=True, help="Close even though the data still shows the gap (checked on site).")
    @click.pass_context
    def cases_close(ctx, ids, checker, force) -> None:
        """销号: close cases whose gap the latest load no longer shows."""
        from cases import ledger
        from graph.config import archive_dir

        sc = _scope(ctx)
        sc.require("detail")
        store = sc.store
        if sc.area is not None:  # staff close their own area's cases only
            known = {r["id"]: r for r in ledger.cases(store)}
            for i in ids:
                if i in known:
                    sc.check_entity(known[i]["entity_label"], known[i]["entity_id"])
        try:
            load_id = ledger.close(store, list(ids), checker=checker, archive=archive_dir(store), force=force,
                                   user=sc.principal.user)
        except ledger.CaseError as e:
            raise click.ClickException(str(e)) from None
        click.echo(f"已销号 {len(ids)} 件 ({load_id})")


    # --- planners -----------------------------------------------------------------------------------------
    @cli.group(epilog="Example: orgnet plan links -o 包联建议.xlsx | orgnet plan sites -p 3 --curve 8 | orgnet plan workers")
    def plan() -> None:
        """Planners that propose fixes: 包联 links, new service sites, grid staffing."""


    def _planner(ctx):
        """Log in and check the planners may run for this account: they read the whole county's members,
        households and sites, so only county-wide roles with detail access (as on the 规划 page)."""
        sc = _scope(ctx)
        if not (sc.principal.may("detail") and sc.principal.county_wide):
            raise sc.refuse(f"{sc.principal.user}：规划需要县级明细权限（管理员或县级分析员）。"
                           "(planning needs county-wide detail access: administrator or analyst)", perm="plan")
        return sc


    def _plan_out(summary: dict, fmt: str, rows: list[dict], sheet: str) -> None:
        import json

        if fmt == "json":
            click.echo(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
        else:
            _emit(rows, "table", None, sheet)


    @plan.command("links", epilog="Example: orgnet plan links -o 包联建议.xlsx && orgnet validate 包联建议.xlsx")
    @click.option("--min-links", type=int, help="R09 minimum per member (default: the rule's).")
    @click.option("--max-links", type=int, help="R09 maximum per member (default: the rule's).")
    @click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
    @click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the plan as a 包联 ledger (.xlsx).")
    @click.pass_context
    def plan_links_cmd(ctx, min_links, max_links, fmt, output) -> None:
        """包联 suggestions (min-cost flow): members with spare capacity → households no member looks after."""
        from analysis.links_plan import plan_links

        sc = _planner(ctx)
        try:
            result = plan_links(sc.store, min_links=min_links, max_links=max_links, progress=_progress())
        except ValueError as e:
            raise click.ClickException(str(e)) from None
        if output:
            Path(output).write_bytes(result.ledger_xlsx())
            sc.audit_export(Path(output).name, len(result.links), "xlsx")
            click.echo(f"wrote {len(result.links)} links to {output} (包联 ledger: `orgnet validate {output}`)", err=fmt == "json")
        summary = {**result.summary(), "residue": result.residue, "links_file": output}
        _plan_out(summary, fmt, [{"rule": r, "before": result.before[r], "after": len(v)} for r, v in result.residue.items()],
                  "包联建议")


    @plan.command("sites", epilog="Example: orgnet plan sites -p 3 --curve 8 --radius 800 -o 新阵地.xlsx")
    @click.option("-p", "count", type=int, default=3, show_default=True, help="How many new sites.")
    @click.option("--radius", type=float, help="Service radius in metres (default: R15's).")
    @click.option("--curve", type=int, help="Also solve for 0…N new sites (coverage against p).")
    @click.option("--candidates", type=click.Path(exists=True, dir_okay=False),
                  help="A 服务阵地 ledger of candidate sites (default: every building's location).")
    @click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
    @click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the chosen sites as a 服务阵地 ledger (.xlsx).")
    @click.pass_context
    def plan_sites_cmd(ctx, count, radius, curve, candidates, fmt, output) -> None:
        """Where to put new service sites: maximal covering location (exact MILP), existing sites kept."""
        from analysis import sites
        from loaders.engine import LoadRefused

        sc = _planner(ctx)
        store = sc.store
        try:
            cands = sites.read_candidates(candidates, store) if candidates else None
            result = sites.plan_sites(store, count, radius_m=radius, candidates=cands, curve_to=curve, progress=_progress())
        except LoadRefused as e:
            click.echo(error_table(e.validation.errors))
            raise click.ClickException(str(e)) from None
        except ValueError as e:
            raise click.ClickException(str(e)) from None
        if output:
            Path(output).write_bytes(result.ledger_xlsx())
            sc.audit_export(Path(output).name, len(result.solution.chosen), "xlsx")
            click.echo(f"wrote {len(result.solution.chosen)} sites to {output} (服务阵地 ledger)", err=fmt == "json")
        summary = result.summary()
        summary["r15_after"] = len(sites.what_if(store, result.solution.chosen, radius_m=result.radius_m))
        summary["r15_before"] = len(sites.what_if(store, [], radius_m=result.radius_m))
        _plan_out(summary, fmt, result.curve, "选址")
        if fmt == "table":
            click.echo(f"R15 楼栋缺口：{summary['r15_before']} → {summary['r15_after']}；新增覆盖 {result.solution.covered} 户")
        if result.note():
            click.echo(result.note(), err=fmt == "json")


    @plan.command("workers", epilog="Example: orgnet plan workers --format json")
    @click.option("--max-households", type=int, help="Households per full-time worker (default: R05A's).")
    @click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
    @click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write grids and moves to an .xlsx.")
    @click.pass_context
    def plan_workers_cmd(ctx, max_households, fmt, output) -> None:
        """Grid staffing (R05A/R05B): full-time workers short per grid, buildings that could move grids."""
        from analysis.workers import plan_workers
        from reports import export

        sc = _planner(ctx)
        try:
            result = plan_workers(sc.store, max_households=max_households)
        except ValueError as e:
            raise click.ClickException(str(e)) from None
        if output:
            short = [g for g in result["grids"] if g["short"]]
            Path(output).write_bytes(export.to_xlsx(short, sheet="网格员缺口"))
            sc.audit_export(Path(output).name, len(short), "xlsx")
            click.echo(f"wrote {output}", err=fmt == "json")
        if fmt == "json":
            import json

            click.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))
            return
        _emit([g for g in result["grids"] if g["short"]], "table", None, "网格员缺口")
        if result["moves"]:
            _emit(result["moves"], "table", None, "楼栋调整")
        click.echo(f"缺专职网格员 {result['summary']['workers_short']} 名；调整 {result['summary']['moves']} 栋楼后缺 "
                   f"{result['summary']['workers_short_after_moves']} 名")
