"""Cell cleaning and typed conversion for 台账 cells.

``clean`` turns whatever a spreadsheet cell holds into tidy text (or ``None``); the ``to_*`` and
``check_*`` functions turn that text into typed values or raise ``CellError`` with a stable
``code`` for programs and a Chinese ``message`` that tells the user how to fix the cell.

Every converter cleans its input first, so it accepts both cleaned text and raw cell values.
"""
from __future__ import annotations

import datetime as dt
import difflib
import math
import numbers
import operator
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

Raw = str | int | float | bool | dt.datetime | dt.date | dt.time | dt.timedelta | None


class CellError(ValueError):
    """A cell value that cannot be used as it is.

    Attributes
    ----------
    code : str
        Stable kebab-case code: ``empty``, ``type-error``, ``bad-int``, ``bad-float``, ``bad-bool``,
        ``bad-date``, ``bad-timestamp``, ``scientific-id``, ``bad-id-card``, ``bad-mobile``.
    message : str
        Chinese, says what is wrong and how to fix it.
    """

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message


# --- clean -----------------------------------------------------------------------------------

# Chinese text uses these full-width marks as its own punctuation (and the model's allowed values
# are written with them), so only the other full-width ASCII forms are folded to half-width.
_KEEP_FULL_WIDTH = "！（），：；？"
_HALF_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F) if chr(cp) not in _KEEP_FULL_WIDTH}
_HALF_WIDTH[0x3000] = ord(" ")
# Invisible characters that sneak in from web pages and Word: NBSPs, zero-width marks, BOM,
# soft hyphen, and C0 controls that no ledger means to contain.
_INVISIBLE = re.compile("[\u00a0\u2007\u202f\u200b\u200c\u200d\u2060\ufeff\u00ad\x00-\x08\x0e-\x1f\x7f]")
_SPACES = re.compile(r"\s+")
# Text that ``clean`` would return unchanged: single spaces between runs of characters that are
# neither whitespace nor invisible nor full-width ASCII. Most ledger cells are like this, and
# checking is several times cheaper than cleaning.
_NOT_PLAIN = "\\s\u00a0\u2007\u202f\u200b\u200c\u200d\u2060\ufeff\u00ad\x00-\x1f\x7f\uff01-\uff5e\u3000"
_PLAIN = re.compile(f"[^{_NOT_PLAIN}]+(?: [^{_NOT_PLAIN}]+)*")


def clean(value: Raw) -> str | None:
    """Tidy text of a raw cell value, or None when the cell is empty.

    Parameters
    ----------
    value : str, int, float, bool, datetime, date, time, timedelta or None
        What the spreadsheet or CSV reader produced.

    Returns
    -------
    str or None
        Text with full-width ASCII (except the Chinese punctuation ``！（），：；？``) and the
        ideographic space folded to half-width, invisible characters removed, runs of whitespace
        collapsed to one space and the ends stripped. Line breaks inside a cell are kept (one
        per line, blank lines dropped) because they separate list items and header notes.
        Whole floats become integer text; floats of 16 or more digits, which Excel cannot hold
        exactly, are shown as Excel shows them (``3.70102198801011E+17``) so ``fix_id`` can
        tell the digits are lost. Dates become ISO text.

    Raises
    ------
    CellError
        ``type-error`` for a value of a type no spreadsheet produces.
    """
    if value is None:
        return None
    if isinstance(value, str):
        if _PLAIN.fullmatch(value):
            return value
        text = value
    elif isinstance(value, bool):  # before int: bool is an int subclass
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, numbers.Integral):  # also numpy integers, should pandas be in between
        text = str(int(value))
    elif isinstance(value, numbers.Real):
        text = _float_text(float(value))
    elif isinstance(value, dt.datetime):
        text = _datetime_text(value)
    elif isinstance(value, (dt.date, dt.time)):
        text = value.isoformat()
    elif isinstance(value, dt.timedelta):  # openpyxl's reading of durations such as [h]:mm
        minutes, seconds = divmod(round(value.total_seconds()), 60)
        text = f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d}"
    else:
        raise CellError("type-error", f"无法识别的单元格内容（{type(value).__name__}）：请改为文字或数字")
    if text is None:
        return None
    text = _INVISIBLE.sub("", text.translate(_HALF_WIDTH))
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line) or None


