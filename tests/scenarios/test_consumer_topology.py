"""The default topology (the original's 26 consumers) declared on the real RabbitMQ, and the
document kinds (webhooks, the api's events, crawler logs) sinking into the real embedded
ClickHouse: one row per JSON object, ids stable across redelivery, bad documents refused at the
entrance and acknowledged, buffered rows flushed on shutdown."""

from __future__ import annotations

import asyncio

import aio_pika
import orjson
from coffee.events.consumers.settings import DEFAULT_TOPOLOGY, ConsumerSettings
from coffee.events.consumers.topology import Kind
from coffee.infra.clickhouse import ClickHouse

from tests.conftest import require_port
from tests.support.cleanup import delete_topology
from tests.support.consumers_harness import ConsumerThread, wait_for
from tests.support.events_harness import AMQP, unique


def topology_with(tmp_path, db_events: str, db_logs: str, source=DEFAULT_TOPOLOGY) -> str:
    """A copy of a topology file with its two databases renamed (each test has its own)."""
    text = source.read_text()
    text = text.replace('database = "events"', f'database = "{db_events}"')
    text = text.replace('database = "logs"', f'database = "{db_logs}"')
    path = tmp_path / "topology.toml"
    path.write_text(text)
    return str(path)


async def _publish(
    exchange: str,
    routing_key: str,
    body: bytes,
    message_id: str | None,
    received_at: int = 1_700_000_000_000,
) -> None:
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        target = await channel.get_exchange(exchange, ensure=False)
        message = aio_pika.Message(
            body,
            message_id=message_id,
            headers={"x-received-at": received_at},
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        await target.publish(message, routing_key)


async def _depths(kinds: list[Kind]) -> dict[str, int]:
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel()
        depths = {}
        for kind in kinds:
            queue = await channel.declare_queue(kind.queue, passive=True)
            depths[kind.queue] = queue.declaration_result.message_count
        return depths


def _count(clickhouse: ClickHouse, db: str, table: str, final: bool = False) -> int:
    return int(
        clickhouse.command_sync(f"SELECT count() FROM `{db}`.`{table}`{' FINAL' if final else ''}")
    )


def test_the_26_kinds_declare_and_document_messages_become_rows(tmp_path, clickhouse):
    require_port("RabbitMQ", "127.0.0.1", 5672)
    prefix = unique("coffee_topo") + "."
    db_events, db_logs = unique("events"), unique("logs")
    settings = ConsumerSettings(
        amqp_uri=AMQP,
        clickhouse_db_names=f"{db_events},{db_logs}",
        topology_file=topology_with(tmp_path, db_events, db_logs),
        name_prefix=prefix,
        retry_delays="0.2,0.4",
    )
    consumers = ConsumerThread(settings, clickhouse)
    kinds = consumers.kinds
    try:
        with consumers:
            assert len(kinds) == 26
            view = {"profileId": 7, "partnerId": 3}
            # Two equal events are two rows: ids come from message ids, not from the body.
            for message_id in ("view-1", "view-2"):
                asyncio.run(
                    _publish(prefix + "coffee.dx", "profile_viewed", orjson.dumps(view), message_id)
                )
            # One message delivered twice (a redelivery, a replay) is one row.
            for _ in range(2):
                renewed = orjson.dumps({"partnerId": 3, "plan": "PAID"})
                asyncio.run(_publish(prefix + "coffee.dx", "contract_renewed", renewed, "renew-1"))
            installs = orjson.dumps([{"name": "install", "n": n} for n in range(3)])
            asyncio.run(_publish(prefix + "branch_event.dx", "INSTALL", installs, "branch-1"))
            for bad in (b"{}", b"garbage", b"[]"):
                asyncio.run(
                    _publish(prefix + "shopify_event.dx", "shopify_events", bad, unique("bad"))
                )
            asyncio.run(
                _publish(prefix + "shopify_event.dx", "shopify_events", b'{"order": 1}', "shop-1")
            )
            # Two identical documents sent twice without a message id are two rows.
            for received_at in (1_700_000_000_001, 1_700_000_000_002):
                body = b'{"order": 2}'
                asyncio.run(
                    _publish(prefix + "shopify_event.dx", "shopify_events", body, None, received_at)
                )

            assert wait_for(lambda: _count(clickhouse, db_events, "shopify_events") == 3)
            assert wait_for(
                lambda: _count(clickhouse, db_events, "contract_log_events", final=True) == 1
            )
            consumers.run(consumers.service.stop())  # SIGTERM's path: buffers are flushed
            depths = asyncio.run(_depths(kinds))
        assert depths == dict.fromkeys(depths, 0), "every message acknowledged"
        assert _count(clickhouse, db_logs, "profile_view_log_events") == 2
        assert _count(clickhouse, db_events, "branch_events") == 3
        assert _count(clickhouse, db_events, "shopify_events", final=True) == 3
        row = clickhouse.command_sync(
            f"SELECT event_id, event_name, event_params FROM `{db_events}`.`shopify_events`"
            " WHERE event_id = 'shop-1'"
        )
        assert row == ["shop-1", "shopify_events", '{"order":1}']
        ids = clickhouse.command_sync(
            f"SELECT arrayStringConcat(groupArraySorted(10)(event_id), ' ')"
            f" FROM `{db_events}`.`branch_events`"
        )
        assert ids == "branch-1:0 branch-1:1 branch-1:2"
    finally:
        asyncio.run(delete_topology(AMQP, kinds, prefix, settings.retry_limit))
        for db in (db_events, db_logs):
            clickhouse.command_sync(f"DROP DATABASE IF EXISTS `{db}`")
