"""Writing the demo county: ``generate`` builds a ``_County`` and writes its ledgers in the loaders'
template format (one xlsx workbook with a sheet per ledger, written byte-for-byte reproducibly, or one
CSV per ledger) and the ground-truth manifest JSON; ``run_demo`` generates and loads the ledgers
through the real front door, ``loaders.engine.load``."""
from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

from loaders.specs import LEDGERS, Ledger
from loaders.templates import header_text

from .common import FIXED_TIME, PARAMS, Generated
from .county import _County
from .profiles import PROFILES


def _ledger_table(spec: Ledger, rows: list[dict[str, str]]) -> tuple[list[str], list[list[str]]]:
    cols = spec.all_columns()
    header = [header_text(spec, c) for c in cols]
    keys = [c.header for c in cols]
    return header, [[row.get(k, "") for k in keys] for row in rows]


def _write_csv(path: Path, header: list[str], body: list[list[str]]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(body)
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))


def _col_letter(i: int) -> str:
    s, i = "", i + 1
    while i:
        i, rem = divmod(i - 1, 26)
        s = chr(65 + rem) + s
    return s


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _xml_text(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _write_xlsx(path: Path, tables: list[tuple[str, list[str], list[list[str]]]], title: str) -> None:
    """A plain workbook as Excel writes it: one sheet per ledger, every cell text from a shared-string
    table, a bold frozen header row, fixed document timestamps and fixed zip entry times, so the
    bytes depend on the content only. (openpyxl would write inline strings, which read slower, and
    stamps the save time into the package.)"""
    sst: dict[str, int] = {}
    strings: list[str] = []
    sheets: list[str] = []
    for _name, header, body in tables:
        letters = [_col_letter(i) for i in range(len(header))]
        widths = [max(10, 2 * len(h) + 4) for h in header]
        parts = [_XML, f'<worksheet xmlns="{_MAIN_NS}"><sheetViews><sheetView workbookViewId="0">'
                       '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
                       '<sheetFormatPr defaultRowHeight="15"/><cols>',
                 "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>'
                         for i, w in enumerate(widths)),
                 "</cols><sheetData>"]
        for rn, row in enumerate([header, *body], start=1):
            style = ' s="1"' if rn == 1 else ""
            cells = []
            for letter, v in zip(letters, row):
                if not v:
                    continue
                k = sst.get(v)
                if k is None:
                    k = sst[v] = len(strings)
                    strings.append(v)
                cells.append(f'<c r="{letter}{rn}"{style} t="s"><v>{k}</v></c>')
            parts.append(f'<row r="{rn}">{"".join(cells)}</row>')
        parts.append("</sheetData></worksheet>")
        sheets.append("".join(parts))
    n = len(sheets)
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    files: list[tuple[str, str]] = [
        ("[Content_Types].xml", _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
         '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
         '<Default Extension="xml" ContentType="application/xml"/>'
         f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
         + "".join(f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="{_CT}.worksheet+xml"/>'
                   for i in range(n))
         + f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
         f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
         '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
         '<Override PartName="/docProps/app.xml" '
         'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>'),
        ("_rels/.rels", _XML + f'<Relationships xmlns="{_PKG_REL_NS}">'
         f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
         '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
         'Target="docProps/core.xml"/>'
         f'<Relationship Id="rId3" Type="{_REL_NS}/extended-properties" Target="docProps/app.xml"/></Relationships>'),
        ("docProps/app.xml", _XML + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
         "<Application>orgnet</Application></Properties>"),
        ("docProps/core.xml", _XML + '<cp:coreProperties '
         'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
         'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
         'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
         f"<dc:title>{_xml_text(title)}</dc:title><dc:creator>orgnet demo</dc:creator>"
         "<cp:lastModifiedBy>orgnet demo</cp:lastModifiedBy>"
         f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
         f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>'),
        ("xl/workbook.xml", _XML + f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><bookViews><workbookView activeTab="0"/>'
         "</bookViews><sheets>"
         + "".join(f'<sheet name="{_xml_text(name)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                   for i, (name, _, _) in enumerate(tables))
         + "</sheets></workbook>"),
        ("xl/_rels/workbook.xml.rels", _XML + f'<Relationships xmlns="{_PKG_REL_NS}">'
         + "".join(f'<Relationship Id="rId{i + 1}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
                   for i in range(n))
         + f'<Relationship Id="rId{n + 1}" Type="{_REL_NS}/styles" Target="styles.xml"/>'
         f'<Relationship Id="rId{n + 2}" Type="{_REL_NS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
        ("xl/styles.xml", _XML + f'<styleSheet xmlns="{_MAIN_NS}">'
         '<fonts count="2"><font><sz val="11"/><name val="等线"/></font><font><b/><sz val="11"/><name val="等线"/></font></fonts>'
         '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
         '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
         '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
         '<cellXfs count="2"><xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
         '<xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1"/></cellXfs>'
         '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'),
        *((f"xl/worksheets/sheet{i + 1}.xml", xml) for i, xml in enumerate(sheets)),
        ("xl/sharedStrings.xml", _XML + f'<sst xmlns="{_MAIN_NS}" count="{len(strings)}" uniqueCount="{len(strings)}">'
         + "".join(f'<si><t xml:space="preserve">{_xml_text(s)}</t></si>' for s in strings) + "</sst>"),
    ]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name, text in files:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            archive.writestr(info, text.encode("utf-8"))
    path.write_bytes(buf.getvalue())


def generate(profile: str = "gaoqing", scale: float = 1.0, seed: int = 1, out_dir: str | Path | None = None,
             fmt: str = "xlsx", gap_rate: float = 0.02) -> Generated:
    """Generate a demo county and write its ledgers and manifest into ``out_dir``.

    Parameters
    ----------
    profile : str
        A key of ``PROFILES`` (gaoqing 高青, pingshun 平顺, huguan 壶关, wuxiang 武乡).
    scale : float
        Grows (or shrinks) every count; at 1 the figures the county's report states come out exactly.
    seed : int
        Same profile, scale, seed and gap rate → byte-identical files.
    fmt : "xlsx" or "csv"
        One workbook with a sheet per ledger, or one ``<台账>.csv`` per ledger (UTF-8 with BOM).
    gap_rate : float
        Share of each rule's population planted as violations (at least one per rule when > 0).
    """
    if profile not in PROFILES:
        raise KeyError(f"unknown profile {profile!r}; profiles: {', '.join(PROFILES)}")
    if fmt not in ("xlsx", "csv"):
        raise ValueError("fmt must be 'xlsx' or 'csv'")
    if scale <= 0:
        raise ValueError("scale must be positive")
    prof = PROFILES[profile]
    out = Path(out_dir) if out_dir is not None else Path("data") / "demo" / f"{profile}-s{seed}"
    out.mkdir(parents=True, exist_ok=True)
    county = _County(prof, scale, seed, gap_rate)
    county.build()
    tables = []
    counts: dict[str, int] = {}
    for spec in LEDGERS.values():
        if spec.label == "Rectification":  # cases are orgnet's own record of gaps, not a ledger a county keeps
            county.rows.pop(spec.name)
            continue
        header, body = _ledger_table(spec, county.rows.pop(spec.name))
        tables.append((spec.zh, header, body))
        counts[spec.zh] = len(body)
    rules = county.manifest_rules()
    figures = dict(county.figures)
    del county
    paths: list[Path] = []
    if fmt == "csv":
        for name, header, body in tables:
            path = out / f"{name}.csv"
            _write_csv(path, header, body)
            paths.append(path)
    else:
        path = out / f"orgnet-demo-{profile}.xlsx"
        _write_xlsx(path, tables, f"{prof.county}示范台账")
        paths.append(path)
    del tables
    manifest = out / "manifest.json"
    doc = {"profile": profile, "seed": int(seed), "scale": float(scale), "gap_rate": float(gap_rate),
           "params": PARAMS, "county": prof.county, "report": prof.seed_report, "chain": prof.chain,
           "figures": figures, "counts": counts, "rules": rules}
    manifest.write_text(json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    return Generated(profile, int(seed), float(scale), fmt, out, paths, manifest, counts, rules, figures)


def default_out_dir(store, profile: str, seed: int) -> Path:
    """``<directory of the Kùzu database>/demo/<profile>-s<seed>``, else ``data/demo/<profile>-s<seed>``."""
    if getattr(store, "backend", "") == "kuzu" and getattr(store, "location", ""):
        return Path(store.location).parent / "demo" / f"{profile}-s{seed}"
    return Path("data") / "demo" / f"{profile}-s{seed}"


def run_demo(store, profile: str = "gaoqing", scale: float = 1.0, seed: int = 1, out_dir: str | Path | None = None,
             progress=None, archive: Path | None = None, gap_rate: float = 0.02, fmt: str = "xlsx",
             user: str | None = None, as_of=None):
    """Generate the demo county and load it into ``store`` through ``loaders.engine.load``
    (recorded as ``user``'s load: the logged-in account, else the OS account; ``as_of``: the date the
    ledgers describe, default today)."""
    from loaders.engine import load

    out = Path(out_dir) if out_dir is not None else default_out_dir(store, profile, seed)
    if progress:
        progress("生成示范县 Generating", 0, 1)
    g = generate(profile, scale=scale, seed=seed, out_dir=out, fmt=fmt, gap_rate=gap_rate)
    return load(g.paths, store, archive=archive, progress=progress, user=user, as_of=as_of)