def _float_text(v: float) -> str | None:
    if math.isnan(v) or math.isinf(v):
        return None
    if abs(v) >= 1e15:
        # Excel keeps 15 significant digits: anything longer already lost its tail.
        mantissa, exponent = f"{v:.14E}".split("E")
        return f"{mantissa.rstrip('0').rstrip('.')}E{exponent}"
    if v.is_integer():
        return str(int(v))
    return format(v, ".15g").upper()


def _datetime_text(v: dt.datetime) -> str:
    # Excel stores times as fractions of a day, so 08:30 may come back as 08:29:59.999999.
    try:
        v = (v + dt.timedelta(microseconds=500_000)).replace(microsecond=0, tzinfo=None)
    except OverflowError:  # 9999-12-31 23:59:59.9 cannot round up; the date checks refuse it later
        v = v.replace(microsecond=0, tzinfo=None)
    if v.time() == dt.time(0):
        return v.date().isoformat()
    return v.isoformat(timespec="seconds")


def _text(s: Raw) -> str:
    """Cleaned text for a converter; empty cells are an error (callers check emptiness first)."""
    text = clean(s)
    if text is None:
        raise CellError("empty", "此处为空：请填写内容")
    return text


# --- numbers and booleans --------------------------------------------------------------------

INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")


def _decimal(text: str) -> Decimal | None:
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    try:
        d = Decimal(text)
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def to_int(s: Raw) -> int:
    """Integer from text such as ``12``, ``12.0``, ``1,200`` or ``+3``.

    Raises
    ------
    CellError
        ``bad-int`` (or ``empty``).
    """
    text = _text(s)
    d = _decimal(text)
    if d is None or d != d.to_integral_value():
        raise CellError("bad-int", f"“{text}”不是整数：请只填阿拉伯数字，如 12，不要带单位或文字")
    if not INT64_MIN <= d <= INT64_MAX:
        raise CellError("bad-int", f"“{text}”太大，超出了可以保存的整数范围：请核对是否多输了数字")
    return int(d)


def to_float(s: Raw) -> float:
    """Number from text such as ``12.5``, ``-3`` or ``1,234.5``.

    Raises
    ------
    CellError
        ``bad-float`` (or ``empty``).
    """
    text = _text(s)
    d = _decimal(text)
    if d is None:
        raise CellError("bad-float", f"“{text}”不是数字：请只填数字，如 12.5，不要带单位或文字")
    value = float(d)
    if math.isinf(value):
        raise CellError("bad-float", f"“{text}”太大，超出了可以保存的数字范围：请核对是否多输了数字")
    return value


_TRUE = {"是", "有", "y", "yes", "true", "1", "√", "✓", "✔"}
_FALSE = {"否", "无", "n", "no", "false", "0", "×", "✗", "✘"}


def to_bool(s: Raw) -> bool:
    """Yes/no from 是/否, 有/无, Y/N, yes/no, true/false, 1/0, √/×, ✓/✗ (any case).

    Raises
    ------
    CellError
        ``bad-bool`` (or ``empty``).
    """
    text = _text(s)
    if text.casefold() in _TRUE:
        return True
    if text.casefold() in _FALSE:
        return False
    raise CellError("bad-bool", f"“{text}”无法识别为是/否：请填写“是”或“否”（也可写 有/无、Y/N、√/×）")


# --- dates and times -------------------------------------------------------------------------

