"""The report checker: find each figure a draft report claims about the network and check it against
the graph's statistics (``reports.stats``), claim by claim.

A *claim* is a number with a counting unit (个 名 人 户 支 家 %) in a sentence: "组建小区(网格)党支部32个",
"推选楼长1315人", "80个机关企事业单位2921名在职党员到社区报到", "业委会(物管会)100%全覆盖". Approximate
forms are read as ranges: "500余户" is 500–599, "3600余名" 3600–3699, "近10万" 90,000–100,000,
"3—6个" 3 to 6; "2.2万" is 22,000.

Which figure a claim is about is decided by ``RULES``: the words right after the number
("80个**机关企事业单位**") or right before it ("**推选楼长**1315人"), matched against each figure's
wording. A claim is *unmapped* — listed with the reason, never guessed — when no figure's wording
matches, when it is a standard ("每300户配备1名"), a flow rather than a stock ("去年选聘…30名",
"新充实…21名", "开展活动280次"), a part of a whole ("有6个社区…"), or it sits in a section about
another county than the database's (a report covering several counties, like seed 002). A claim
naming one of the graph's communities or streets is checked against that area's figure.

Each checked claim gets the graph's figure, ``agree`` or ``differ`` with the difference, and for a
difference the entities behind the graph's figure (the counted ids, or a rule's gaps).

Examples
--------
>>> claims = check("推选楼长1315人、单元长1569人", store)   # doctest: +SKIP
>>> [(c["key"], c["claimed"], c["graph"], c["status"]) for c in claims]   # doctest: +SKIP
[('building_leaders', 1315, 1315, 'agree'), ('unit_leaders', 1569, 1569, 'agree')]
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.store import GraphStore, Row
from queries.registry import ParameterError

from . import stats

UNITS = ("人次", "个", "名", "人", "户", "支", "家", "%", "％", "处", "条", "栋", "座", "次", "期", "岗", "项", "所")
COUNT_UNITS = {"个", "名", "人", "户", "支", "家", "%", "％", "栋", "座", "所"}
_NUM = r"(\d+(?:\.\d+)?)"
CLAIM = re.compile(rf"(近|约|超过|逾)?{_NUM}(?:\s*[—\-–~～至到]\s*{_NUM})?\s*(万)?\s*(余|多)?\s*({'|'.join(UNITS)})")
STOPS = "，。；：！？\n,;!?"
QUOTES = "“”\"'‘’《》「」 　"
FLOW = re.compile(r"(去年|今年|新充实|新增|新建|新发展|选聘|招聘|调整|累计|开展|召开|收看|服务群众|惠及|解决|走访了|培训)")
STANDARD = re.compile(r"(每|按照|人均|平均|要求)")


@dataclass(frozen=True)
class Rule:
    key: str
    #: "after": the words after the number start with ``pattern``; "before": the words before it end with it
    where: str
    pattern: str
    units: frozenset[str] = frozenset(COUNT_UNITS - {"%", "％"})
    #: a generic wording ("N个社区") that a part-of-a-whole claim ("有N个社区…") must not take
    generic: bool = False
    #: the words after the number run on past "、" (a list of qualities before the noun)
    long: bool = False

    def matches(self, before: str, after: str, unit: str, after_long: str = "") -> bool:
        if unit not in self.units:
            return False
        if self.where == "after":
            return re.match(self.pattern, after_long if self.long else after) is not None
        return re.search(f"(?:{self.pattern})$", before) is not None


PCT = frozenset({"%", "％"})
_G = r"[(（]?网格[)）]?"
#: figure wording, most specific first; ``{kind}`` keys name one kind of a "by kind" figure
RULES: tuple[Rule, ...] = (
    Rule("owners_bodies_by_kind:业主委员会", "after", r"小区成立业委会"),
    Rule("owners_body_coverage", "before", r"业委会[(（]?物管会[)）]?|业委会和物管会", PCT),
    Rule("service_circle_coverage", "before", r"15分钟.{0,8}(服务圈)?(覆盖率)?", PCT),
    Rule("link_coverage", "before", r"包联.{0,6}(覆盖率)?", PCT),
    Rule("grid_branches", "before", rf"(小区)?{_G}(功能型)?党支部"),
    Rule("grid_branches", "after", rf"(小区)?{_G}(功能型)?党支部(?!书记)"),
    Rule("branch_secretaries", "after", rf".{{0,40}}担任{_G}(功能型)?党支部书记", long=True),
    Rule("party_groups", "before", r"楼栋[(（]?(单元)?[)）]?党小组"),
    Rule("party_groups", "after", r"楼栋[(（]?(单元)?[)）]?党小组"),
    Rule("party_centre", "before", r"党员中心户"),
    Rule("party_centre", "after", r"党员中心户"),
    Rule("red_leaders", "before", r"红色楼长"),
    Rule("red_leaders", "after", r"红色楼长"),
    Rule("building_leaders", "before", r"(推选|选任|配备|共有|现有)?楼长"),
    Rule("building_leaders", "after", r"楼长(?!、单元长)"),
    Rule("unit_leaders", "before", r"单元长"),
    Rule("unit_leaders", "after", r"单元长"),
    Rule("full_time_workers", "after", r"(社区)?专职(网格员|工作者)"),
    Rule("full_time_workers", "before", r"专职(网格员|工作者)"),
    Rule("street_leaders", "after", r"(街道|乡镇)领导(班子成员)?"),
    Rule("units_reported", "after", r"(机关企事业|机关事业|企事业|驻区|县直)?单位(?!小区|家属)"),
    Rule("reported_members", "after", r"(报到党员|在职党员)(?!.{0,3}干部)"),
    Rule("reported_members", "before", r"(报到党员|报到的在职党员)"),
    Rule("paired_units", "after", r"(结对共建|共驻共建)单位"),
    Rule("owners_bodies_by_kind:业主委员会", "after", r"(业委会|业主委员会)(?![(（]?物管会)"),
    Rule("owners_bodies_by_kind:业主委员会", "before", r"(组建|成立|已有)?(业委会|业主委员会)"),
    Rule("owners_bodies_by_kind:物业管理委员会", "after", r"(物管会|物业管理委员会)"),
    Rule("owners_bodies_by_kind:物业管理委员会", "before", r"(物管会|物业管理委员会)"),
    Rule("company_own_branches", "before", r"单独党支部"),
    Rule("company_joint_branches", "before", r"联合党支部"),
    Rule("company_instructors", "before", r"(党建工作)?指导员"),
    Rule("company_instructors", "after", r"(党建工作)?指导员"),
    Rule("property_companies", "after", r"(小区)?物业(服务)?(公司|企业)(?!和从业)"),
    Rule("sites_by_kind:城市驿站", "after", r".{0,8}城市驿站"),
    Rule("sites_by_kind:红色驿站", "after", r".{0,4}红色?驿站"),
    Rule("sites_by_kind:红色驿站", "before", r"红色?驿站"),
    Rule("sites_by_kind:青蜂驿站", "after", r"(社区)?青蜂驿站"),
    Rule("sites_by_kind:网格驿站", "after", r"(社区)?网格(党群服务)?驿站"),
    Rule("sites_by_kind:网格驿站", "before", r"网格(党群服务)?(驿站|站)"),
    Rule("sites_by_kind:小区党群服务站", "before", rf"小区{_G}党群服务站"),
    Rule("sites_by_kind:小区党群服务站", "after", rf"小区{_G}党群服务站"),
    Rule("sites_by_kind:党群服务点", "after", r"党群服务(站点|点)"),
    Rule("sites_by_kind:党群服务点", "before", r"(党群)?服务(站点|点)"),
    Rule("sites_by_kind:党群服务站", "before", r"党群服务站"),
    Rule("sites_by_kind:党群服务中心", "after", r"(社区)?党群服务中心(?!城市驿站)"),
    Rule("volunteer_teams", "before", r"志愿服务队"),
    Rule("volunteer_teams", "after", r".{0,6}志愿服务队"),
    Rule("volunteers", "before", r"志愿者"),
    Rule("volunteers", "after", r"志愿者"),
    Rule("compounds_by_kind:{kind}", "after", r"(大产权小区|村建小区|单位家属小区|老旧小区)"),
    Rule("compounds_by_kind:{kind}", "before", r"(大产权小区|村建小区|单位家属小区|老旧小区)"),
    Rule("grids_by_level:{kind}", "after", r"(一级网格|二级网格|三级网格|基础网格|大网格|中网格|小网格|微网格)"),
    Rule("grids_by_level:{kind}", "before", r"(一级网格|二级网格|三级网格|基础网格|大网格|中网格|小网格|微网格)"),
    Rule("households", "before", r"(居民|住户|城市居民|辖区居民)", frozenset({"户"})),
    Rule("households", "after", r"(居民户|住户)", frozenset({"户"})),
    Rule("communities", "after", r"(城市)?社区(?!党|工作|专职|网格|志愿|直播|书记|居民)", generic=True),
    Rule("compounds", "after", rf"(居民)?小区(?!{_G}|党|物业公司|业委会|楼)", generic=True),
    Rule("compounds", "before", r"(居民)?小区", generic=True),
    Rule("grids", "after", r"网格(?!党|员|化|治理|长)", generic=True),
)


def read_text(name: str, data: bytes) -> str:
    """The text of an uploaded draft: ``.docx`` (paragraphs and table cells) or plain text (UTF-8 or GB18030)."""
    if Path(name).suffix.lower() == ".docx":
        from docx import Document

        try:
            doc = Document(io.BytesIO(data))
        except Exception as e:  # python-docx raises several kinds for a file that is not a .docx
            raise ParameterError(f"{name} 不是有效的 .docx 文件（{type(e).__name__}）：请在 Word 中另存为 .docx 后再上传") from None
        parts = [p.text for p in doc.paragraphs]
        for table in doc.tables:
            for row in table.rows:
                parts.append("，".join(c.text for c in row.cells))
        return "\n".join(parts)
    if Path(name).suffix.lower() not in ("", ".txt", ".md"):
        raise ParameterError(f"{name}：只能核对 .docx 或 .txt 文稿；.doc、.pdf 请先另存为 .docx 或复制文字粘贴")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ParameterError(f"{name} 的文字编码无法识别：请另存为 UTF-8 文本或 .docx")


def _window_before(text: str, start: int) -> str:
    i = start
    while i > 0 and text[i - 1] not in STOPS and start - i < 40:
        i -= 1
    return "".join(ch for ch in text[i:start] if ch not in QUOTES)


def _window_after(text: str, end: int, stops: str = STOPS + "、") -> str:
    j = end
    while j < len(text) and text[j] not in stops and j - end < 60:
        j += 1
    return "".join(ch for ch in text[end:j] if ch not in QUOTES)


def _sentence(text: str, start: int, end: int) -> str:
    i = max(text.rfind(c, 0, start) for c in "。！？\n") + 1
    js = [text.find(c, end) for c in "。！？\n"]
    j = min([x for x in js if x >= 0] or [len(text)])
    return text[i:j + 1].strip()


def _range(m: re.Match) -> tuple[float, float, float]:
    """(stated, lowest, highest) value the words allow."""
    approx, a, b, wan, more = m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)
    f = 10000 if wan else 1
    lo = float(a) * f
    hi = float(b) * f if b else lo
    if more:  # 500余: 500–599; 3600余: 3600–3699; 120余: 120–129; 2.2万余: 22,000–22,999; 10万余: 100,000–109,999
        written = a.rstrip("0").rstrip(".") if "." in a else a
        decimals = len(written.split(".")[1]) if "." in written else 0
        zeros = len(written) - len(written.rstrip("0")) if not decimals else 0
        if wan:
            step = 10 ** -decimals * f if decimals else 10 ** max(zeros - 1, 0) * f
        else:
            step = 10 ** zeros if zeros else 10
        hi = lo + step - 1
    if approx == "近":
        lo = lo * 0.9
    elif approx in ("超过", "逾"):
        hi = lo * 1.5
        lo = lo + 1
    return float(a) * f, lo, hi


def _county_sections(text: str, county: str | None) -> list[tuple[int, str | None]]:
    """(offset, other county named) for each line naming a county; ``None`` when it is the database's own.

    County names are taken where the wording makes them unambiguous: "…市平顺县" or a heading line
    "平顺县：…". "XX县" (an anonymised report) counts as the database's own."""
    names = set(re.findall(r"市([\u4e00-\u9fa5X]{2})县", text))
    names |= set(re.findall(r"^\s*([\u4e00-\u9fa5X]{2})县[：:]", text, re.M))
    own = county[:-1] if county and county.endswith("县") else county
    out: list[tuple[int, str | None]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        found = [n for n in names if f"{n}县" in line]
        if found:
            if any(n == own or n.startswith("X") for n in found) or not county:
                out.append((pos, None))
            else:
                out.append((pos, f"{found[0]}县"))
        pos += len(line)
    return out


def _other_county(sections: list[tuple[int, str | None]], offset: int) -> str | None:
    current = None
    for start, name in sections:
        if start > offset:
            break
        current = name
    return current


def _area(clause: str, table: list[Row]) -> tuple[str | None, str | None]:
    """The one street or community the clause before the number names ("和园社区有楼长…"), else the county."""
    if "全县" in clause or "全区" in clause:
        return None, None
    names = table[0]["area_names"] if table else {}
    found = [(a, n) for a, n in names.items() if n and n in clause]
    return found[0] if len(found) == 1 else (None, None)


def _value(row: Row, area_id: str | None) -> Any:
    return row["county"] if area_id is None else row["areas"].get(area_id)


def county_name(store: GraphStore) -> str | None:
    county = store.query("MATCH (c:County) RETURN c.name AS name LIMIT 1")
    return county[0]["name"] if county else None


def check(text: str, store: GraphStore | None, *, table: list[Row] | None = None, county: str | None = None) -> list[Row]:
    """Every claim in ``text``, in order, with the graph's figure and ``agree``/``differ``/``unmapped``.

    ``table`` and ``county`` (the statistics and the county's name) are read from ``store`` unless given."""
    if not text or not text.strip():
        raise ParameterError("文稿为空：请粘贴文字或上传 .docx / .txt 文件")
    table = table if table is not None else stats.statistics(store)
    by_key = {r["key"]: r for r in table}
    county_name_ = county if county is not None else county_name(store)
    sections = _county_sections(text, county_name_)
    out: list[Row] = []
    for m in CLAIM.finditer(text):
        unit = m.group(6)
        before, after = _window_before(text, m.start()), _window_after(text, m.end())
        stated, lo, hi = _range(m)
        claim = {"sentence": _sentence(text, m.start(), m.end()), "text": m.group(0).strip(), "claimed": _num(stated),
                 "low": _num(lo), "high": _num(hi), "unit": unit, "key": None, "figure": None, "area": None,
                 "graph": None, "difference": None, "status": "unmapped", "reason": "", "basis": None,
                 "entities": [], "offset": m.start()}
        out.append(claim)
        other = _other_county(sections, m.start())
        if other:
            claim["reason"] = f"属于{other}的段落，不是本库（{county_name_}）的数字，未核对"
            continue
        if unit not in COUNT_UNITS:
            claim["reason"] = f"“{unit}”不是统计表的计数单位（活动次数、人次等），无法对应"
            continue
        if STANDARD.search(before) or (m.group(3) and not m.group(5)):
            claim["reason"] = "标准或区间要求（如“每300户配备1名”“3—6个”），不是现状数字"
            continue
        if FLOW.search(before):
            claim["reason"] = "增量或活动数（如“去年选聘”“新充实”），不是现有总数"
            continue
        rule = _match(before, after, unit, part=before.endswith("有"), after_long=_window_after(text, m.end(), STOPS))
        if rule is None:
            claim["reason"] = ("部分数字（“有N个…”），统计表无对应口径" if before.endswith("有")
                               else "统计表中没有与这句话对应的口径")
            continue
        key = rule[0]
        row = by_key.get(key)
        if row is None and ":" in key:  # a kind the graph does not have at all counts 0
            row = {"key": key, "figure": key.split(":")[1], "county": 0, "areas": {}, "basis": "该类型在图谱中不存在",
                   "unit": unit, "ids": []}
        if row is None:
            claim["reason"] = f"统计表没有“{key}”"
            continue
        area_id, area = _area(before, table)
        value = _value(row, area_id)
        claim.update(key=key, figure=row["figure"], area=area or stats.COUNTY, graph=value, basis=row["basis"])
        if value is None:
            claim.update(status="unmapped", reason="图谱中没有这个数字")
            continue
        ok = lo - 1e-9 <= float(value) <= hi + 1e-9
        claim["status"] = "agree" if ok else "differ"
        if not ok:
            claim["difference"] = _num(float(value) - stated)
            claim["entities"] = list(row.get("ids", []))[:50]
    return out


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else round(x, 1)


def _match(before: str, after: str, unit: str, part: bool, after_long: str = "") -> tuple[str, Rule] | None:
    for rule in RULES:
        if part and rule.generic:
            continue
        if rule.matches(before, after, unit, after_long):
            key = rule.key
            if "{kind}" in key:
                m = re.match(rule.pattern, after) if rule.where == "after" else re.search(f"(?:{rule.pattern})$", before)
                key = key.format(kind=m.group(1))
            return key, rule
    return None


def summary(claims: list[Row]) -> dict[str, int]:
    out = {"agree": 0, "differ": 0, "unmapped": 0}
    for c in claims:
        out[c["status"]] += 1
    return out
