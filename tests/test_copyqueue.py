"""COPYs into empty tables run behind the loader (``graph.copyqueue``, ``KuzuTransaction._copy``):
in order, one at a time, memory bounded, and a failed COPY still fails the whole transaction."""
from __future__ import annotations

import threading
import time

import pytest

from graph.copyqueue import CopyQueue
from graph.kuzu_store import KuzuTransaction
from graph.store import StoreError
from ledgers import write_csvs
from loaders.archive import LoadFailed, archived_loads
from loaders.engine import load


def test_jobs_run_in_order_and_an_error_stops_the_rest():
    q, done = CopyQueue(), []
    for i in range(5):
        q.put(lambda i=i: (time.sleep(0.01), done.append(i)))
    q.wait()
    assert done == [0, 1, 2, 3, 4] and all(t is not None and t[0] <= t[1] for t in q.times)

    def fail():
        raise StoreError("COPY failed")

    gate = threading.Event()
    q.put(lambda: (gate.wait(), done.append(5)))
    q.put(fail)
    q.put(lambda: done.append(7))  # after the error: not run
    gate.set()
    with pytest.raises(StoreError, match="COPY failed"):
        q.wait()
    assert done == [0, 1, 2, 3, 4, 5]
    with pytest.raises(StoreError, match="COPY failed"):  # the queue stays failed
        q.put(lambda: done.append(8))
    assert done[-1] == 5


def test_put_waits_while_the_queue_holds_its_limit():
    q, gate, started = CopyQueue(limit=100), threading.Event(), threading.Event()
    q.put(lambda: (started.set(), gate.wait()), nbytes=80)
    started.wait()
    put_back = []
    t = threading.Thread(target=lambda: (q.put(lambda: None, nbytes=80), put_back.append(time.monotonic())))
    t.start()
    time.sleep(0.2)
    assert put_back == []  # 80 + 80 bytes would exceed the limit: the second waits for the first
    released = time.monotonic()
    gate.set()
    t.join(5)
    assert put_back and put_back[0] >= released
    q.wait()
    # one job larger than the limit is still taken when nothing else is held
    q.put(lambda: None, nbytes=1000)
    q.wait()


@pytest.mark.parametrize("then", [None, "Community"])
def test_a_failed_background_copy_fails_the_transaction_and_writes_nothing(kuzu_store, then):
    with pytest.raises(StoreError):
        with kuzu_store.transaction() as tx:
            assert tx.network_empty()
            tx.upsert_node_columns("Building", {"id": ["B1"], "name": ["1号楼"]})
            # duplicate keys: Kùzu's COPY refuses them, in the COPY's own thread
            tx.upsert_node_columns("Street", {"id": ["S1", "S1"], "name": ["甲", "乙"]})
            if then:  # another COPY after it, or (None) the commit right after it
                tx.upsert_node_columns(then, {"id": ["C1"], "name": ["和园"]})
    assert kuzu_store.query("MATCH (n) RETURN count(n) AS n")[0]["n"] == 0


def test_the_next_statement_raises_the_copy_error(kuzu_store):
    with pytest.raises(StoreError):
        with kuzu_store.transaction() as tx:
            tx.upsert_node_columns("Street", {"id": ["S1", "S1"], "name": ["甲", "乙"]})
            try:
                tx.run("MATCH (n:Street) RETURN count(n) AS n")
            except StoreError:
                assert tx.broken
                raise
            pytest.fail("the statement after a failed COPY ran")
    assert kuzu_store.query("MATCH (n) RETURN count(n) AS n")[0]["n"] == 0