_DATE = re.compile(r"(\d{4})\s*(?:([-/.])\s*(\d{1,2})\s*\2|年\s*(\d{1,2})\s*月)\s*(\d{1,2})(?:\s*[日号])?")
_TIME = re.compile(r"(?:\s*T\s*|\s+)(\d{1,2})[:：](\d{1,2})(?:[:：](\d{1,2})(?:\.(\d+))?)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SERIAL = re.compile(r"(\d{1,5})(\.\d+)?")
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_DATE_HINT = "请写成 2023-05-01 或 2023/5/1"


def _excel_serial(whole: int, fraction: str | None, text: str) -> dt.datetime:
    if not 1 <= whole <= 80000:
        raise CellError("bad-date", f"日期无法识别：“{text}”不像日期，{_DATE_HINT}")
    if whole == 60:
        raise CellError("bad-date", f"日期不存在：Excel 序号 60 对应并不存在的 1900-02-29，{_DATE_HINT}")
    # Excel pretends 1900 was a leap year, so serials before that phantom day are one day off.
    day = _EXCEL_EPOCH + dt.timedelta(days=whole + (1 if whole < 60 else 0))
    seconds = round(float("0" + (fraction or "")) * 86400)
    return day + dt.timedelta(seconds=seconds)


def _make(text: str, y: str, m: str, d: str, time: tuple = ()) -> dt.datetime:
    try:
        return dt.datetime(int(y), int(m), int(d), *(int(t) for t in time))
    except ValueError:
        raise CellError("bad-date", f"日期不存在：“{text}”，请检查年、月、日或时间是否写错") from None


def _parse_moment(text: str, hint: str) -> dt.datetime:
    """The moment any accepted date or date-time text means (midnight when it has no time)."""
    if m := _DATE.match(text):
        rest = text[m.end():]
        time = _TIME.fullmatch(rest)
        if rest and time is None:
            raise CellError("bad-date", f"日期无法识别：“{text}”，{hint}")
        parts = ()
        if time:
            h, mi, sec, frac = time.groups()
            parts = (h, mi, sec or 0, (frac or "0")[:6].ljust(6, "0"))
        return _make(text, m[1], m[3] or m[4], m[5], parts)
    if m := _COMPACT.fullmatch(text):
        return _make(text, *m.groups())
    if m := _SERIAL.fullmatch(text):
        whole = int(m[1])
        if 1900 <= whole <= 2100 and not m[2]:
            # A bare year is far likelier than an Excel serial in 1905.
            raise CellError("bad-date", f"日期不完整：“{text}”只有年份，{hint}")
        return _excel_serial(whole, m[2], text)
    raise CellError("bad-date", f"日期无法识别：“{text}”，{hint}")


def to_date(s: Raw) -> dt.date:
    """Date from ``2023-05-01``, ``2023/5/1``, ``2023.5.1``, ``2023年5月1日``, ``20230501`` or an
    Excel serial number (1..80000, e.g. ``45047``). A time after the date is accepted and dropped.

    A bare year (``2023``) is refused rather than read as an Excel serial in 1905.

    Raises
    ------
    CellError
        ``bad-date`` (or ``empty``).
    """
    return _parse_moment(_text(s), _DATE_HINT).date()


def to_timestamp(s: Raw) -> dt.datetime:
    """Date and time from the forms ``to_date`` accepts, optionally followed by ``08:30`` or
    ``08:30:15`` (after a space or ``T``), or an Excel serial with a fraction; a date alone
    means midnight.

    Raises
    ------
    CellError
        ``bad-timestamp`` (or ``empty``).
    """
    try:
        return _parse_moment(_text(s), "请写成 2023-05-01 08:30 或 2023/5/1 8:30:00")
    except CellError as e:
        if e.code != "bad-date":
            raise
        raise CellError("bad-timestamp", e.message) from None


# --- lists -----------------------------------------------------------------------------------

_LIST_SEPARATORS = re.compile(r"[、,，;；/｜|\n]")


def to_list(s: Raw) -> list[str]:
    """Items of a list cell split on 、 , ， ; ； / ｜ | and line breaks; empty cell → []."""
    text = clean(s)
    if text is None:
        return []
    return [item.strip() for item in _LIST_SEPARATORS.split(text) if item.strip()]


# --- identifiers -----------------------------------------------------------------------------

_SCIENTIFIC = re.compile(r"[+-]?\d+(\.\d*)?[eE][+-]?\d+")
_TRAILING_ZEROS = re.compile(r"(\d+)\.0+")


def fix_id(s: Raw) -> str:
    """An identifier as the user typed it, undoing what Excel did to it.

    ``1.0`` → ``1`` and ``123.00`` → ``123`` (a number column); other text is returned cleaned.

    Raises
    ------
    CellError
        ``scientific-id`` when Excel turned the identifier into scientific notation
        (``3.70102198801011E+17``): the trailing digits are gone and must be re-entered.
        ``empty`` for an empty cell.
    """
    text = _text(s)
    if _SCIENTIFIC.fullmatch(text):
        raise CellError(
            "scientific-id",
            f"编号“{text}”已被 Excel 变成科学计数法，后几位数字已经丢失、无法恢复："
            "请在 Excel 中把这一列的单元格格式设为“文本”，再重新输入完整的号码",
        )
    if m := _TRAILING_ZEROS.fullmatch(text):
        return m[1]
    return text


_ID_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]
_ID_CHECK = "10X98765432"


