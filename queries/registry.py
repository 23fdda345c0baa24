"""Named queries: one ``.cypher`` file each in ``queries/``, described by its header comment.

A named query is configuration, not code. Its header gives the title (中文 | English), a
description, the result kind (table, graph, map, value), the entity it returns for coverage
rules and context queries, the rule id and seed report for a coverage rule, and one line per
parameter with its default::

    // title: 楼栋不在15分钟服务圈内 | Building outside every service site's 15-minute circle
    // description: …
    // kind: map
    // entity: Building
    // rule: R15
    // seed: 001/003 15分钟党群服务圈
    // param: radius_m = 1000 | 服务半径（米）

Values only ever reach Cypher as ``$parameters``; the body may hold ``//@neo4j`` / ``//@kuzu``
blocks where the dialects have no common form (``graph.dialect``).

Examples
--------
>>> reg = registry()
>>> q = reg["r15_building_outside_service_circle"]
>>> q.rule, q.entity, q.params[0].name, q.params[0].default
('R15', 'Building', 'radius_m', 1000)
>>> q.bind({"radius_m": "800"})
{'radius_m': 800}
"""
from __future__ import annotations

import math

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from graph.dialect import for_backend, parameters
from graph.store import GraphStore, Row

QUERIES_DIR = Path(__file__).resolve().parent
KINDS = ("table", "graph", "map", "value")
_HEADER = re.compile(r"^//\s*([a-z_]+):\s*(.*)$")
_AREA_PARAM = re.compile(r"\$area_([A-Z][A-Za-z]*)\b")


class QueryDefinitionError(ValueError):
    """A .cypher file whose header is malformed; names the file and line."""


class ParameterError(ValueError):
    """A query, rule or parameter name that does not exist; the message lists the valid ones."""


@dataclass(frozen=True)
class Param:
    name: str
    default: Any
    #: "中文" or "中文 | English"
    description: str

    def label(self, lang: str = "zh") -> str:
        """The parameter's label in the user's language: its Chinese or English description, else
        its name in words."""
        zh, _, en = self.description.partition("|")
        if lang == "zh":
            return zh.strip() or self.name
        return en.strip() or PARAM_EN.get(self.name) or self.name.replace("_", " ").capitalize()

    def number_range(self) -> dict[str, Any]:
        """``min_value`` and ``max_value`` for a form's number input, typed like the default ({} if none)."""
        limits = PARAM_LIMITS.get(self.name)
        if not limits or isinstance(limits[0], str) or isinstance(self.default, bool):
            return {}
        cast = type(self.default)
        return {"min_value": cast(limits[0]), "max_value": cast(limits[1])}

    @property
    def choices(self) -> tuple[str, ...] | None:
        """The words a text parameter may be, when it may be only some."""
        limits = PARAM_LIMITS.get(self.name)
        return limits if limits and isinstance(limits[0], str) else None

    def coerce(self, value: Any) -> Any:
        """Form values arrive as text: give them the default's type, within ``PARAM_LIMITS``.

        Raises ``ParameterError`` (in Chinese, naming the parameter) for text that is not a number,
        a fraction where a whole number is meant, ``inf``/``nan``, or a value outside its range or
        choices: a radius of -5 m or a worker load of 0 households would answer nonsense."""
        limits = PARAM_LIMITS.get(self.name)
        if value is None or isinstance(self.default, str) or self.default is None:
            if isinstance(limits, tuple) and isinstance(limits[0], str) and value not in limits:
                raise ParameterError(f"参数 {self.name}（{self.label()}）不能是“{value}”：可选 {' / '.join(limits)}")
            return value
        if isinstance(self.default, bool):
            return value if isinstance(value, bool) else str(value).strip().lower() in ("1", "true", "yes", "是")
        if not isinstance(self.default, (int, float)):
            return value
        try:
            number = float(str(value).strip().replace(",", "").replace("，", ""))
        except ValueError:
            raise ParameterError(f"参数 {self.name}（{self.label()}）应为数字，收到“{value}”") from None
        if not math.isfinite(number):
            raise ParameterError(f"参数 {self.name}（{self.label()}）应为有限的数字，收到“{value}”")
        if isinstance(self.default, int):
            if number != int(number):
                raise ParameterError(f"参数 {self.name}（{self.label()}）应为整数，收到“{value}”")
            number = int(number)
        if limits is not None and not limits[0] <= number <= limits[1]:
            raise ParameterError(f"参数 {self.name}（{self.label()}）应在 {limits[0]:,}–{limits[1]:,} 之间，收到 {value}")
        return number


#: what each parameter may be: (lowest, highest) for numbers, the allowed words for text
PARAM_LIMITS: dict[str, tuple] = {
    "radius_m": (1, 100_000), "max_households": (1, 100_000), "min_households": (1, 10_000_000),
    "min_links": (0, 1_000), "max_links": (0, 1_000), "limit": (1, 10_000), "max_hops": (1, 8),
    "level": ("county", "street", "community", "grid"),
}


