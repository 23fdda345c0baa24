"""The query layer as a principal sees it: area scoping, permissions and masking in one place.

Every page, download and CLI command reads through a :class:`Scope` made for the logged-in
principal (``access.roles.Principal``). It

* checks the role may do what is asked (entity lists need ``detail``, the console ``console``);
* confines street, community and grid staff to their area: an entity id outside it (typed into a
  page or passed on the command line) is refused with the same message as an id that does not
  exist, and rows about entities outside it are dropped. Where an entity lies comes from the
  context queries (``queries/context_*.cypher``); a named query says which of its parameters and
  columns are entity ids in its header (``// area: household=Household, id=@label``: ``@col`` takes
  the label from another column); one without that header is open to county-wide roles only;
* masks every result by what its values are (``access.masking.Masker``: model marks, statement
  lineage, the database's own personal values, ID-card and mobile patterns) unless the principal
  may unmask and asked to — and then records the unmasking in the audit log.

Examples
--------
>>> from access.roles import Principal                                   # doctest: +SKIP
>>> scope = Scope(store, Principal("wang", "community", area="C01"))     # doctest: +SKIP
>>> scope.violations("R08")          # only C01's households, names masked  # doctest: +SKIP
>>> scope.named("household_chain", {"household": "H-other"})             # doctest: +SKIP
AccessDenied: 没有找到 住户 H-other（或不在您的管辖范围内）…
"""
from __future__ import annotations

from typing import Any

from access.audit import AuditLog
from access.masking import Masker
from access.roles import AccessDenied, Principal
from graph.store import GraphStore, Row

from . import coverage, lookup, readonly
from .registry import NamedQuery, ParameterError, registry

#: what an entity's display name is, where it is personal: a person's name, a household's address
NAME_KINDS = {"Person": "name", "Household": "address"}
_INDEX_CACHE: dict[tuple, dict[str, str]] = {}
_AREA_CACHE: dict[tuple, dict[str, set[str]]] = {}
_LABEL_ZH = {"Household": "住户", "Person": "人员", "Building": "楼栋", "Unit": "单元", "Compound": "小区",
             "Grid": "网格", "Organization": "单位", "Community": "社区", "Street": "街道", "OwnersBody": "业委会",
             "PropertyCompany": "物业企业"}


def personal_index(store: GraphStore) -> dict[str, str]:
    """Every personal value in the database → its kind (from the model's marks), cached per load."""
    key = (id(store), coverage._version(store))
    index = _INDEX_CACHE.get(key)
    if index is None:
        index = {}
        for (label, prop), kind in store.model.personal_props().items():
            if label not in store.model.labels or store.model.node(label).prop(prop).type != "STRING":
                continue
            # label and property come from the model, never from user input; fetched column-wise
            # (a county's addresses and ID numbers: on Neo4j a record per value took seconds)
            values = store.query_columns(f"MATCH (n:{label}) WHERE n.{prop} IS NOT NULL RETURN DISTINCT n.{prop} AS v")
            for v in values.get("v", []):
                if v:
                    index.setdefault(v, kind)
        for k in [k for k in _INDEX_CACHE if k[0] == key[0]]:
            del _INDEX_CACHE[k]
        _INDEX_CACHE[key] = index
    return index


def _area_members(store: GraphStore, level: str, area: str) -> dict[str, set[str]]:
    """label → ids inside the area (a street, community or grid), for every label with a context."""
    key = (id(store), coverage._version(store), level, area)
    found = _AREA_CACHE.get(key)
    if found is not None:
        return found
    found = {}
    for q in registry().values():
        if q.context and q.entity:
            ctx = coverage.context(store, q.entity)
            found[q.entity] = {i for i, c in ctx.items() if coverage._in_area(c, level, area)}
    # a grid's own community and street, a community's street
    rows = store.query("MATCH (c:Community) OPTIONAL MATCH (c)-[:PART_OF]->(s:Street) "
                       "RETURN c.id AS id, s.id AS street")
    grid_ctx = coverage.context(store, "Grid")
    if level == "street":
        found["Street"] = {area}
        found["Community"] = {r["id"] for r in rows if r["street"] == area}
    elif level == "community":
        found["Community"] = {area}
        found["Street"] = {r["street"] for r in rows if r["id"] == area and r["street"]}
    else:
        own = grid_ctx.get(area, {})
        found["Community"] = {own["community_id"]} if own.get("community_id") else set()
        found["Street"] = {own["street_id"]} if own.get("street_id") else set()
        found["Grid"] = {area}
    for k in [k for k in _AREA_CACHE if k[0] == key[0] and k[1] != key[1]]:
        del _AREA_CACHE[k]
    _AREA_CACHE[key] = found
    return found