def test_an_empty_table_is_asked_again_after_any_other_statement(kuzu_store):
    """A first load knows its tables are empty and does not ask; a statement in between may have
    written to them, and then the batch is merged, not copied (a COPY would meet a duplicate key)."""
    with kuzu_store.transaction() as tx:
        assert tx.network_empty()
        tx.run("CREATE (:Household {id: 'H1', address: '旧'})")
        assert tx.upsert_node_columns("Household", {"id": ["H1", "H2"], "address": ["新", "新"]}) == 2
        tx.upsert_node_columns("Unit", {"id": ["U1"], "name": ["1单元"]})
        tx.run("CREATE (:Unit {id: 'U2'})")
        tx.upsert_rel_columns("PART_OF", "Household", "Unit", {"src": ["H1"], "dst": ["U1"]}, endpoints_checked=True)
        tx.run("MATCH (h:Household {id: 'H2'}), (u:Unit {id: 'U2'}) CREATE (h)-[:PART_OF]->(u)")
        tx.upsert_rel_columns("PART_OF", "Household", "Unit", {"src": ["H2"], "dst": ["U2"]}, endpoints_checked=True)
    rows = kuzu_store.query("MATCH (h:Household) OPTIONAL MATCH (h)-[:PART_OF]->(u:Unit) "
                            "RETURN h.id AS hid, h.address AS a, u.id AS u ORDER BY hid")
    assert rows == [{"hid": "H1", "a": "新", "u": "U1"}, {"hid": "H2", "a": "新", "u": "U2"}]


def test_a_disk_full_copy_behind_the_loader_fails_the_load_and_leaves_nothing(kuzu_store, tmp_path, monkeypatch):
    real, calls = KuzuTransaction._copy_now, []

    def full(self, *a):
        calls.append(threading.current_thread().name)
        if len(calls) == 3:
            raise StoreError("IO exception: No space left on device")
        return real(self, *a)

    monkeypatch.setattr(KuzuTransaction, "_copy_now", full)
    arch = tmp_path / "arch"
    with pytest.raises(LoadFailed, match="磁盘已满"):
        load(write_csvs(tmp_path / "in"), kuzu_store, archive=arch)
    assert len(calls) == 3 and calls[2] != threading.main_thread().name  # it ran behind the loader
    assert kuzu_store.query("MATCH (n) RETURN count(n) AS n")[0]["n"] == 0
    assert not list((arch / "pending").glob("*")) and archived_loads(arch) == []
    monkeypatch.setattr(KuzuTransaction, "_copy_now", real)
    report = load(write_csvs(tmp_path / "again"), kuzu_store, archive=arch)
    assert sum(report.written.values()) > 0 and [e["id"] for e in archived_loads(arch)] == [report.load_id]


def test_a_batch_is_reported_written_when_its_copy_has_finished(kuzu_store, tmp_path, monkeypatch):
    real, events = KuzuTransaction._copy_now, []

    def slow(self, target, *a):
        time.sleep(0.02)  # the loader runs ahead of the COPYs
        real(self, target, *a)
        events.append(("copied", target.split("(")[0]))

    monkeypatch.setattr(KuzuTransaction, "_copy_now", slow)
    from graph.model import MODEL

    def progress(label, done, total):
        events.append(("progress", label, done, total))

    load(write_csvs(tmp_path / "in"), kuzu_store, progress=progress)
    zh = {n.zh: n.label for n in MODEL.nodes}
    copied = [e[1] for e in events if e[0] == "copied"]
    assert "Household" in copied and "PART_OF" in copied
    for k, e in enumerate(events):
        if e[0] == "progress" and e[1].startswith("写入 ") and e[1].endswith("行/秒"):
            name = e[1][3:].split("：")[0]
            if name in zh:  # a node batch: its COPY has finished before it is reported
                assert ("copied", zh[name]) in events[:k], e
    writing = next(k for k, e in enumerate(events) if e[0] == "progress" and e[1].startswith("写入 "))
    dones = [e[2] for e in events[writing:] if e[0] == "progress"]
    assert dones == sorted(dones) and dones[-1] == events[-1][3] and events[-1][1] == "完成 Done"
    ahead = [k for k, e in enumerate(events) if e[0] == "progress" and e[1].startswith("写入 户：") and "行/秒" not in e[1]]
    assert ahead and any(e[0] == "progress" and e[1].startswith("写入 ") and "行/秒" not in e[1]
                         for e in events[ahead[0] + 1:events.index(("copied", "Household"))])  # ran ahead
