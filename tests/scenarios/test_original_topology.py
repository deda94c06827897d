# ruff: noqa: E501  (the original's table: one consumer per line reads best)
"""Issue 18: the original Event-gRPC's topology (RABBIT_TOPOLOGY=original) over the broker
objects the original left: its classic queues (declared without arguments), exchanges without
our alternate exchange, some of another type than ours. Declaring ours over them must never
fail with PRECONDITION_FAILED, and the original producer's messages must then become rows.

The table below is written by hand from the original's main.go (queue, exchange, binding key,
error exchange, error routing key, consumers), independently of topology.original.toml."""

from __future__ import annotations

import asyncio

import aio_pika
import orjson
import pytest
from coffee.events.consumers.settings import ORIGINAL_TOPOLOGY, ConsumerSettings
from coffee.events.consumers.topology import load_topology

from tests.conftest import require_port
from tests.scenarios.test_consumer_topology import topology_with
from tests.support.cleanup import delete_topology
from tests.support.consumers_harness import ConsumerThread, wait_for
from tests.support.events_harness import AMQP, unique

ORIGINAL = [
    ("grpc_clickhouse_event_q", "grpc_event.tx", "*", "grpc_event_error.dx", "error.grpc_clickhouse_event_q", 2),
    ("grpc_clickhouse_event_error_q", "grpc_event_error.dx", "error.grpc_clickhouse_event_q", "grpc_event_error.dx", "error.grpc_clickhouse_event_error_q", 2),
    ("clickhouse_click_event_q", "grpc_event.dx", "CLICK", "grpc_event.dx", "error.clickhouse_click_event_q", 2),
    ("app_init_event_q", "event.dx", "APP_INIT", "event_error.dx", "error.app_init_event_q", 2),
    ("launch_refer_event_q", "event.dx", "LAUNCH_REFER_EVENT", "event_error.dx", "error.launch_refer_event_q", 2),
    ("create_user_account_q", "identity.dx", "user.client.account.create", "event_error.dx", "error.create_user_account_q", 2),
    ("event.account_profile_complete", "identity.dx", "user.client.account.profile.completed", "event_error.dx", "error.create_user_account_q", 2),
    ("ab_assignments", "ab.dx", "ab_assignments", "ab.dx", "error.ab_assignments", 2),
    ("branch_event_q", "branch_event.tx", "*", "branch_event_error.dx", "error.branch_event_q", 2),
    ("graphy_event_q", "graphy_event.tx", "*", "graphy_event_error.dx", "error.graphy_event_q", 2),
    ("trace_log", "identity.dx", "*", "trace_log_event_error.dx", "error.trace_log_event_q", 2),
    ("affiliate_orders_event_q", "affiliate.dx", "*", "affiliate_orders_event_error.dx", "error.affiliate_orders_event_q", 2),
    ("bigboss_votes_log_q", "bigboss", "*", "bigboss", "error.big_boss_vote_log_q", 2),
    ("post_log_events_q", "beat.dx", "post_log_events", "beat.dx", "error.post_log_events_q", 20),
    ("sentiment_log_events_q", "beat.dx", "sentiment_log_events", "beat.dx", "error.sentiment_log_events_q", 2),
    ("post_activity_log_events_q", "beat.dx", "post_activity_log_events", "beat.dx", "error.post_activity_log_events_q", 2),
    ("profile_log_events_q", "beat.dx", "profile_log_events", "beat.dx", "error.profile_log_events_q", 2),
    ("profile_relationship_log_events_q", "beat.dx", "profile_relationship_log_events", "beat.dx", "error.profile_relationship_log_events", 2),
    ("scrape_request_log_events_q", "beat.dx", "scrape_request_log_events", "beat.dx", "error.scrape_request_log_events_q", 2),
    ("order_log_events_q", "beat.dx", "order_log_events", "order_log_events", "error.order_log_events_q", 2),
    ("shopify_events_q", "shopify_event.dx", "shopify_events", "shopify_event.dx", "error.shopify_events_q", 2),
    ("webengage_event_q", "webengage_event.dx", "EVENT", "webengage_event.dx", "error.webengage_event_q", 3),
    ("webengage_ch_event_q", "webengage_event.dx", "EVENT", "webengage_event.dx", "error.webengage_ch_event_q", 5),
    ("webengage_user_event_q", "webengage_event.dx", "USER_EVENT", "webengage_event.dx", "error.webengage_user_event_q", 5),
    ("post_log_events_q_bkp", "beat.dx", "post_log_events_bkp", "beat.dx", "error.post_log_events_q_bkp", 5),
    ("activity_tracker_q", "coffee.dx", "activity_tracker_rk", "coffee.dx", "error.activity_tracker", 2),
]  # fmt: skip