def _exists(store: GraphStore, label: str, id_: str) -> bool:
    return bool(store.query(f"MATCH (n:{store.model.node(label).label} {{id: $id}}) RETURN n.id AS id LIMIT 1",
                            {"id": id_}))


def _area_spec(q: NamedQuery) -> tuple[tuple[str, str], ...] | None:
    if q.rule or q.context:
        return (("id", q.entity),)
    return q.area


class Scope:
    """A store as seen by one principal. ``audit`` receives unmasking, consoles and refusals."""

    def __init__(self, store: GraphStore, principal: Principal, audit: AuditLog | None = None):
        self.store = store
        self.principal = principal
        self.audit = audit

    # --- bookkeeping ------------------------------------------------------------------------------
    def _log(self, event: str, **detail: Any) -> None:
        if self.audit is not None:
            p = self.principal
            self.audit.record(event, user=p.user, role=p.role, area=p.area, **detail)

    def _deny(self, message: str, **detail: Any) -> AccessDenied:
        self._log("denied", reason=message, **detail)
        return AccessDenied(message)

    def refuse(self, message: str, **detail: Any) -> AccessDenied:
        """An ``AccessDenied`` for a check made outside this class (e.g. a CLI command's own rule),
        audited as ``denied`` like every refusal here; the caller raises it."""
        return self._deny(message, **detail)

    def require(self, perm: str) -> None:
        try:
            self.principal.require(perm)
        except AccessDenied as e:
            self._log("denied", reason=str(e), perm=perm)
            raise

    @property
    def area(self) -> tuple[str, str] | None:
        p = self.principal
        return None if p.county_wide else (p.level, p.area)

    # --- areas ------------------------------------------------------------------------------------
    def allowed_ids(self, label: str) -> set[str] | None:
        """Ids of ``label`` the principal may see (None: all of them)."""
        if self.area is None:
            return None
        return _area_members(self.store, *self.area).get(label)

    def allows(self, label: str, id_: str | None) -> bool:
        if id_ is None or self.area is None:
            return True
        ids = self.allowed_ids(label)
        return True if ids is None else id_ in ids

    def check_entity(self, label: str, id_: str) -> None:
        """Refuse an id outside the area or not in the database, with one message for both (so a
        refusal does not tell staff that an id exists elsewhere)."""
        if not id_:
            return
        if label not in self.store.model.labels:
            raise ParameterError(f"unknown label {label!r}")
        if not self.allows(label, id_) or not _exists(self.store, label, id_):
            raise self._deny(f"没有找到{_LABEL_ZH.get(label, label)} {id_}（或不在您的管辖范围内）。"
                             f"(no {label} {id_} in your area; check the id)", label=label, id=id_)

    def _filter(self, rows: list[Row], spec: tuple[tuple[str, str], ...] | None) -> list[Row]:
        if self.area is None or not spec:
            return rows
        out = []
        for r in rows:
            ok = True
            for col, label in spec:
                if col not in r:
                    continue
                label = r.get(label[1:]) if label.startswith("@") else label
                if label in self.store.model.labels and not self.allows(label, r[col]):
                    ok = False
                    break
            if ok:
                out.append(r)
        return out

    # --- masking ----------------------------------------------------------------------------------
    def mask(self, rows: list[Row], cypher: str | None = None, *, what: str, union: str = "agree",
             keys: dict[str, set[str]] | None = None) -> list[Row]:
        """Masked unless the principal may unmask and asked to; an unmasked result is audited."""
        if not self.principal.masked:
            if rows:
                self._log("unmask", what=what, rows=len(rows))
            return rows
        masker = Masker(personal_index(self.store), self.store.model)
        columns = None
        if keys and rows:
            columns = [keys.get(k, set()) for k in rows[0]]
        return masker.rows(rows, cypher, columns=columns, union=union)

    def mask_named(self, rows: list[Row], names: dict[str, str], *, what: str) -> list[Row]:
        """Rows that name entities of several kinds (a rectification case, a brief's gaps): ``names``
        maps each name column to the column holding that entity's label (``{"entity_name":
        "entity_label"}``), so a person's name is masked as a name and a household's as an address;
        every other value by the value nets. Unmasked (and audited) as ``mask`` is."""
        if not self.principal.masked:
            if rows:
                self._log("unmask", what=what, rows=len(rows))
            return rows
        masker = Masker(personal_index(self.store), self.store.model)
        out = []
        for r in rows:
            kinds = {col: {NAME_KINDS[r[label]]} for col, label in names.items() if r.get(label) in NAME_KINDS}
            out.append({k: masker.value(v, kinds.get(k)) for k, v in r.items()})
        return out

    def mask_properties(self, rows: list[Row], *, what: str, values: tuple[str, ...] = ("before", "after")) -> list[Row]:
        """Rows that carry a property's values (``queries.diff``'s changed properties): a row's
        ``label`` and ``prop`` name the property, and its personal mark in the model masks the
        ``values`` columns by that kind (an old phone number no longer in the database too); every
        other value by the value nets. Unmasked (and audited) as ``mask`` is."""
        if not self.principal.masked:
            if rows:
                self._log("unmask", what=what, rows=len(rows))
            return rows
        masker = Masker(personal_index(self.store), self.store.model)
        marks = self.store.model.personal_props()
        out = []
        for r in rows:
            kind = marks.get((r.get("label"), r.get("prop")))
            out.append({k: masker.value(v, {kind} if kind and k in values else None) for k, v in r.items()})
        return out

    # --- what pages and commands call --------------------------------------------------------------
    def named(self, name: str, values: dict[str, Any] | None = None, *, lang: str = "zh", **extra: Any) -> list[Row]:
        """Run a named query for the principal: parameters checked against the area, rows scoped and
        masked; a rule's query lists its gaps with their words in ``lang`` (``queries.explain``)."""
        reg = registry()
        if name not in reg:
            raise ParameterError(f"no named query {name!r}; `orgnet queries` lists them")
        q = reg[name]
        self.require("detail")
        if q.rule:  # as a user asks for it: the rule's gaps, where they are (``queries.lookup``)
            return self.violations(q.rule, values, lang=lang)
        spec = _area_spec(q)
        if self.area is not None and spec is None:
            raise self._deny(f"“{q.title_zh}”涵盖全县，只对县级角色开放。(this query covers the whole county; "
                             "county-wide roles only)", query=name)
        bound = q.bind(values)
        if self.area is None:
            lookup.check_ids(self.store, q, bound)  # unknown ids are errors, with close matches
        for col, label in spec or ():
            if col in bound and not label.startswith("@"):
                if col in lookup.ID_PARAMS and not str(bound[col] or "").strip():
                    raise ParameterError(f"缺少必填参数 {col}（missing required parameter {col!r}）")
                # staff get no hints: the same answer for another area's id and an id that does not exist
                self.check_entity(label, bound[col])
        if "$unmasked" in q.body:
            extra["unmasked"] = not self.principal.masked
        if self.area is not None and q.area_labels:
            # filter by area inside the statement, so its LIMIT counts only rows the principal may see
            extra["scoped"] = True
            for label in q.area_labels:
                extra[f"area_{label}"] = sorted(self.allowed_ids(label) or ())
        rows = self._filter(q.run(self.store, values, **extra), spec)
        # Curated queries return property values as stored: the value nets find them, and their
        # id/label columns are not mistaken for personal data by lineage through coalesce().
        return self.mask(rows, what=f"query:{name}")

    def query(self, cypher: str, params: dict[str, Any] | None = None, *, what: str,
              area: tuple[tuple[str, str], ...] | None = None, county_data: bool = False) -> list[Row]:
        """A statement written in orgnet's code (not by a user). ``area`` names its entity-id columns;
        ``county_data`` marks county-wide, non-personal data (unit lists, service sites) every role may read."""
        if not county_data:
            self.require("detail")
            if self.area is not None and not area:
                raise self._deny("此数据涵盖全县，只对县级角色开放。(county-wide data: county roles only)", what=what)
        rows = self._filter(self.store.query(cypher, params), area)
        return self.mask(rows, cypher, what=what)

    def check_areas(self, street: str | None = None, community: str | None = None, grid: str | None = None) -> None:
        """Refuse a street, community or grid filter (id or name) outside the principal's area, with
        the message an unknown one gets (a filter outside it would otherwise answer "no gaps"); for
        county-wide roles an unknown one is a ``ParameterError`` with the closest names."""
        if self.area is None:
            coverage.check_areas(self.store, street=street, community=community, grid=grid)
            return
        for level, value in (("street", street), ("community", community), ("grid", grid)):
            if not value:
                continue
            label = coverage._AREA_LABELS[level][0]
            ids = [i for i, n in coverage._areas(self.store, level) if value in (i, n)]
            if not any(self.allows(label, i) for i in ids):
                raise self._deny(f"没有找到{coverage._AREA_LABELS[level][1]} {value}（或不在您的管辖范围内）。"
                                 f"(no {level} {value} in your area; check the name)", label=label, id=value)

    def violations(self, rule_id: str, params: dict[str, Any] | None = None, lang: str | None = "zh",
                   **where: str | None) -> list[Row]:
        """A rule's violating entities in the principal's area, masked, with what is wrong and how
        to fix it in ``lang`` (``queries.explain``; None leaves the words out)."""
        self.require("detail")
        self.check_areas(**where)
        q = coverage.rule(rule_id)
        rows = coverage.violations(self.store, rule_id, params, area=self.area, explain=lang, **where)
        keys = {"name": {NAME_KINDS[q.entity]}} if q.entity in NAME_KINDS else None
        if q.entity == "Household":
            keys.update({"head_name": {"name"}, "room": {"address"}})
        return self.mask(rows, what=f"gaps:{q.rule}", keys=keys)

    def rollup(self, rule_id: str, params: dict[str, Any] | None = None, *, by: str = "community",
               street: str | None = None, community: str | None = None, grid: str | None = None) -> list[Row]:
        """Roll-ups are aggregates: every role may read them, confined to its area."""
        self.check_areas(street=street, community=community, grid=grid)
        return coverage.rollup(self.store, rule_id, params, by=by, street=street, community=community, grid=grid,
                               area=self.area)

    def summary(self, params: dict[str, dict[str, Any]] | None = None, *, street: str | None = None,
                community: str | None = None, grid: str | None = None) -> list[Row]:
        """One line per rule (aggregates: every role), in the principal's area and optionally a
        street, community or grid."""
        self.check_areas(street=street, community=community, grid=grid)
        return coverage.summary(self.store, params, area=self.area, street=street, community=community, grid=grid)

    def context(self, label: str) -> dict[str, Row]:
        """Where each entity lies, for the entities the principal may see (names masked)."""
        ctx = coverage.context(self.store, label)
        ids = self.allowed_ids(label)
        rows = [r for i, r in ctx.items() if ids is None or i in ids]
        keys = {"name": {NAME_KINDS[label]}} if label in NAME_KINDS else None
        if self.principal.masked and keys:
            rows = Masker(personal_index(self.store), self.store.model).rows(
                rows, columns=[keys.get(k, set()) for k in rows[0]] if rows else None)
        return {r["id"]: r for r in rows}

    def expand(self, start: tuple[str, str], hops: int = 1, max_edges: int = 300) -> list[Row]:
        """The network picture's edges around ``start``, inside the area, names masked."""
        from .neighbourhood import expand

        self.require("detail")
        self.check_entity(*start)
        spec = registry()["neighbours"].area
        rows = self._filter(expand(self.store, start, hops=hops, max_edges=max_edges), spec)
        return self.mask(rows, what="network")

    def _console_gate(self, text: str) -> None:
        self.require("console")
        if not self.principal.county_wide:
            raise self._deny("Cypher 控制台只对县级角色开放 (the console is for county-wide roles)")
        self._log("console", statement=text[:2000], chars=len(text))

    def console(self, text: str) -> list[Row]:
        """A statement typed into the console: county-wide roles with the console permission only;
        the statement is audited, its result masked with the statement's own lineage."""
        return self.run_console(text).rows

    def run_console(self, text: str, timeout: float | None = None, row_cap: int | None = None,
                    cancel: readonly.Cancel | None = None) -> readonly.ConsoleResult:
        """``readonly.run_console`` for the principal (the console page's runner): the same gate and
        audit as ``console``; the result's rows masked by the accepted statement's lineage."""
        self._console_gate(text)
        result = readonly.run_console(self.store, text, timeout=timeout, row_cap=row_cap, cancel=cancel)
        result.rows = self.mask(result.rows, getattr(result, "statement", text) or text, what="console",
                                union="merge")
        return result

    def audit_export(self, what: str, rows: int, fmt: str) -> None:
        """Record a download or an export (what, how many rows, format)."""
        self._log("download", what=what, rows=rows, format=fmt, masked=self.principal.masked)
