"""Row fingerprints (graph/fingerprint.py): the column reader's (cells joined in Arrow, each joined
row hashed from its bytes) and the row reader's (one text per row) are the same for the same row."""
from __future__ import annotations

import pyarrow as pa
import xxhash

from graph.fingerprint import VERSION, row_fingerprint, rows_fingerprints, salt, table_fingerprints
from loaders import reading
from loaders.engine import is_header

CELLS = [["H1", "H2", "", "户 4", "H\u00e95", None], ["138 0000 1111", None, "x", "全角：ＡＢＣ", "", "2023/5/1"]]


def test_both_ways_give_the_xxh3_of_the_joined_cells():
    prefix = salt(VERSION, ["住户编号", "联系电话"])
    by_table = table_fingerprints(prefix, [pa.array(c, pa.string()) for c in CELLS]).to_pylist()
    assert by_table == rows_fingerprints(prefix, CELLS)
    text = "\x1f".join([prefix, "H1", "138 0000 1111"])
    assert by_table[0] == xxhash.xxh3_64_hexdigest(text.encode("utf-8")) == row_fingerprint(prefix, ["H1", "138 0000 1111"])
    assert len(set(by_table)) == len(by_table)  # an empty cell and a missing one hash alike, rows differ
    assert row_fingerprint(salt(VERSION, ["住户编号", "电话"]), ["H1", "138 0000 1111"]) != by_table[0]  # headers count


def test_the_column_reader_and_the_row_reader_fingerprint_a_csv_alike():
    data = "住户编号,门牌地址,所属单元编号\nH1, 和园小区1号楼 ,U1\nH2,,U2\nH3,\"引号,逗号\",U3\n".encode("utf-8-sig")
    fast = reading._arrow_csv(data, "住户.csv", is_header)
    slow = reading._to_columns("住户.csv", "", reading._text_records(data, "住户.csv"), is_header)
    assert fast is not None and fast.numbers == slow.numbers == [2, 3, 4]
    assert fast.fingerprints == slow.fingerprints and len(set(fast.fingerprints)) == 3