def test_the_original_topology_is_the_originals_26_consumers():
    kinds = load_topology(str(ORIGINAL_TOPOLOGY), ConsumerSettings())
    got = [
        (k.queue, k.exchange, k.routing_key, k.error_exchange, k.error_routing_key, k.consumers)
        for k in kinds
    ]
    assert got == ORIGINAL
    assert ConsumerSettings(rabbit_topology="original").topology_path == str(ORIGINAL_TOPOLOGY)


async def _as_the_original_left_them(prefix: str) -> None:
    """The original's broker objects: classic durable queues without arguments, bound as its
    consumers bound them; exchanges made by its operators (topic `.tx` without our alternate
    exchange, direct `.dx`, and `bigboss` as a fanout, a type we would not pick)."""
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel()
        for queue, exchange, key, error_exchange, _, _ in ORIGINAL:
            for name in (exchange, error_exchange):
                await channel.declare_exchange(prefix + name, _type_left(name), durable=True)
            declared = await channel.declare_queue(prefix + queue, durable=True)
            await declared.bind(prefix + exchange, key)


def _type_left(exchange: str) -> aio_pika.ExchangeType:
    if exchange.endswith(".tx"):
        return aio_pika.ExchangeType.TOPIC
    return aio_pika.ExchangeType.FANOUT if exchange == "bigboss" else aio_pika.ExchangeType.DIRECT


async def _still_there(queue: str) -> int:
    """A passive declare: succeeds only if the queue still exists (its depth)."""
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        return declared.declaration_result.message_count


async def _publish(exchange: str, key: str, body: bytes) -> None:
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel()
        target = await channel.get_exchange(exchange, ensure=False)
        await target.publish(aio_pika.Message(body, content_type="application/json"), key)


@pytest.mark.parametrize("quorum", [True, False])
def test_declaring_over_the_originals_queues_succeeds_and_consumes(tmp_path, clickhouse, quorum):
    require_port("RabbitMQ", "127.0.0.1", 5672)
    prefix = unique("coffee_test_orig") + "."
    db_events, db_logs = unique("events"), unique("logs")
    settings = ConsumerSettings(
        amqp_uri=AMQP,
        clickhouse_db_names=f"{db_events},{db_logs}",
        topology_file=topology_with(tmp_path, db_events, db_logs, ORIGINAL_TOPOLOGY),
        name_prefix=prefix,
        quorum_queues=quorum,
        retry_delays="0.2",
    )
    kinds = load_topology(settings.topology_path, settings)
    asyncio.run(_as_the_original_left_them(prefix))
    try:
        with ConsumerThread(settings, clickhouse):  # declares all 26 over them
            # the original producer's message, on its exchange with its routing key
            body = orjson.dumps(
                {
                    "header": {"deviceId": "d1", "bbDeviceId": "7"},
                    "events": [{"id": "o-1", "timestamp": "1700000000000", "launchEvent": {}}],
                }
            )
            asyncio.run(_publish(prefix + "grpc_event.tx", "LaunchEvent", body))
            asyncio.run(_publish(prefix + "beat.dx", "post_log_events", b'{"post": 1}'))
            count = f"SELECT count() FROM `{db_events}`.`events` WHERE event_id = 'o-1'"
            assert wait_for(lambda: clickhouse.command_sync(count) == 1)
        for kind in kinds:  # every original queue is still there, consumed as it was
            asyncio.run(_still_there(kind.queue))
    finally:
        asyncio.run(delete_topology(AMQP, kinds, prefix, retry_limit=settings.retry_limit))
        for db in (db_events, db_logs):
            clickhouse.command_sync(f"DROP DATABASE IF EXISTS `{db}`")
