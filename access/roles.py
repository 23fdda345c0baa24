"""Roles, what each may do, and the principal (who is asking) that every query is run for.

=============  =============================================================================
role           may
=============  =============================================================================
``admin``      everything below, plus manage accounts, load ledgers, rebuild, read the audit log
``analyst``    county analyst: the whole county, detail lists, the Cypher console, unmask
``street``     street (乡镇) staff: detail lists of their street only, masked
``community``  community staff: their community only, masked
``grid``       grid staff: their grid only, masked
``viewer``     the whole county's aggregates (coverage %, roll-ups); no entity lists, no personal data
=============  =============================================================================

Examples
--------
>>> p = Principal("wang", "community", area="C01")
>>> p.may("detail"), p.may("unmask"), p.county_wide, p.masked
(True, False, False, True)
>>> Principal("li", "analyst", unmask=True).masked
False
"""
from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Role:
    name: str
    zh: str
    en: str
    perms: frozenset[str]
    #: the area level its accounts are bound to (None: the whole county)
    level: str | None = None


ROLES: dict[str, Role] = {r.name: r for r in (
    Role("admin", "管理员", "Administrator",
         frozenset({"users", "load", "rebuild", "audit", "console", "unmask", "detail"})),
    Role("analyst", "县级分析员", "County analyst", frozenset({"console", "unmask", "detail"})),
    Role("street", "街道（乡镇）工作人员", "Street staff", frozenset({"detail"}), "street"),
    Role("community", "社区工作人员", "Community staff", frozenset({"detail"}), "community"),
    Role("grid", "网格工作人员", "Grid staff", frozenset({"detail"}), "grid"),
    Role("viewer", "只读浏览", "Viewer (aggregates only)", frozenset()),
)}
#: what each permission means, for error messages
PERMS = {
    "users": ("管理账户", "manage accounts"), "load": ("导入台账", "load ledgers"),
    "rebuild": ("重建数据库", "rebuild the database"), "audit": ("查看审计日志", "read the audit log"),
    "console": ("使用 Cypher 控制台", "use the Cypher console"), "unmask": ("查看完整个人信息", "unmask personal data"),
    "detail": ("查看明细", "see entity lists and people"),
}


class AccessDenied(PermissionError):
    """The principal's role or area does not allow this; the message says which and why (Chinese first)."""


def role(name: str) -> Role:
    try:
        return ROLES[name]
    except KeyError:
        raise ValueError(f"未知角色 {name!r}；可选：{', '.join(ROLES)} (unknown role)") from None


@dataclass(frozen=True)
class Principal:
    """Who a query runs for: account name, role, area id (street/community/grid roles), and whether
    they asked to see personal data unmasked (only honoured for roles that may)."""

    user: str
    role: str
    area: str | None = None
    unmask: bool = False

    def __post_init__(self) -> None:
        r = role(self.role)
        if r.level and not self.area:
            raise ValueError(f"角色 {self.role} 需要指定所辖区域 (--area) (role {self.role} needs an area)")

    @property
    def level(self) -> str | None:
        return ROLES[self.role].level

    @property
    def county_wide(self) -> bool:
        return ROLES[self.role].level is None

    def may(self, perm: str) -> bool:
        return perm in ROLES[self.role].perms

    @property
    def masked(self) -> bool:
        return not (self.unmask and self.may("unmask"))

    def require(self, perm: str) -> None:
        if not self.may(perm):
            zh, en = PERMS.get(perm, (perm, perm))
            raise AccessDenied(f"{self.user}（{ROLES[self.role].zh}）无权{zh}。"
                               f"(role {self.role} may not {en}; ask an administrator)")

    def with_unmask(self, unmask: bool) -> "Principal":
        return replace(self, unmask=unmask)

    def describe(self) -> str:
        r = ROLES[self.role]
        return f"{self.user} · {r.zh}" + (f" · {self.area}" if self.area else "")
