"""The publish write-ahead log: durable appends, ordered replay, trimming, torn tails, bound."""

from __future__ import annotations

import pytest
from coffee.infra.wal import Record, WalFull, WriteAheadLog


def test_records_come_back_in_order_and_trim_forgets_the_replayed(tmp_path):
    wal = WriteAheadLog(tmp_path, max_bytes=1 << 20)
    for i in range(5):
        wal.append(Record(f"rk{i}", b"body%d" % i, {"x-event-count": i}))
    records = list(wal.records())
    assert [r.routing_key for _, r in records] == [f"rk{i}" for i in range(5)]
    assert records[2][1].headers == {"x-event-count": 2}
    wal.trim(records[2][0])
    assert [r.routing_key for _, r in wal.records()] == ["rk3", "rk4"]
    wal.append(Record("rk5", b"", {}))
    assert [r.routing_key for _, r in wal.records()] == ["rk3", "rk4", "rk5"]
    wal.trim(wal.size)
    assert wal.size == 0 and list(wal.records()) == []


def test_a_torn_tail_ends_the_replay_and_keeps_what_came_before(tmp_path):
    wal = WriteAheadLog(tmp_path, max_bytes=1 << 20)
    wal.append(Record("a", b"1", {}))
    wal.append(Record("b", b"2", {}))
    wal.close()
    data = wal.path.read_bytes()
    wal.path.write_bytes(data[:-3])  # a crash in the middle of the last append
    reopened = WriteAheadLog(tmp_path, max_bytes=1 << 20)
    assert [r.routing_key for _, r in reopened.records()] == ["a"]


def test_a_corrupt_record_is_detected_by_its_checksum(tmp_path):
    wal = WriteAheadLog(tmp_path, max_bytes=1 << 20)
    wal.append(Record("a", b"payload", {}))
    wal.close()
    data = bytearray(wal.path.read_bytes())
    data[-1] ^= 0xFF
    wal.path.write_bytes(bytes(data))
    assert list(WriteAheadLog(tmp_path, max_bytes=1 << 20).records()) == []


def test_the_log_is_bounded(tmp_path):
    wal = WriteAheadLog(tmp_path, max_bytes=1 << 20)
    wal.max_bytes = 100
    wal.append(Record("a", b"x" * 40, {}))
    with pytest.raises(WalFull):
        wal.append(Record("b", b"x" * 80, {}))
    assert [r.routing_key for _, r in wal.records()] == ["a"]


def test_the_size_stays_readable_after_close(tmp_path):
    # The metrics scrape reads it while the HTTP side drains, after the log is closed.
    wal = WriteAheadLog(tmp_path, max_bytes=1 << 20)
    wal.append(Record("a", b"x" * 40, {}))
    size = wal.size
    assert size == wal.path.stat().st_size
    wal.close()
    assert wal.size == size
    assert WriteAheadLog(tmp_path, max_bytes=1 << 20).size == size


def test_appends_after_a_torn_tail_are_replayed(tmp_path):
    # Issue 19 item 1: a kill mid-append used to leave the tail in place; appends made after
    # reopening landed behind it and were never replayed.
    wal = WriteAheadLog(tmp_path, max_bytes=1 << 20)
    wal.append(Record("a", b"1", {}))
    wal.append(Record("b", b"2", {}))
    wal.close()
    data = wal.path.read_bytes()
    wal.path.write_bytes(data[:-3])
    reopened = WriteAheadLog(tmp_path, max_bytes=1 << 20)
    assert reopened.torn_bytes > 0 and reopened.size == reopened.path.stat().st_size
    reopened.append(Record("c", b"3", {}))
    assert [r.routing_key for _, r in reopened.records()] == ["a", "c"]
    aside = list(tmp_path.glob("publish.wal.torn-*"))
    assert len(aside) == 1 and aside[0].stat().st_size == reopened.torn_bytes


def test_a_garbage_length_is_a_torn_tail_not_a_huge_read(tmp_path):
    wal = WriteAheadLog(tmp_path, max_bytes=1 << 20)
    wal.append(Record("a", b"1", {}))
    wal.close()
    with open(wal.path, "ab") as f:
        f.write(b"\xff\xff\xff\xff\x00\x00\x00\x00xyz")
    reopened = WriteAheadLog(tmp_path, max_bytes=1 << 20)
    assert reopened.torn_bytes == 11
    reopened.append(Record("b", b"2", {}))
    assert [r.routing_key for _, r in reopened.records()] == ["a", "b"]


def test_records_come_in_bounded_chunks_from_an_offset(tmp_path):
    wal = WriteAheadLog(tmp_path, max_bytes=1 << 20)
    for i in range(10):
        wal.append(Record(f"rk{i}", b"x" * 100, {}))
    first = list(wal.records(0, 250))
    assert [r.routing_key for _, r in first] == ["rk0", "rk1", "rk2"]
    rest = list(wal.records(first[-1][0]))
    assert [r.routing_key for _, r in rest] == [f"rk{i}" for i in range(3, 10)]
