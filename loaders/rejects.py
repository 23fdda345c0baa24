"""The rejects workbook: every row a ``--skip-invalid`` load left out, as it was read, with its
reasons, one sheet per source sheet (the file a community gets back to fix its ledger).

ID-card and phone numbers (any run of 11 or more digits, valid or not) keep only their first three
and last four characters: the clerk finds the row by its row number in their own file, and the
workbook is written owner-only (0600).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

_LONG_NUMBER = re.compile(r"(?<![0-9])([0-9]{3})[0-9 \-]{4,}([0-9]{3}[0-9Xx])(?![0-9])")


def hide_numbers(value):
    """13800001111 → 138****1111, 11010519491231002X → 110***********002X; other values unchanged."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) >= 1e10:
        value = str(int(value))
    if not isinstance(value, str):
        return value
    return _LONG_NUMBER.sub(lambda m: m.group(1) + "*" * (len(m.group(0)) - 7) + m.group(2)
                            if sum(ch.isdigit() for ch in m.group(0)) >= 11 else m.group(0), value)


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
            reasons = "；".join(f"[{e.column}] {hide_numbers(e.message)}" for e in rec.errors)
            append_safe(ws, [sd.file, sd.sheet, rec.row, reasons] + [hide_numbers(rec.raw.get(c)) for c in sd.columns])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    os.chmod(path, 0o600)  # it holds people's names: owner only
    return path
