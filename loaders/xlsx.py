"""Writing spreadsheets that are safe to open: no cell a user wrote can become a formula."""
from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@")


def append_safe(ws, values: list[Any]) -> None:
    """Append a row where every string is stored as text, so ``=HYPERLINK(...)`` stays inert
    and the value is kept exactly as it was (no quote prefix needed in a workbook)."""
    ws.append(values)
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
            cell.data_type = "s"


def neutralise_csv(value: Any) -> Any:
    """CSV has no cell types: prefix a quote, as OWASP advises, so Excel does not evaluate it."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
