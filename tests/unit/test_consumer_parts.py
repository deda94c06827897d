"""The consumers' parts that need no broker: the native row batch and the topology file."""

from __future__ import annotations

import json

import pytest
from coffee._native import BufferFull, RowBatch
from coffee.events.consumers.schema import COLUMNS
from coffee.events.consumers.settings import DEFAULT_TOPOLOGY, ConsumerSettings
from coffee.events.consumers.topology import load_topology

MESSAGE = json.dumps(
    {
        "schema": 1,
        "header": {"bbDeviceId": 3, "utmSource": "ads"},
        "events": [
            {"id": "a", "timestamp": 1_700_000_000_123, "params": '{"k": 1}'},
            {"id": "", "timestamp": 1},
            {"id": "c", "timestamp": "soon"},
            None,
        ],
    }
).encode()


def test_rows_are_built_and_bad_ones_counted():
    batch = RowBatch(flush_rows=2, capacity_rows=10)
    assert batch.add(MESSAGE, "GenericEvent", 1_700_000_000_999) == (1, 3)
    [row] = [json.loads(line) for line in batch.body().splitlines()]
    assert set(row) <= set(COLUMNS)
    assert row["bb_device_id"] == 3 and row["utm_source"] == "ads"
    assert row["event_timestamp"] == "1700000000.123"
    assert row["event_name"] == "GenericEvent" and row["event_params"] == '{"k": 1}'
    assert batch.refused_total == 3 and not batch.should_flush()
    assert batch.add(b"", "k", 1) == (0, 1)
    assert batch.add(b"{not json", "k", 1) == (0, 1)


def test_capacity_is_enforced_and_body_survives_until_clear():
    batch = RowBatch(flush_rows=1, capacity_rows=1)
    batch.add(MESSAGE, "k", 1)
    body = batch.body()
    with pytest.raises(BufferFull):
        batch.add(MESSAGE, "k", 1)
    assert batch.body() == body and len(batch) == 1
    batch.clear()
    assert len(batch) == 0 and batch.body() == b""
    with pytest.raises(ValueError):
        RowBatch(flush_rows=0)


def test_document_rows_keep_the_object_and_take_stable_ids():
    batch = RowBatch(flush_rows=10, capacity_rows=10)
    body = json.dumps([{"name": "install", "user": 1}, "not an object", {"user": 2}]).encode()
    assert batch.add_documents(body, "INSTALL", "m-1", 1_700_000_000_500, 1) == (2, 1)
    rows = [json.loads(line) for line in batch.body().splitlines()]
    assert all(set(row) <= set(COLUMNS) for row in rows)
    assert [r["event_id"] for r in rows] == ["m-1:0", "m-1:2"]
    assert rows[0]["event_name"] == "INSTALL"
    assert rows[0]["event_timestamp"] == "1700000000.500"
    assert json.loads(rows[1]["event_params"]) == {"user": 2}
    for bad in (b"", b"[]", b"{}", b"null", b"{oops"):
        assert batch.add_documents(bad, "k", "m", 1, 1) == (0, 1)
    assert len(batch) == 2


def test_default_topology_is_the_originals_26_consumers():
    kinds = load_topology(str(DEFAULT_TOPOLOGY), ConsumerSettings())
    assert len(kinds) == 26
    assert sum(k.sinker == "direct" for k in kinds) == 10, "the spec's ten direct queues"
    assert len({k.queue for k in kinds}) == 26
    assert len({(k.database, k.table) for k in kinds}) == 26, "one table per kind"
    assert {"events", "error_events"} <= {k.table for k in kinds}
    for kind in kinds:
        assert 2 <= kind.consumers <= 20
        if kind.sinker == "buffered":
            # The buffer fills only from unacknowledged messages: prefetch must cover a flush.
            assert kind.prefetch >= kind.flush_rows and 60 <= kind.flush_seconds <= 300
    # The api declares coffee.dx as a direct exchange; a topic declaration would be refused.
    assert {k.exchange_type for k in kinds if k.exchange == "coffee.dx"} == {"direct"}


def test_default_topology_loads_and_databases_are_checked(tmp_path):
    kinds = load_topology(str(DEFAULT_TOPOLOGY), ConsumerSettings())
    assert {k.sinker for k in kinds} == {"direct", "buffered"}
    assert len({k.database for k in kinds}) >= 2, "spread over at least two databases"
    with pytest.raises(ValueError, match="not in CLICKHOUSE_DB_NAMES"):
        load_topology(str(DEFAULT_TOPOLOGY), ConsumerSettings(clickhouse_db_names="only"))
    prefixed = load_topology(str(DEFAULT_TOPOLOGY), ConsumerSettings(name_prefix="t."))
    assert all(k.queue.startswith("t.") and k.exchange.startswith("t.") for k in prefixed)


def test_relative_chdb_paths_become_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert ConsumerSettings(clickhouse_url="chdb://var/chdb").clickhouse_dsn == (
        f"chdb://{tmp_path}/var/chdb"
    )
    assert ConsumerSettings(clickhouse_url="chdb:///abs").clickhouse_dsn == "chdb:///abs"
    assert ConsumerSettings(clickhouse_url="http://ch:8123").clickhouse_dsn == "http://ch:8123"


def test_cluster_ddl_is_replicated_and_distributed_by_event_id():
    from coffee.events.consumers.schema import create_database, create_events_table

    [single] = create_events_table("events", "events")
    assert "ENGINE = ReplacingMergeTree(insert_timestamp)" in single
    local, distributed = create_events_table("events", "events", cluster="prod")
    assert "ON CLUSTER `prod`" in local and "ReplicatedReplacingMergeTree(" in local
    assert "`events`.`events_local`" in local and "{replica}" in local
    sharding = "Distributed(`prod`, `events`, `events_local`, cityHash64(bb_device_id, event_id))"
    assert sharding in distributed
    assert create_database("events", "prod").endswith("ON CLUSTER `prod`")


def test_the_migration_guide_lists_every_default_queue():
    guide = (DEFAULT_TOPOLOGY.parents[4] / "docs" / "migrating.md").read_text()
    kinds = load_topology(str(DEFAULT_TOPOLOGY), ConsumerSettings())
    missing = [k.queue for k in kinds if f"`{k.queue}`" not in guide]
    assert not missing, f"docs/migrating.md does not list {missing}"
