"""The columnar loader: tables read by column agree with the row reader, a re-load is compared with
the database in Arrow exactly as the Python comparison would, and the plan holds no dict per row."""
from __future__ import annotations

import pytest

from ledgers import MINI, MINI_COUNTS, write_csvs
from loaders import incremental
from loaders.engine import _plan, load, validate
from loaders.plan import size
from loaders.reading import read_columns, read_file


def test_read_columns_holds_what_read_file_holds(tmp_path):
    text = "台账\n\n姓名,电话,备注\n张三,13800001111,\n,,\n李四, 138 0000 2222 ,ＡＢＣ\n王五\n"
    path = tmp_path / "人员.csv"
    path.write_text(text, encoding="utf-8")
    table, = read_columns(path)
    sheet, = read_file(path)
    assert (table.header_row, table.columns, table.numbers) == (sheet.header_row, sheet.columns, [r.number for r in sheet.rows])
    assert [dict(zip(table.columns, v)) for v in zip(*table.cells.values())] == [r.values for r in sheet.rows]
    assert table.numbers == [4, 6, 7]  # the blank row 5 is not a row, numbers stay Excel's
    assert table.cells["电话"] == ["13800001111", "138 0000 2222", None]
    assert table.cells["备注"] == [None, "ABC", None]  # full-width letters folded, short rows padded


def test_the_plan_is_column_batches(tmp_path):
    v = validate(write_csvs(tmp_path))
    nodes, rels = _plan(v, "L1")
    written = {}
    for label, cols in nodes:
        assert len({len(c) for c in cols.values()}) == 1, label  # every column as long as the batch
        assert set(cols["src_load"]) == {"L1"}
        written[label] = written.get(label, 0) + size(cols)
    for (t, _, _), cols in rels:
        assert len(set(zip(cols["src"], cols["dst"]))) == size(cols), t  # each pair once
        written[t] = written.get(t, 0) + size(cols)
    assert written == MINI_COUNTS
    assert all(len(sd) == 0 and not any(sd.values.values()) for sd in v.sheets)  # each sheet let go once planned


@pytest.mark.parametrize("change", ["none", "address", "list", "date", "bool"])
def test_arrow_comparison_agrees_with_the_python_one(store, tmp_path, monkeypatch, change):
    load(write_csvs(tmp_path / "a"), store)
    ledgers = dict(MINI)
    if change == "address":
        ledgers["住户"] = MINI["住户"].replace("H2,和园小区2号楼1单元101", "H2,和园小区2号楼1单元102")
    elif change == "list":
        ledgers["住户"] = MINI["住户"].replace("独居老人、低保户", "独居老人")
    elif change == "date":
        ledgers["包联"] = MINI["包联"].replace("2023/5/1", "2023/5/2")
    elif change == "bool":
        ledgers["楼长"] = MINI["楼长"].replace("M1,B1,否,否", "M1,B1,是,否")
    v = validate(write_csvs(tmp_path / "b", ledgers), store)
    nodes, rels = _plan(v, "L2")
    batches = [(cols, {"label": label}) for label, cols in nodes] + [(cols, {"rel": trip}) for trip, cols in rels]
    arrow = [incremental.changed_columns(store, cols, **kind) for cols, kind in batches]
    monkeypatch.setattr(incremental, "_unchanged_arrow", lambda *a, **k: None)
    python = [incremental.changed_columns(store, cols, **kind) for cols, kind in batches]
    assert arrow == python
    rewritten = sum(size(cols) for cols, _ in arrow)
    assert rewritten == {"none": 0, "address": 1, "list": 1, "date": 1, "bool": 1}[change]
    # rows whose fingerprint the database holds were left out before parsing (incremental.unchanged_rows)
    left_out = sum((len(sd.unchanged) if sd.spec.is_node else 0) + sum(sd.unchanged.rels.values())
                   for sd in v.sheets if sd.unchanged is not None)
    assert sum(same for _, same in arrow) + left_out == sum(MINI_COUNTS.values()) - rewritten


def test_arrow_comparison_is_used_on_kuzu(kuzu_store, tmp_path, monkeypatch):
    load(write_csvs(tmp_path / "a"), kuzu_store)
    v = validate(write_csvs(tmp_path / "a"), kuzu_store)
    nodes, _ = _plan(v, "L2")
    monkeypatch.setattr(incremental, "_written_before", lambda *a, **k: pytest.fail("fell back to Python"))
    for label, cols in nodes:
        assert incremental.changed_columns(kuzu_store, cols, label=label) == ({c: [] for c in cols}, size(cols))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_arrow_csv_reader_equals_the_row_reader(tmp_path, encoding):
    from loaders import reading

    rows = ["台账（2024年）,,", "住户编号,门牌地址,备注", 'H1,"和园小区1号楼,1单元101",是',
            'H2,"多行\n地址",否', "H3,  散居  3号楼 ,是", "H4,ＡＢＣ\u00a0１２,否", ",,", "H5,x\u2003y,是"]
    rows += [f"H{i},地址{i},{'是' if i % 3 else '否'}" for i in range(6, 60)]
    path = tmp_path / "住户.csv"
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode(encoding))
    data = path.read_bytes()
    fast = reading._arrow_csv(data, path.name, None)
    assert fast is not None, "a regular file is read by pyarrow"
    slow = reading._to_columns(path.name, "", reading._text_records(data, path.name), None)
    assert fast == slow
    assert fast.numbers[:5] == [3, 4, 5, 6, 8]  # record 7 (",,") holds nothing: not a row
    assert fast.cells["门牌地址"][:4] == ["和园小区1号楼,1单元101", "多行\n地址", "散居 3号楼", "ABC12"]


