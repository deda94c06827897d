"""ClickHouse DDL of the sink tables (the original's `events` columns: header fields in snake
case, event id/name/timestamp, insert time, params as JSON; plus what the intake adds).

Duplicates (at-least-once delivery, a replayed write-ahead log) are removed by event id with a
ReplacingMergeTree ordered by `event_id`: a retried message can carry the same events under a
new message id, which an insert deduplication token alone would not catch. The token is used
too (`non_replicated_deduplication_window`), so an exact retry of one insert is not even
written twice; queries that must not see a not-yet-merged duplicate use FINAL.
"""

from __future__ import annotations

HEADER_COLUMNS = [
    ("session_id", "String"), ("bb_device_id", "Int64"), ("user_id", "Int64"),
    ("device_id", "String"), ("android_advertising_id", "String"), ("client_id", "String"),
    ("channel", "String"), ("os", "String"), ("client_type", "String"),
    ("app_language", "String"), ("app_version", "String"), ("app_version_code", "String"),
    ("current_url", "String"), ("merchant_id", "String"), ("utm_referrer", "String"),
    ("utm_platform", "String"), ("utm_source", "String"), ("utm_medium", "String"),
    ("utm_campaign", "String"), ("pp_id", "String"),
]  # fmt: skip
EVENT_COLUMNS = [
    ("event_id", "String"), ("event_name", "LowCardinality(String)"),
    ("event_timestamp", "DateTime64(3)"), ("insert_timestamp", "DateTime64(3)"),
    ("event_params", "String"), ("payload_field", "UInt16"), ("payload", "String"),
    ("timestamp_corrected", "UInt8"), ("original_timestamp", "Int64"),
]  # fmt: skip
COLUMNS = [name for name, _ in HEADER_COLUMNS + EVENT_COLUMNS]


def create_database(database: str, cluster: str = "") -> str:
    return f"CREATE DATABASE IF NOT EXISTS `{database}`{_on(cluster)}"


def _on(cluster: str) -> str:
    return f" ON CLUSTER `{cluster}`" if cluster else ""


def create_events_table(database: str, table: str, cluster: str = "") -> list[str]:
    """DDL of one sink table. On a single server (or chdb): one ReplacingMergeTree. With
    `cluster` (CLICKHOUSE_CLUSTER): a ReplicatedReplacingMergeTree `<table>_local` on every
    node plus a Distributed `<table>` over it, sharded by device and event id so that an
    event's duplicates meet on one shard, where the merge removes them. Rows deduplicate on the
    device and the event id together: clients' event ids are unique per device only."""
    columns = ",\n  ".join(f"`{name}` {kind}" for name, kind in HEADER_COLUMNS + EVENT_COLUMNS)
    tail = (
        " PARTITION BY toYYYYMM(event_timestamp) ORDER BY (bb_device_id, event_id)"
        " SETTINGS non_replicated_deduplication_window = 1000"
    )
    if not cluster:
        return [
            f"CREATE TABLE IF NOT EXISTS `{database}`.`{table}` (\n  {columns}\n)"
            f" ENGINE = ReplacingMergeTree(insert_timestamp){tail}"
        ]
    local = f"{table}_local"
    path = f"/clickhouse/tables/{{shard}}/{database}/{local}"
    return [
        f"CREATE TABLE IF NOT EXISTS `{database}`.`{local}`{_on(cluster)} (\n  {columns}\n)"
        f" ENGINE = ReplicatedReplacingMergeTree('{path}', '{{replica}}', insert_timestamp)"
        " PARTITION BY toYYYYMM(event_timestamp) ORDER BY (bb_device_id, event_id)",
        f"CREATE TABLE IF NOT EXISTS `{database}`.`{table}`{_on(cluster)}"
        f" AS `{database}`.`{local}`"
        f" ENGINE = Distributed(`{cluster}`, `{database}`, `{local}`,"
        " cityHash64(bb_device_id, event_id))",
    ]
