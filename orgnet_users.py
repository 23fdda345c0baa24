"""``orgnet users …`` and ``orgnet audit``: accounts and the audit trail on the command line.

``orgnet.py`` registers them with ``register(cli, orgnet_module)``; they use its helpers (the login,
the account book and audit log of the database, the store, table and file output).
"""
from __future__ import annotations

import os

import click

from access.roles import AccessDenied


def register(cli: click.Group, o) -> None:
    """Add the ``users`` group and the ``audit`` command to ``cli``; ``o`` is the ``orgnet`` module."""
    @cli.group(epilog="Example: orgnet users add zhang --role admin")
    def users() -> None:
        """Accounts: add, list, disable/enable, change a password or a role (administrators only).

        The very first account is created without logging in and must be an administrator; after
        that every change needs `orgnet --user ADMIN users …`.
        """


    def _admin(ctx: click.Context):
        p = o._principal(ctx)
        _require_users(ctx, p)
        return p


    def _require_users(ctx: click.Context, p) -> None:
        """Refuse a non-administrator, and record the refusal (who tried to change accounts)."""
        try:
            p.require("users")
        except AccessDenied as e:
            _audit_user(ctx, "denied", p, perm="users", command=ctx.info_name, reason=str(e))
            raise


    def _new_password(name: str) -> str:
        return os.environ.get("ORGNET_NEW_PASSWORD") or click.prompt(
            f"{name} 的新密码 new password", hide_input=True, confirmation_prompt=True, err=True)


    def _audit_user(ctx: click.Context, event: str, actor, **detail) -> None:
        o._access(ctx)[1].record(event, user=actor.user, role=actor.role, area=actor.area, source="cli", **detail)


    @users.command("add", epilog="Example: orgnet --user admin users add wang --role community --area C-001")
    @click.argument("name")
    @click.option("--role", "role_name", required=True,
                  type=click.Choice(["admin", "analyst", "street", "community", "grid", "viewer"]))
    @click.option("--area", help="Street, community or grid id for the street/community/grid roles.")
    @click.option("--email", help="The identity provider's e-mail for single sign-on (optional).")
    @click.pass_context
    def users_add(ctx, name, role_name, area, email) -> None:
        """Create an account; the password is asked twice (or ORGNET_NEW_PASSWORD)."""
        accounts, audit = o._access(ctx)
        if accounts.exists():
            actor = _admin(ctx)
        elif role_name != "admin":
            raise click.ClickException("第一个账户必须是管理员：orgnet users add NAME --role admin "
                                       "(the first account must be an administrator)")
        else:
            import getpass
            from access.roles import Principal

            actor = Principal(f"local:{getpass.getuser()}", "admin")
        if area and role_name in ("street", "community", "grid"):
            store = o._store(ctx)
            label = {"street": "Street", "community": "Community", "grid": "Grid"}[role_name]
            if not store.query(f"MATCH (n:{label} {{id: $id}}) RETURN n.id AS id", {"id": area}):
                raise click.ClickException(f"没有编号为 {area} 的{ {'Street': '街道', 'Community': '社区', 'Grid': '网格'}[label]}"
                                           f" (no {label} {area}); `orgnet gaps --by {role_name}` lists them")
        account = accounts.add(name, _new_password(name), role_name, area=area, email=email)
        _audit_user(ctx, "user_add", actor, account=name, new_role=role_name, new_area=area)
        click.echo(f"已创建账户 {account.name}（{account.role}{' · ' + account.area if account.area else ''}）")


    @users.command("list", epilog="Example: orgnet --user admin users list")
    @click.pass_context
    def users_list(ctx) -> None:
        """Every account with its role, area and last login."""
        accounts, _ = o._access(ctx)
        if accounts.exists():
            _admin(ctx)
        rows = [[a.name, a.role, a.area or "", a.email or "", "停用" if a.disabled else "", a.last_login or "", a.created_at]
                for a in accounts.list()]
        click.echo(o._table(["账户 name", "角色 role", "区域 area", "邮箱 e-mail", "状态", "最近登录", "创建 created"], rows))


    @users.command("disable", epilog="Example: orgnet --user admin users disable wang")
    @click.argument("name")
    @click.option("--enable", is_flag=True, help="Enable the account again instead.")
    @click.pass_context
    def users_disable(ctx, name, enable) -> None:
        """Disable (or --enable) an account; it cannot log in while disabled."""
        actor = _admin(ctx)
        if not enable and name == actor.user:
            raise click.ClickException("不能停用自己的账户 (you cannot disable your own account)")
        o._access(ctx)[0].set_disabled(name, not enable)
        _audit_user(ctx, "user_enable" if enable else "user_disable", actor, account=name)
        click.echo(f"{name}: {'已启用 enabled' if enable else '已停用 disabled'}")


    @users.command("passwd", epilog="Example: orgnet --user admin users passwd wang")
    @click.argument("name")
    @click.pass_context
    def users_passwd(ctx, name) -> None:
        """Set an account's password (an administrator for anyone; anyone for themselves)."""
        actor = o._principal(ctx)
        if actor.user != name:
            _require_users(ctx, actor)
        o._access(ctx)[0].set_password(name, _new_password(name))
        _audit_user(ctx, "user_passwd", actor, account=name)
        click.echo(f"{name}: 密码已更新 password changed")


    @users.command("role", epilog="Example: orgnet --user admin users role wang grid --area G-0001")
    @click.argument("name")
    @click.argument("role_name", type=click.Choice(["admin", "analyst", "street", "community", "grid", "viewer"]))
    @click.option("--area", help="Street, community or grid id for the street/community/grid roles.")
    @click.pass_context
    def users_role(ctx, name, role_name, area) -> None:
        """Change an account's role (and area)."""
        actor = _admin(ctx)
        if name == actor.user and role_name != "admin":
            raise click.ClickException("不能撤销自己的管理员角色 (you cannot demote yourself)")
        account = o._access(ctx)[0].set_role(name, role_name, area)
        _audit_user(ctx, "user_role", actor, account=name, new_role=role_name, new_area=area)
        click.echo(f"{account.name}: {account.role}{' · ' + account.area if account.area else ''}")


    @cli.command("audit", epilog="Example: orgnet --user admin audit --event download --format csv -o audit.csv")
    @click.option("--event", help="Only this event (login, login_failed, unmask, download, export, load, console…).")
    @click.option("--who", help="Only this account.")
    @click.option("--since", help="Only from this UTC time on, e.g. 2026-11-01.")
    @click.option("--limit", type=int, default=200, show_default=True, help="The newest N records (0: all).")
    @click.option("--format", "fmt", type=o.FORMATS, default="table", show_default=True)
    @click.option("--output", "-o", type=click.Path(dir_okay=False))
    @click.pass_context
    def audit(ctx, event, who, since, limit, fmt, output) -> None:
        """Read the audit trail (administrators): logins, unmasking, downloads, loads, console statements."""
        from access.audit import verify_chain

        _admin(ctx)
        log = o._access(ctx)[1]
        import json

        core = ("time", "event", "user", "role", "area")
        rows = [{**{k: r.get(k) for k in core},
                 "detail": json.dumps({k: v for k, v in r.items() if k not in core and k != "prev"}, ensure_ascii=False)}
                for r in log.read(event=event, user=who, since=since, limit=limit or None)]
        if not verify_chain(log.path):
            click.echo("警告：审计日志的哈希链断了，有记录被改动或删除 (warning: the audit chain is broken)", err=True)
        o._emit(rows, fmt, output, "audit", ctx)
