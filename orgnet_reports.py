"""The command line's reports over time and on paper: ``orgnet stats``, ``orgnet check-report``,
``orgnet diff`` and ``orgnet brief`` — a thin layer over ``reports.stats``, ``reports.checker``,
``queries.diff`` and ``reports.brief``. ``register(cli, orgnet)`` adds them to the ``orgnet`` group
(they use its store, principal and output helpers)."""
from __future__ import annotations

from pathlib import Path
from types import ModuleType

import click


def register(cli: click.Group, m: ModuleType) -> None:
    """Add the commands to ``cli``; ``m`` is the ``orgnet`` module (its ``_store``, ``_principal``…)."""
    @cli.command(epilog="Example: orgnet stats --community 富明社区 --format xlsx -o 统计表.xlsx")
    @click.option("--community", help="Only this community (id or name), beside the county.")
    @click.option("--format", "fmt", type=click.Choice(["table", "json", "xlsx"]), default="table", show_default=True)
    @click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file (xlsx: default 统计表.xlsx).")
    @click.pass_context
    def stats(ctx, community, fmt, output) -> None:
        """统计表: the figures work reports cite, for the county, each street and community, with their counting basis."""
        import json

        from reports import stats as report_stats

        scope = m._scope(ctx)
        if community:
            found = [r["id"] for r in m._store(ctx).query(
                "MATCH (c:Community) WHERE c.id = $c OR c.name = $c RETURN c.id AS id", {"c": community})]
            if found:
                scope.check_entity("Community", found[0])
        elif scope.area is not None:
            raise click.ClickException("请用 --community 指定您管辖的社区 (name your community with --community)")
        table = report_stats.statistics(m._store(ctx), community=community)
        if fmt == "xlsx":
            output = output or "统计表.xlsx"
            Path(output).write_bytes(report_stats.to_xlsx(table))
            click.echo(f"wrote {len(table)} figures to {output}")
        elif fmt == "json":
            data = json.dumps([{k: v for k, v in r.items() if k != "ids"} for r in table], ensure_ascii=False, indent=1,
                              default=str)
            Path(output).write_text(data, encoding="utf-8") if output else click.echo(data)
        else:
            rows = report_stats.flat(table)
            cols = list(rows[0]) if rows else []
            click.echo(m._table(cols, [[r[c] for c in cols] for r in rows]))


    @cli.command("check-report", epilog="Example: orgnet check-report 工作报告.docx --format json")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
    @click.option("--all", "show_all", is_flag=True, help="Also list the claims that could not be mapped.")
    @click.pass_context
    def check_report(ctx, path, fmt, show_all) -> None:
        """Check the figures a draft report (.docx or .txt) claims against the graph, claim by claim.

        Exit code 1 when a claimed figure differs from the graph."""
        import json

        from reports import checker

        claims = checker.check(checker.read_text(path, Path(path).read_bytes()), m._store(ctx))
        counts = checker.summary(claims)
        if fmt == "json":
            click.echo(json.dumps({"summary": counts, "claims": claims}, ensure_ascii=False, indent=1, default=str))
        else:
            shown = [c for c in claims if show_all or c["status"] != "unmapped"]
            status = {"agree": "一致", "differ": "不一致", "unmapped": "未对应"}
            click.echo(m._table(["结论", "原文", "统计项", "区域", "图谱", "差", "说明 / 句子"],
                              [[status[c["status"]], c["text"], c["figure"] or "", c["area"] or "", c["graph"],
                                c["difference"] if c["difference"] is not None else "",
                                c["reason"] or c["sentence"][:40]] for c in shown]))
            click.echo(f"一致 {counts['agree']} 处，不一致 {counts['differ']} 处，未能对应 {counts['unmapped']} 处"
                       + ("" if show_all else "（--all 列出未对应的数字及原因）"))
        if counts["differ"]:
            ctx.exit(1)


    @cli.command(epilog="Example: orgnet diff -2 -1 --format json")
    @click.argument("load_a", required=False)
    @click.argument("load_b", required=False)
    @click.option("--format", "fmt", type=m.FORMATS, default="table", show_default=True)
    @click.option("--output", "-o", type=click.Path(dir_okay=False))
    @click.pass_context
    def diff(ctx, load_a, load_b, fmt, output) -> None:
        """What changed between two loads (default: the one before the latest, and the latest), each line with
        the ledger file, sheet and row responsible. Loads by id, id prefix, or position (-1 latest, -2 before)."""
        from graph.config import archive_dir
        from queries import diff as load_diff

        p = m._principal(ctx)
        p.require("detail")
        if not p.county_wide:
            raise click.ClickException("两次导入之间的逐条变化涉及全县的对象和人员，仅县级角色可用 (county-wide roles only)")
        scope = m._scope(ctx)
        try:
            lines = load_diff.diff(scope.store, archive_dir(scope.store), load_a, load_b)
        except ValueError as e:
            raise click.ClickException(str(e)) from None
        lines = scope.mask_properties(lines, what="diff")
        cols = ("change", "what", "id", "detail", "old_value", "new_value", "file", "sheet", "row", "ended_on")
        rows = [{"change_kind": load_diff.KINDS[line["kind"]],
                 **{c: line.get({"old_value": "before", "new_value": "after"}.get(c, c)) for c in cols}} for line in lines]
        for r in rows:
            r["change"] = load_diff.CHANGES[r["change"]]
        if fmt == "table":
            for r in load_diff.summary(lines):
                click.echo(f"  {load_diff.KINDS[r['kind']]} {load_diff.CHANGES[r['change']]} {r['what']}: {r['count']}")
        m._emit(rows, fmt, output, "diff")


    @cli.command(epilog="Example: orgnet brief --community 富明社区 -o 富明社区简报.pdf")
    @click.option("--community", required=True, help="The community (id or name).")
    @click.option("--output", "-o", type=click.Path(dir_okay=False), required=True,
                  help="FILE.pdf (fonts embedded) or FILE.docx (for offices that edit it).")
    @click.pass_context
    def brief(ctx, community, output) -> None:
        """A printable brief for one community: key figures, rules with changes since the last load, top gaps
        with how to fix them, a map picture and a trend chart."""
        from reports import brief as community_brief

        suffix = Path(output).suffix.lower()
        if suffix not in (".pdf", ".docx"):
            raise click.BadParameter("write FILE.pdf or FILE.docx", param_hint="--output")
        scope = m._scope(ctx)
        data = community_brief.brief_data(scope, community)  # refuses a community outside the area
        Path(output).write_bytes(community_brief.to_pdf(data) if suffix == ".pdf" else community_brief.to_docx(data))
        scope.audit_export(f"brief:{data['community_id']}:{Path(output).name}", len(data["gaps"]) + len(data["cases"]),
                           suffix[1:])
        click.echo(f"wrote {output} ({data['community']}, 数据截至 {data['as_of'] or '—'})")