def id_check_char(first17: str) -> str:
    """The GB 11643 check character (ISO 7064 MOD 11-2) for the first 17 digits of an ID."""
    return _ID_CHECK[sum(map(operator.mul, map(int, first17[:17]), _ID_WEIGHTS)) % 11]


_ID_15 = re.compile(r"\d{15}")
_ID_18 = re.compile(r"\d{17}[\dX]")


def check_id_card(s: Raw) -> str:
    """A mainland resident ID: 18 characters with a valid birth date and check character
    (returned with an upper-case X), or an old 15-digit card as it is.

    Raises
    ------
    CellError
        ``bad-id-card`` saying whether the length, the birth date or the check character is
        wrong; ``scientific-id`` when Excel turned the number into ``3.70102198801011E+17``.
    """
    text = _SPACES.sub("", fix_id(s)).upper()
    if _ID_15.fullmatch(text):
        return text
    if len(text) != 18:
        raise CellError("bad-id-card", f"身份证号“{text}”有 {len(text)} 位，应为 18 位：请检查是否多输或漏输了数字")
    if not _ID_18.fullmatch(text):
        raise CellError("bad-id-card", f"身份证号“{text}”含有非法字符：前 17 位应全是数字，最后一位是数字或 X")
    try:
        birth = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        birth = None
    if birth is None or birth.year < 1900 or birth > dt.date.today():
        raise CellError("bad-id-card", f"身份证号“{text}”中的出生日期 {text[6:14]} 不是有效日期：请核对第 7–14 位")
    expected = id_check_char(text[:17])
    if text[17] != expected:
        raise CellError(
            "bad-id-card",
            f"身份证号“{text}”校验位不对：按前 17 位计算，最后一位应为 {expected}，现为 {text[17]}；请核对整串号码是否抄错",
        )
    return text


_MOBILE = re.compile(r"1[3-9]\d{9}")
_FIXED_LINE = re.compile(r"0\d{2,3}-?\d{7,8}")


def check_mobile(s: Raw) -> str:
    """A mainland mobile number as 11 digits (spaces, dashes and a leading +86/86 tolerated),
    or a fixed-line number with area code (``0533-1234567``, ``05331234567``) as cleaned text.

    Raises
    ------
    CellError
        ``bad-mobile`` (or ``empty``).
    """
    text = _text(s)
    compact = re.sub(r"[\s-]", "", text)
    if _FIXED_LINE.fullmatch(re.sub(r"\s", "", text)):
        return text
    digits = re.sub(r"^\+?86(?=\d{11}$)", "", compact)
    if _MOBILE.fullmatch(digits):
        return digits
    if re.fullmatch(r"\d+", digits) and len(digits) != 11:
        reason = f"有 {len(digits)} 位，手机号应为 11 位"
    elif re.fullmatch(r"\d{11}", digits):
        reason = "手机号应以 13–19 开头"
    else:
        reason = "含有数字以外的字符"
    raise CellError(
        "bad-mobile",
        f"电话“{text}”无法识别（{reason}）：请填写 11 位手机号，或带区号的固定电话如 0533-1234567",
    )


# --- suggestions -----------------------------------------------------------------------------


def suggest(value: Raw, allowed: Iterable[str]) -> str | None:
    """The allowed value the user most likely meant, or None if nothing is close.

    An exact match (ignoring case) wins, then an allowed value that contains the text or is
    contained in it (``大产权`` → ``大产权小区``), then the closest by ``difflib``.
    """
    text = clean(value)
    allowed = [a for a in allowed if a]
    if text is None or not allowed:
        return None
    key = text.casefold()

    def ratio(a: str) -> float:
        return difflib.SequenceMatcher(None, key, a.casefold()).ratio()

    for a in allowed:
        if a.casefold() == key:
            return a
    # One-character overlaps ("区" in every 小区 type) say nothing about intent.
    containing = [a for a in allowed if min(len(key), len(a)) >= 2 and (key in a.casefold() or a.casefold() in key)]
    if containing:
        return max(containing, key=ratio)
    close = difflib.get_close_matches(key, [a.casefold() for a in allowed], n=1, cutoff=0.6)
    if close:
        return next(a for a in allowed if a.casefold() == close[0])
    return None
