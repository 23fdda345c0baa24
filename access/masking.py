"""Masking personal data: names, phone numbers and ID-card numbers, by what the value is.

Examples
--------
>>> mask_name("张小明"), mask_phone("13800005678"), mask_id_card("110101199003074512")
('张*明', '138****5678', '110101********4512')
>>> mask_rows([{"label": "Person", "name": "王芳", "phone": "13800005678"}])
[{'label': 'Person', 'name': '王*', 'phone': '138****5678'}]
"""
from __future__ import annotations

from typing import Any

#: result columns that hold people's names (lists of names too)
PERSON_COLUMNS = ("head_name", "non_members", "leaders")
SECRET_COLUMNS = ("phone", "id_card")


def mask_name(name: Any) -> Any:
    """张三 → 张*, 张小明 → 张*明, 欧阳小明 → 欧**明."""
    if not isinstance(name, str) or len(name) < 2:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: Any) -> Any:
    """13800005678 → 138****5678; other numbers keep their last four digits."""
    if not isinstance(phone, str) or len(phone) < 7:
        return phone
    if len(phone) == 11 and phone.isdigit():
        return phone[:3] + "****" + phone[-4:]
    return "*" * (len(phone) - 4) + phone[-4:]


def mask_id_card(value: Any) -> Any:
    if not isinstance(value, str) or len(value) < 10:
        return value
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_rows(rows: list[dict], people: bool = False) -> list[dict]:
    """Mask people's names, phones and ID numbers in result rows.

    ``people``: the rows are people, so their ``name`` column is a person's name. Rows with
    ``label == 'Person'`` are masked whatever ``people`` says.
    """
    out = []
    for r in rows:
        r = dict(r)
        if people or r.get("label") == "Person":
            r["name"] = mask_name(r.get("name"))
        for c in PERSON_COLUMNS:
            if c in r:
                r[c] = [mask_name(v) for v in r[c]] if isinstance(r[c], list) else mask_name(r[c])
        if "phone" in r:
            r["phone"] = mask_phone(r["phone"])
        if "id_card" in r:
            r["id_card"] = mask_id_card(r["id_card"])
        out.append(r)
    return out