#: English labels of the parameters whose header gives only Chinese
PARAM_EN = {"radius_m": "Service radius (m)", "max_households": "Households per full-time grid worker, at most",
            "min_households": "Households from which a compound needs a branch", "min_links": "Links per member, at least",
            "max_links": "Links per member, at most", "household": "Household id", "member": "Member id",
            "person": "Person id", "organization": "Unit id", "q": "Search words", "limit": "At most, per kind",
            "max_hops": "Hops, at most (8 or fewer)"}


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title_zh: str
    title_en: str
    description: str
    kind: str
    params: tuple[Param, ...]
    body: str
    path: Path
    entity: str | None = None
    rule: str | None = None
    seed: str = ""
    context: bool = False
    #: which parameters and result columns are entity ids, for area scoping (``queries.scope``):
    #: ((name, Label or @column), …); None when the header has no ``// area:`` line
    area: tuple[tuple[str, str], ...] | None = None
    description_en: str = ""

    def describe(self, lang: str = "zh") -> str:
        """The description in the user's language (English: ``// description_en:``, else the title)."""
        if lang == "zh":
            return self.description
        return self.description_en or self.title_en

    @property
    def title(self) -> str:
        return f"{self.title_zh} {self.title_en}"

    @property
    def area_labels(self) -> tuple[str, ...]:
        """Labels whose in-area ids the query filters by itself (``$area_Person`` …), so that its
        LIMIT counts only rows of the caller's area (``queries.scope`` fills them)."""
        return tuple(dict.fromkeys(_AREA_PARAM.findall(self.body)))

    def cypher(self, backend: str) -> str:
        return for_backend(self.body, backend)

    def bind(self, values: dict[str, Any] | None = None) -> dict[str, Any]:
        """Defaults overridden by ``values``; unknown names are refused (a typo would silently do nothing)."""
        values = dict(values or {})
        known = {p.name for p in self.params}
        unknown = set(values) - known
        if unknown:
            raise ParameterError(f"{self.name} has no parameter {', '.join(sorted(unknown))}; "
                           f"parameters: {', '.join(sorted(known)) or 'none'}")
        bound = {p.name: p.coerce(values.get(p.name, p.default)) for p in self.params}
        if bound.get("rule"):  # a rule filter naming no rule would answer "no rows"
            rules = sorted(q.rule for q in registry().values() if q.rule)
            bound["rule"] = str(bound["rule"]).strip().upper()
            if bound["rule"] not in rules:
                raise ParameterError(f"没有规则“{values.get('rule')}”：规则有 {', '.join(rules)}")
        return bound

    def run(self, store: GraphStore, values: dict[str, Any] | None = None, **extra: Any) -> list[Row]:
        """Run on any store; ``extra`` passes parameters that are not user-facing (e.g. ``ids``).

        ``$unmasked`` (true when the caller may see personal data) defaults to false; ``$scoped`` (the
        caller is confined to an area) to false and each ``$area_<Label>`` (the ids of that label in the
        area, see ``area_labels``) to an empty list.
        """
        if "$unmasked" in self.body:
            extra.setdefault("unmasked", False)
        for label in self.area_labels:
            extra.setdefault(f"area_{label}", [])
        if self.area_labels:
            extra.setdefault("scoped", False)
        return store.query(self.body, {**self.bind(values), **extra})


def _literal(text: str) -> Any:
    text = text.strip()
    if text in ("true", "false"):
        return text == "true"
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text.strip("'\"")


def parse(path: Path) -> NamedQuery:
    """Read one .cypher file: header comment lines, then the body."""
    header: dict[str, str] = {}
    params: list[Param] = []
    body_lines = []
    in_header = True
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        m = _HEADER.match(line) if in_header else None
        if m:
            key, value = m.group(1), m.group(2).strip()
            if key == "param":
                pm = re.match(r"([A-Za-z_]\w*)\s*=\s*([^|]*?)\s*(?:\|\s*(.*))?$", value)
                if not pm:
                    raise QueryDefinitionError(f"{path.name}:{n}: write parameters as `// param: name = default | 说明`")
                params.append(Param(pm.group(1), _literal(pm.group(2)), pm.group(3) or ""))
            else:
                header[key] = value
            continue
        in_header = False
        body_lines.append(line)
    for key in ("title", "description", "kind"):
        if key not in header:
            raise QueryDefinitionError(f"{path.name}: the header needs `// {key}: …`")
    if header["kind"] not in KINDS:
        raise QueryDefinitionError(f"{path.name}: kind must be one of {KINDS}, not {header['kind']!r}")
    area = None
    if "area" in header:
        area = tuple(tuple(x.strip() for x in pair.split("=", 1)) for pair in header["area"].split(",") if "=" in pair)
    zh, _, en = header["title"].partition("|")
    return NamedQuery(path.stem, zh.strip(), en.strip(), header["description"], header["kind"], tuple(params),
                      "\n".join(body_lines).strip(), path, header.get("entity"), header.get("rule"),
                      header.get("seed", ""), header.get("context", "").lower() == "true", area,
                      description_en=header.get("description_en", ""))


@lru_cache(maxsize=4)
def registry(folder: Path = QUERIES_DIR) -> dict[str, NamedQuery]:
    """Every named query in ``folder``, by name (the file name without ``.cypher``)."""
    return {q.name: q for q in (parse(p) for p in sorted(folder.glob("*.cypher")))}


def declared_vs_used(q: NamedQuery, internal: frozenset[str] = frozenset({"ids", "unmasked", "scoped"})) -> tuple[set[str], set[str]]:
    """(declared but unused, used but undeclared) parameters, over both backends' text."""
    used = parameters(q.cypher("neo4j")) | parameters(q.cypher("kuzu"))
    declared = {p.name for p in q.params}
    return declared - used, used - declared - internal - {f"area_{label}" for label in q.area_labels}
