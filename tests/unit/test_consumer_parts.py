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
    assert "Distributed(`prod`, `events`, `events_local`, cityHash64(event_id))" in distributed
    assert create_database("events", "prod").endswith("ON CLUSTER `prod`")