@pytest.mark.parametrize("text", ["a,b\n1,2\n\n3,4\n", "a,b\n1,2,3\n4,5\n", "a,b\n1\n", "a,b\n1,\x002\n"])
def test_irregular_csv_goes_to_the_row_reader(text):
    from loaders import reading

    assert reading._arrow_csv(text.encode(), "x.csv", None) is None


@pytest.mark.parametrize("change", ["address", "date"])
def test_a_batch_compared_by_key_agrees_with_one_compared_by_scan(store, tmp_path, monkeypatch, change):
    """A re-load that leaves out most of a sheet's rows compares the rows it reads with the stored
    rows of the batch's own keys (``incremental.KEYED_RATIO``), or, for a node ledger's
    relationships, with what the scan that left the rows out fetched, instead of scanning everything
    the sheet wrote again: the same rows are kept, node and relationship batches alike."""
    load(write_csvs(tmp_path / "a"), store)
    ledgers = dict(MINI)
    if change == "address":
        ledgers["住户"] = MINI["住户"].replace("H2,和园小区2号楼1单元101", "H2,和园小区2号楼1单元102")
    else:
        ledgers["包联"] = MINI["包联"].replace("2023/5/1", "2023/5/2")
    v = validate(write_csvs(tmp_path / "b", ledgers), store)
    nodes, rels = _plan(v, "L2")
    batches = [(cols, {"label": label}) for label, cols in nodes] + [(cols, {"rel": trip}) for trip, cols in rels]
    scanned = [incremental.changed_columns(store, cols, **kind) for cols, kind in batches]
    asked: list[str] = []
    query_arrow = store.query_arrow
    monkeypatch.setattr(store, "query_arrow", lambda cypher, params=None: asked.append(cypher) or query_arrow(cypher, params))
    monkeypatch.setattr(incremental, "KEYED_RATIO", 0)  # every batch by key
    left_out = {(sd.file, sd.sheet): sd.unchanged for sd in v.sheets if sd.unchanged is not None}
    assert left_out[("住户.csv", "")].stored  # the households' relationships, from the scan that left rows out
    keyed = [incremental.changed_columns(store, cols, **kind, left_out=left_out) for cols, kind in batches]
    assert keyed == scanned
    # nodes by key, a node ledger's relationships from what the first scan fetched: no scan again
    assert asked and all(c.startswith("UNWIND $ids AS i MATCH ") and "{id: i}" in c for c in asked)
    assert sum(size(cols) for cols, _ in keyed) == 1


def test_kuzu_node_offsets_become_ids_even_where_the_sheet_did_not_write_the_node(kuzu_store, tmp_path):
    """On Kùzu a node ledger's relationships are fetched by node offset (``incremental._ids``): the
    offsets become ids from the sheet's own nodes, or, for a node it did not write, from its label."""
    load(write_csvs(tmp_path / "a"), kuzu_store)
    t = kuzu_store.query_arrow("MATCH (h:Household) RETURN h.id AS k, offset(id(h)) AS o")
    assert t.num_rows > 1
    assert incremental._ids(kuzu_store, "Household", t["o"], (t["k"], t["o"])).to_pylist() == t["k"].to_pylist()
    few = (t["k"].slice(0, 1), t["o"].slice(0, 1))  # the sheet's scan knows one of them
    assert incremental._ids(kuzu_store, "Household", t["o"], few).to_pylist() == t["k"].to_pylist()


@pytest.mark.parametrize("scan", [False, True], ids=["by-key", "one-scan"])
def test_a_row_whose_cells_changed_but_not_its_values_gets_the_new_fingerprint(store, tmp_path, monkeypatch, scan):
    """A re-typed cell (13800001111 → 138 0000 1111) changes the row's fingerprint but no value:
    nothing is rewritten, only the stored fingerprint is set (``incremental.restamp``), so the next
    re-load can leave the row out; no other row's fingerprint changes. Few rows are checked by key,
    many against one scan of what their sheet wrote (``RESTAMP_SCAN_ROWS``): both paths."""
    if scan:
        monkeypatch.setattr(incremental, "RESTAMP_SCAN_ROWS", 0)
    load(write_csvs(tmp_path / "a"), store)

    def hashes():
        got = store.query_columns("MATCH (p:Person) RETURN p.id AS k, p.src_hash AS h")
        return dict(zip(got["k"], got["h"]))

    before = hashes()
    ledgers = dict(MINI)
    ledgers["人员"] = MINI["人员"].replace("13800001111", "138 0000 1111")
    report = load(write_csvs(tmp_path / "b", ledgers), store)
    after = hashes()
    assert sum(report.written.values()) == report.unchanged  # no value changed
    assert {k for k in before if before[k] != after[k]} == {"M1"}
    again = load(write_csvs(tmp_path / "c", ledgers), store)
    assert hashes() == after and sum(again.written.values()) == again.unchanged
