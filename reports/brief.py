"""A printable brief per community (社区简报): PDF with its Chinese font embedded (reportlab), and DOCX for
offices that edit it (python-docx).

``brief_data(store, community)`` gathers what the brief shows: the community's key figures (from
``reports.stats``), every coverage rule with its gaps and the change since the previous load (from the
rule results recorded per load, ``queries.history``), the top gaps with how to fix them, a map picture
of its buildings and service sites, a trend chart of its coverage over the loads, and its open
rectification cases (整改台账, ``cases.ledger``). ``to_pdf`` and ``to_docx`` lay it out. It is made for
a principal's ``queries.scope.Scope``: a community outside their area is refused, and people's names
and household addresses are masked there (unless the principal may unmask and asked to, audited).

Examples
--------
>>> data = brief_data(Scope(store, Principal("li", "analyst")), "和园社区")  # doctest: +SKIP
>>> Path("和园社区.pdf").write_bytes(to_pdf(data))   # doctest: +SKIP
"""
from __future__ import annotations

import datetime as dt
import io
from typing import Any

from cases import ledger as case_ledger
from cases import tasklist
from graph.store import GraphStore, Row
from queries import coverage, history
from queries.registry import ParameterError, registry
from queries.scope import Scope

from . import charts, stats

KPIS = ("households", "building_leaders", "red_leaders", "unit_leaders", "full_time_workers", "households_per_worker",
        "party_groups", "party_centre", "reported_members", "link_coverage", "service_circle_coverage",
        "owners_body_coverage")
BUILDING_RULES = ("R02", "R03A", "R03B", "R15")
TOP_RULES = 6
PER_RULE = 5
CASES = 30


def _community(store: GraphStore, community: str) -> Row:
    rows = registry()["stat_communities"].run(store)
    for r in rows:
        if community in (r["id"], r["name"]):
            return r
    raise ParameterError(f"找不到社区“{community}”：可选 {'、'.join(r['name'] for r in rows) or '（数据库中没有社区）'}")


def _rule_rows(store: GraphStore, cid: str) -> tuple[list[Row], Any, Any]:
    """Per rule: population, gaps, coverage in the community, and the change since the previous load."""
    recorded = [r for r in history.trend(store, level="community") if r["area_id"] == cid]
    loads = list(dict.fromkeys(r["load_id"] for r in recorded))
    latest = {r["rule"]: r for r in recorded if loads and r["load_id"] == loads[-1]}
    before = {r["rule"]: r for r in recorded if len(loads) > 1 and r["load_id"] == loads[-2]}
    out = []
    for rid, q in coverage.rules().items():
        now = latest.get(rid)
        if now is None:  # no result recorded for this load: compute it
            roll = [r for r in coverage.rollup(store, rid, by="community") if r["area_id"] == cid]
            now = roll[0] if roll else {"total": 0, "violating": 0, "coverage": None}
        prev = before.get(rid)
        out.append({"rule": rid, "title": q.title_zh, "total": now["total"], "violating": now["violating"],
                    "coverage": now["coverage"],
                    "change": None if prev is None else now["violating"] - prev["violating"]})
    as_of = recorded[-1]["as_of"] if recorded else None
    prev_as_of = next((r["as_of"] for r in recorded if len(loads) > 1 and r["load_id"] == loads[-2]), None)
    return out, as_of, prev_as_of


