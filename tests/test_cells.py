"""Cell cleaning and typed conversion (loaders.cells)."""
from __future__ import annotations

import datetime as dt

import pytest

from loaders.cells import (
    CellError,
    check_id_card,
    check_mobile,
    clean,
    fix_id,
    suggest,
    to_bool,
    to_date,
    to_float,
    to_int,
    to_list,
    to_timestamp,
)


def iso7064_check(base17: str) -> str:
    """GB 11643 check character, written from the standard's formula independently of the code."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(base17))
    c = (12 - total % 11) % 11
    return "X" if c == 10 else str(c)


ID_BASE = "11010519491231002"
VALID_ID = ID_BASE + iso7064_check(ID_BASE)


def error_code(fn, value) -> str:
    with pytest.raises(CellError) as info:
        fn(value)
    assert info.value.message and str(info.value) == info.value.message
    return info.value.code


# --- clean -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        (None, None),
        ("", None),
        ("  \u3000 \t", None),
        ("  阳光小区  ", "阳光小区"),
        ("１２３", "123"),
        ("ＡＢｃ－１", "ABc-1"),
        ("阳光\u3000小区", "阳光 小区"),
        ("a  \t b", "a b"),
        ("张\u00a0三\u200b", "张三"),
        ("\ufeff名称", "名称"),
        ("大产权小区（一期）、二期", "大产权小区（一期）、二期"),
        ("是，否；好！", "是，否；好！"),
        (" 张三 \r\n\r\n 李四  王五 ", "张三\n李四 王五"),
        (7, "7"),
        (1.0, "1"),
        (-0.0, "0"),
        (13800001111.0, "13800001111"),
        (12.5, "12.5"),
        (0.1 + 0.2, "0.3"),
        (float("nan"), None),
        (370102198801011234.0, "3.70102198801011E+17"),
        (3.70102198801011e17, "3.70102198801011E+17"),
        (1.23e17, "1.23E+17"),
        (True, "TRUE"),
        (False, "FALSE"),
        (dt.date(2023, 5, 1), "2023-05-01"),
        (dt.datetime(2023, 5, 1), "2023-05-01"),
        (dt.datetime(2023, 5, 1, 8, 30), "2023-05-01T08:30:00"),
        (dt.datetime(2023, 5, 1, 8, 29, 59, 999_999), "2023-05-01T08:30:00"),
        (dt.time(8, 30), "08:30:00"),
        (dt.timedelta(hours=26, minutes=5), "26:05:00"),
    ],
)
def test_clean(raw, expected):
    assert clean(raw) == expected


def test_clean_is_idempotent():
    text = clean("  ＡＢ　１２（一期）\n 备注 ")
    assert clean(text) == text


def test_clean_rejects_unknown_types():
    assert error_code(clean, object()) == "type-error"


# --- numbers and booleans --------------------------------------------------------------------


@pytest.mark.parametrize("raw, expected", [("12", 12), (" １２ ", 12), ("12.0", 12), ("-3", -3), ("+4", 4),
                                           ("1,200", 1200), (7, 7), (7.0, 7), ("1E3", 1000)])
def test_to_int(raw, expected):
    assert to_int(raw) == expected


@pytest.mark.parametrize("raw", ["12.5", "十二", "12人", "1,2,3", "nan", "inf", "--1"])
def test_to_int_bad(raw):
    assert error_code(to_int, raw) == "bad-int"


@pytest.mark.parametrize("raw, expected", [("12.5", 12.5), ("-3", -3.0), ("1,234.5", 1234.5), ("０.５", 0.5), (2, 2.0)])
def test_to_float(raw, expected):
    assert to_float(raw) == expected


@pytest.mark.parametrize("raw", ["约12", "12.5.1", "NaN", "Infinity", "12%"])
def test_to_float_bad(raw):
    assert error_code(to_float, raw) == "bad-float"


@pytest.mark.parametrize("fn", [to_int, to_float, to_bool, to_date, to_timestamp, fix_id, check_id_card, check_mobile])
@pytest.mark.parametrize("raw", [None, "", "  "])
def test_converters_refuse_empty(fn, raw):
    assert error_code(fn, raw) == "empty"


@pytest.mark.parametrize("raw", ["是", "有", "Y", "y", "YES", "true", "TRUE", "1", "√", "✓", 1, True])
def test_to_bool_true(raw):
    assert to_bool(raw) is True


@pytest.mark.parametrize("raw", ["否", "无", "N", "no", "False", "0", "×", "✗", 0, False])
def test_to_bool_false(raw):
    assert to_bool(raw) is False


@pytest.mark.parametrize("raw", ["是的", "2", "ok", "不详"])
def test_to_bool_bad(raw):
    assert error_code(to_bool, raw) == "bad-bool"


# --- dates and times -------------------------------------------------------------------------

MAY_1 = dt.date(2023, 5, 1)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2023-05-01", MAY_1),
        ("2023/5/1", MAY_1),
        ("2023.5.1", MAY_1),
        ("2023年5月1日", MAY_1),
        ("2023年05月01号", MAY_1),
        ("２０２３－０５－０１", MAY_1),
        ("20230501", MAY_1),
        ("45047", MAY_1),
        (45047, MAY_1),
        (45047.75, MAY_1),
        ("2023-05-01 08:30:00", MAY_1),
        ("2023/5/1 8:30", MAY_1),
        ("2023-05-01T08:30:00", MAY_1),
        (dt.date(2023, 5, 1), MAY_1),
        (dt.datetime(2023, 5, 1, 8, 30), MAY_1),
        # Excel's 1900 leap-year bug: serials up to 59 are before the phantom 1900-02-29.
        ("1", dt.date(1900, 1, 1)),
        ("59", dt.date(1900, 2, 28)),
        ("61", dt.date(1900, 3, 1)),
        ("80000", dt.date(2119, 1, 11)),
    ],
)
def test_to_date(raw, expected):
    assert to_date(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["60", "0", "80001", "2023", "2023-02-30", "2023-13-01", "20231301", "5/1/2023", "2023-05", "明天",
     "2023-05-01 下午", "2023-05-01 25:00", "2023-5/1"],
)
def test_to_date_bad(raw):
    assert error_code(to_date, raw) == "bad-date"


def test_to_date_message_says_how_to_write_it():
    with pytest.raises(CellError) as info:
        to_date("五月一日")
    assert "2023-05-01" in info.value.message and "2023/5/1" in info.value.message


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2023-05-01 08:30", dt.datetime(2023, 5, 1, 8, 30)),
        ("2023/5/1 8:30:15", dt.datetime(2023, 5, 1, 8, 30, 15)),
        ("2023-05-01T08:30:00", dt.datetime(2023, 5, 1, 8, 30)),
        ("2023-05-01 08:30:00.25", dt.datetime(2023, 5, 1, 8, 30, 0, 250_000)),
        ("2023-05-01 08：30", dt.datetime(2023, 5, 1, 8, 30)),
        ("2023年5月1日", dt.datetime(2023, 5, 1)),
        ("45047.5", dt.datetime(2023, 5, 1, 12)),
        (dt.datetime(2023, 5, 1, 8, 30), dt.datetime(2023, 5, 1, 8, 30)),
    ],
)
def test_to_timestamp(raw, expected):
    assert to_timestamp(raw) == expected


@pytest.mark.parametrize("raw", ["2023-05-01 8点", "2023-05-01 24:00", "60", "早上八点"])
def test_to_timestamp_bad(raw):
    assert error_code(to_timestamp, raw) == "bad-timestamp"


# --- lists -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("张三、李四", ["张三", "李四"]),
        ("张三, 李四，王五;赵六；孙七/周八｜吴九|郑十", ["张三", "李四", "王五", "赵六", "孙七", "周八", "吴九", "郑十"]),
        ("张三\n李四\r\n王五", ["张三", "李四", "王五"]),
        ("张三、、 、李四、", ["张三", "李四"]),
        ("单独一项", ["单独一项"]),
        ("", []),
        (None, []),
    ],
)
def test_to_list(raw, expected):
    assert to_list(raw) == expected


# --- identifiers -----------------------------------------------------------------------------


@pytest.mark.parametrize("raw, expected", [("1.0", "1"), ("123.00", "123"), (1.0, "1"), (123, "123"),
                                           ("A-001", "A-001"), (" 0012 ", "0012"), ("1.5", "1.5")])
def test_fix_id(raw, expected):
    assert fix_id(raw) == expected


@pytest.mark.parametrize("raw", ["1.23E+17", "3.70102198801011E+17", "3.70102E+17", "1e5", 370102198801011234.0])
def test_fix_id_scientific(raw):
    assert error_code(fix_id, raw) == "scientific-id"


def test_fix_id_message_tells_to_use_text_format():
    with pytest.raises(CellError) as info:
        fix_id("3.70102198801011E+17")
    assert "文本" in info.value.message and "丢失" in info.value.message


def test_iso7064_reference():
    assert iso7064_check(ID_BASE) == "X"


def test_check_id_card_valid():
    assert VALID_ID == "11010519491231002X"
    assert check_id_card(VALID_ID) == VALID_ID
    assert check_id_card(VALID_ID.lower()) == VALID_ID
    assert check_id_card(f" {VALID_ID[:6]} {VALID_ID[6:]} ") == VALID_ID
    base = "37010219880101123"
    assert check_id_card(base + iso7064_check(base)) == base + iso7064_check(base)


def test_check_id_card_accepts_old_15_digit_cards():
    assert check_id_card("370102880101123") == "370102880101123"


def test_check_id_card_wrong_length():
    with pytest.raises(CellError) as info:
        check_id_card(VALID_ID[:-1] + "00")
    assert info.value.code == "bad-id-card" and "19" in info.value.message and "18" in info.value.message


def test_check_id_card_bad_birth_date():
    base = "11010519490231002"  # 1949-02-31
    with pytest.raises(CellError) as info:
        check_id_card(base + iso7064_check(base))
    assert info.value.code == "bad-id-card" and "出生日期" in info.value.message


def test_check_id_card_future_birth_date():
    base = "11010521990101002"
    with pytest.raises(CellError) as info:
        check_id_card(base + iso7064_check(base))
    assert info.value.code == "bad-id-card" and "出生日期" in info.value.message


def test_check_id_card_wrong_check_digit_names_the_expected_one():
    with pytest.raises(CellError) as info:
        check_id_card(ID_BASE + "5")
    assert info.value.code == "bad-id-card"
    assert "校验位" in info.value.message and "应为 X" in info.value.message


@pytest.mark.parametrize("raw", ["11010519491231002Y", "1101051949123100X2", "abc"])
def test_check_id_card_bad_characters(raw):
    assert error_code(check_id_card, raw) == "bad-id-card"


def test_check_id_card_scientific():
    assert error_code(check_id_card, 370102198801011234.0) == "scientific-id"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("13800001111", "13800001111"),
        (13800001111.0, "13800001111"),
        ("138 0000 1111", "13800001111"),
        ("138-0000-1111", "13800001111"),
        ("+86 138 0000 1111", "13800001111"),
        ("8613800001111", "13800001111"),
        ("１９９００００１１１１", "19900001111"),
        ("0533-1234567", "0533-1234567"),
        ("05331234567", "05331234567"),
        ("010-12345678", "010-12345678"),
    ],
)
def test_check_mobile(raw, expected):
    assert check_mobile(raw) == expected


@pytest.mark.parametrize("raw", ["1380000111", "12800001111", "138000011112", "电话138", "1234567", "+1 650 253 0000"])
def test_check_mobile_bad(raw):
    assert error_code(check_mobile, raw) == "bad-mobile"


# --- suggestions -----------------------------------------------------------------------------

KINDS = ["商品房小区", "大产权小区", "小产权小区", "老旧小区", "单位宿舍"]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("大产权", "大产权小区"),
        ("大产权小区", "大产权小区"),
        ("大产权小区（一期）", "大产权小区"),
        ("商品房", "商品房小区"),
        ("老旧小去", "老旧小区"),
        ("单位宿舍楼", "单位宿舍"),
        ("区", None),
        ("农贸市场", None),
        ("", None),
    ],
)
def test_suggest(raw, expected):
    assert suggest(raw, KINDS) == expected


def test_suggest_ignores_case():
    assert suggest("yes", ["YES", "NO"]) == "YES"
    assert suggest("x", []) is None
