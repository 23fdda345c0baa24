"""The rejects workbook: every row a ``--skip-invalid`` load left out, exactly as it was read, with
its reasons, one sheet per source sheet (the file a community gets back to fix its ledger)."""
from __future__ import annotations

from pathlib import Path


def write_rejects(v, path: Path) -> Path:
    """Every rejected row, as it was read, with its reasons, one sheet per source sheet."""
    from openpyxl import Workbook

    from .xlsx import append_safe

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for sd in v.sheets:
        bad = [r for r in sd.records if r.errors]
        if not bad:
            continue
        title = (sd.spec.zh + ("-" + Path(sd.file).stem if sd.file else ""))[:31]
        while title in used:
            title = title[:28] + f"{len(used):03d}"
        used.add(title)
        ws = wb.create_sheet(title)
        append_safe(ws, ["来源文件", "工作表", "原行号", "错误原因"] + sd.columns)
        for rec in bad:
            reasons = "；".join(f"[{e.column}] {e.message}" for e in rec.errors)
            append_safe(ws, [sd.file, sd.sheet, rec.row, reasons] + [rec.raw.get(c) for c in sd.columns])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