def brief_data(scope: Scope, community: str) -> dict[str, Any]:
    """Everything a community's brief shows, computed from the graph and the recorded history, as the
    scope's principal may see it."""
    store = scope.store
    scope.require("detail")
    c = _community(store, community)
    cid = c["id"]
    scope.check_entity("Community", cid)
    table = stats.statistics(store, community=cid)
    by_key = {r["key"]: r for r in table}
    kpis = [(by_key[k]["figure"], by_key[k]["areas"].get(cid), by_key[k]["unit"]) for k in KPIS if k in by_key]
    rules, as_of, prev_as_of = _rule_rows(store, cid)
    gaps = []
    for r in sorted((r for r in rules if r["violating"]), key=lambda r: (-r["violating"], r["rule"]))[:TOP_RULES]:
        entity = coverage.rule(r["rule"]).entity
        for v in coverage.violations(store, r["rule"], community=cid, area=scope.area, explain="zh")[:PER_RULE]:
            where = "".join(x for x in (v.get("compound"), v.get("building") if entity != "Building" else None) if x)
            gaps.append({"rule": r["rule"], "id": v["id"], "label": entity, "name": v.get("name") or "",
                         "where": where or (v.get("grid") or ""),
                         "fix": v["fix"]})  # queries.explain: with the entity's own figures
    gaps = scope.mask_named(gaps, {"name": "label"}, what=f"brief:{cid}:gaps")
    ctx = coverage.context(store, "Building")
    bad = set()
    for rid in BUILDING_RULES:
        bad |= {v["id"] for v in coverage.violations(store, rid, community=cid)}
    buildings = [{"id": i, "lat": x.get("lat"), "lon": x.get("lon"), "gap": i in bad}
                 for i, x in ctx.items() if x.get("community_id") == cid]
    sites = [s for s in registry()["stat_sites"].run(store) if s["anchor"] == cid and s.get("lat") is not None]
    recorded = history.trend(store, level="community", area=cid) if as_of else []
    # the rules whose coverage moved come first, then the lowest coverage
    moved = {r["rule"] for r in recorded} - {rid for rid in {r["rule"] for r in recorded}
                                             if len({x["coverage"] for x in recorded if x["rule"] == rid}) == 1}
    ranked = sorted((r for r in rules if r["total"]),
                    key=lambda r: (r["rule"] not in moved, r["coverage"] if r["coverage"] is not None else 101))
    worst = [r["rule"] for r in ranked][:6]
    series: dict[str, list] = {}
    for r in recorded:
        if r["rule"] in worst and r["coverage"] is not None:
            series.setdefault(f"{r['rule']} {coverage.rule(r['rule']).title_zh}", []).append((r["as_of"], r["coverage"]))
    open_cases = [r for r in case_ledger.cases(store, community=cid) if r["status"] in case_ledger.OPEN
                  and scope.allows(r["entity_label"], r["entity_id"])]
    open_cases = tasklist.masked(scope, open_cases, what=f"brief:{cid}:cases")
    cases = [{"rule": r["rule"], "id": r["entity_id"], "name": r.get("entity_name") or "", "status": r["status"],
              "deadline": r.get("deadline"), "overdue": r.get("overdue")} for r in open_cases]
    return {"community": c["name"], "community_id": cid, "street": c["street"], "county": _county(store),
            "cases": cases,
            "as_of": as_of, "previous_as_of": prev_as_of, "made": dt.date.today(), "kpis": kpis, "rules": rules,
            "gaps": gaps, "buildings": buildings, "sites": sites, "series": series}


def _county(store: GraphStore) -> str:
    rows = store.query("MATCH (c:County) RETURN c.name AS name LIMIT 1")
    return rows[0]["name"] if rows else ""


def _fmt(v: Any, unit: str = "") -> str:
    if v is None:
        return "—"
    if not isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, float):
        return f"{v:.1f}{unit}"
    return f"{v:,}{unit}"


def _change(v: int | None) -> str:
    if v is None:
        return "—"
    return "持平" if v == 0 else (f"+{v}" if v > 0 else str(v))


def _title(data: dict) -> str:
    return f"{data['community']}党建引领基层治理简报"


def _subtitle(data: dict) -> str:
    prev = f"，较上次（{data['previous_as_of']}）" if data["previous_as_of"] else ""
    return (f"{data['county']} {data['street'] or ''} · 数据截至 {data['as_of'] or '—'}{prev} · "
            f"生成于 {data['made']} · 来源：orgnet 组织网络图谱")


def pictures(data: dict) -> tuple[bytes, bytes]:
    """(map PNG, trend PNG) of the brief."""
    return (charts.map_png(data["buildings"], data["sites"], f"{data['community']} 楼栋与党群服务阵地"),
            charts.trend_png(data["series"], f"{data['community']} 覆盖率变化（有变化及覆盖率最低的规则）"))


def to_pdf(data: dict) -> bytes:
    """The brief as an A4 PDF with its Chinese font embedded (subset)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = charts.cjk_font()
    if "OrgnetCJK" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("OrgnetCJK", str(font), subfontIndex=0))
    body = ParagraphStyle("body", fontName="OrgnetCJK", fontSize=9, leading=13, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=11, textColor=colors.HexColor("#555555"))
    h1 = ParagraphStyle("h1", parent=body, fontSize=17, leading=24, textColor=colors.HexColor("#a3261f"))
    h2 = ParagraphStyle("h2", parent=body, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4,
                        textColor=colors.HexColor("#a3261f"))
    grid = TableStyle([("FONTNAME", (0, 0), (-1, -1), "OrgnetCJK"), ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                       ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
                       ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2dcdb")),
                       ("VALIGN", (0, 0), (-1, -1), "MIDDLE")])
    P = lambda text, style=body: Paragraph(str(text), style)
    story = [P(_title(data), h1), P(_subtitle(data), small), Spacer(1, 4 * mm), P("一、主要指标", h2)]
    cells = [[P(f"{name}"), P(f"<b>{_fmt(v)}</b> {unit if v is not None and unit != '%' else ''}"
                             if unit != "%" else f"<b>{_fmt(v, '%')}</b>")] for name, v, unit in data["kpis"]]
    half = (len(cells) + 1) // 2
    rows = [a + b for a, b in zip(cells[:half], cells[half:] + [[P(""), P("")]])]
    story.append(Table(rows, colWidths=[45 * mm, 40 * mm, 45 * mm, 40 * mm],
                       style=TableStyle([("FONTNAME", (0, 0), (-1, -1), "OrgnetCJK"),
                                         ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bbbbbb"))])))
    story.append(P("二、覆盖规则（较上次导入的缺口变化）", h2))
    head = ["规则", "名称", "应覆盖", "缺口", "覆盖率", "缺口较上次"]
    body_rows = [[r["rule"], P(r["title"]), _fmt(r["total"]), _fmt(r["violating"]), _fmt(r["coverage"], "%"),
                  _change(r["change"])] for r in data["rules"]]
    t = Table([head] + body_rows, colWidths=[14 * mm, 70 * mm, 20 * mm, 16 * mm, 20 * mm, 24 * mm], repeatRows=1)
    t.setStyle(grid)
    story.append(t)
    story.append(P("三、主要缺口与整改办法", h2))
    if data["gaps"]:
        rows = [["规则", "编号", "名称", "位置", "整改办法"]] + [
            [g["rule"], P(g["id"], small), P(g["name"], small), P(g["where"], small), P(g["fix"], small)]
            for g in data["gaps"]]
        t = Table(rows, colWidths=[14 * mm, 24 * mm, 38 * mm, 34 * mm, 60 * mm], repeatRows=1)
        t.setStyle(grid)
        story.append(t)
    else:
        story.append(P("本社区各项规则均无缺口。"))
    story.append(P(f"四、待整改案件（{len(data['cases'])} 件）", h2))
    if data["cases"]:
        rows = [["规则", "编号", "名称", "状态", "整改期限"]] + [
            [c["rule"], P(c["id"], small), P(c["name"], small), c["status"] + ("（逾期）" if c["overdue"] else ""),
             _fmt(c["deadline"])] for c in data["cases"][:CASES]]
        t = Table(rows, colWidths=[14 * mm, 30 * mm, 60 * mm, 36 * mm, 30 * mm], repeatRows=1)
        t.setStyle(grid)
        story.append(t)
        if len(data["cases"]) > CASES:
            story.append(P(f"另有 {len(data['cases']) - CASES} 件，见整改台账。", small))
    else:
        story.append(P("本社区没有待整改的案件。"))
    map_png, trend_png = pictures(data)
    story.append(P("五、楼栋与党群服务阵地分布", h2))
    story.append(Image(io.BytesIO(map_png), width=150 * mm, height=108 * mm, kind="proportional"))
    story.append(P("六、覆盖率变化", h2))
    story.append(Image(io.BytesIO(trend_png), width=150 * mm, height=80 * mm, kind="proportional"))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=14 * mm,
                            bottomMargin=14 * mm, title=_title(data), author="orgnet", subject=data["community"])
    doc.build(story)
    return buf.getvalue()


def to_docx(data: dict) -> bytes:
    """The brief as an editable Word document (same sections and pictures)."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    for name in ("Title", "Heading 1", "Heading 2"):
        doc.styles[name].element.rPr.rFonts.set(qn("w:eastAsia"), "黑体")
    doc.add_heading(_title(data), level=0)
    p = doc.add_paragraph(_subtitle(data))
    p.runs[0].font.size = Pt(9)
    p.runs[0].font.color.rgb = RGBColor(0x55, 0x55, 0x55)

    def table(header: list[str], rows: list[list[Any]]) -> None:
        t = doc.add_table(rows=1, cols=len(header))
        t.style = "Table Grid"
        for cell, text in zip(t.rows[0].cells, header):
            cell.text = text
        for r in rows:
            cells = t.add_row().cells
            for cell, v in zip(cells, r):
                cell.text = "" if v is None else str(v)

    doc.add_heading("一、主要指标", level=1)
    table(["指标", "数值"], [[n, _fmt(v, "%") if u == "%" else f"{_fmt(v)} {u}"] for n, v, u in data["kpis"]])
    doc.add_heading("二、覆盖规则（较上次导入的缺口变化）", level=1)
    table(["规则", "名称", "应覆盖", "缺口", "覆盖率", "缺口较上次"],
          [[r["rule"], r["title"], _fmt(r["total"]), _fmt(r["violating"]), _fmt(r["coverage"], "%"), _change(r["change"])]
           for r in data["rules"]])
    doc.add_heading("三、主要缺口与整改办法", level=1)
    if data["gaps"]:
        table(["规则", "编号", "名称", "位置", "整改办法"],
              [[g["rule"], g["id"], g["name"], g["where"], g["fix"]] for g in data["gaps"]])
    else:
        doc.add_paragraph("本社区各项规则均无缺口。")
    doc.add_heading(f"四、待整改案件（{len(data['cases'])} 件）", level=1)
    if data["cases"]:
        table(["规则", "编号", "名称", "状态", "整改期限"],
              [[c["rule"], c["id"], c["name"], c["status"] + ("（逾期）" if c["overdue"] else ""), _fmt(c["deadline"])]
               for c in data["cases"][:CASES]])
    else:
        doc.add_paragraph("本社区没有待整改的案件。")
    map_png, trend_png = pictures(data)
    doc.add_heading("五、楼栋与党群服务阵地分布", level=1)
    doc.add_picture(io.BytesIO(map_png), width=Cm(15))
    doc.add_heading("六、覆盖率变化", level=1)
    doc.add_picture(io.BytesIO(trend_png), width=Cm(15))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
