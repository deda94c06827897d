"""Consumers and sinkers against the real RabbitMQ and the real (embedded) ClickHouse
(event-grpc-scenarios.md: scenario 2 ClickHouse failing, 5/6 retries and dead letters,
buffered flushes that never drop, per-database isolation, replay). Faults are real errors of
the real engine: the sink table is dropped under the consumers and created again."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import shutil
import subprocess
import threading
import time

import aio_pika
import pytest
from coffee.events.consumers import schema
from coffee.events.consumers.dlq import main as dlq_main
from coffee.events.consumers.dlq import peek, replay
from coffee.events.consumers.settings import ConsumerSettings
from coffee.events.proto import events_pb2
from coffee.infra.clickhouse import ClickHouse
from prometheus_client import REGISTRY

from tests.conftest import require_port
from tests.support.consumers_harness import TOPOLOGY, ConsumerThread, wait_for
from tests.support.events_harness import (
    AMQP,
    HEADER,
    NOW_MS,
    ServerThread,
    event_batch,
    queue_depth,
    settings_for,
    unique,
)


@contextlib.contextmanager
def running_stack(tmp_path, clickhouse, **overrides):
    require_port("RabbitMQ", "127.0.0.1", 5672)
    prefix = overrides.pop("name_prefix", None) or unique("coffee_test") + "."
    exchange = "grpc_event.tx"
    db_events, db_logs = unique("events"), unique("logs")
    topology = tmp_path / "topology.toml"
    topology.write_text(TOPOLOGY.format(exchange=exchange, db_events=db_events, db_logs=db_logs))
    values = {
        "amqp_uri": AMQP,
        "clickhouse_db_names": f"{db_events},{db_logs}",
        "topology_file": str(topology),
        "retry_delays": "0.2,0.4",
        "name_prefix": prefix,
        "quorum_queues": True,
        "breaker_failures": 50,
        **overrides,
    }
    settings = ConsumerSettings(**values)
    intake = settings_for(prefix + exchange, str(tmp_path / "wal"))
    try:
        with ConsumerThread(settings, clickhouse) as consumers, ServerThread(intake) as events:
            yield consumers, events, clickhouse, db_events, db_logs
    finally:
        asyncio.run(_cleanup(prefix, settings.retry_limit))
        for db in (db_events, db_logs):
            clickhouse.command_sync(f"DROP DATABASE IF EXISTS `{db}`")


@pytest.fixture
def stack(tmp_path, clickhouse):
    with running_stack(tmp_path, clickhouse) as parts:
        yield parts


async def _cleanup(prefix: str, retry_limit: int) -> None:
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel()
        for base in ("events_q", "launch_q"):
            queue = prefix + base
            retries = [f"{queue}.retry.{n}" for n in range(1, retry_limit + 1)]
            for name in (queue, f"error.{queue}", *retries):
                await channel.queue_delete(name)
        await channel.queue_delete(prefix + "grpc_event.tx.unrouted")
        await channel.queue_delete(prefix + "coffee.discarded")
        exchanges = ("grpc_event.tx", "grpc_event.tx.unrouted", "coffee.retry", "coffee.error")
        for name in (*exchanges, "coffee.discarded"):
            await channel.exchange_delete(prefix + name)


def count(clickhouse: ClickHouse, db: str, table: str, final: bool = False) -> int:
    sql = f"SELECT count() FROM `{db}`.`{table}`{' FINAL' if final else ''}"
    return clickhouse.command_sync(sql)


def launch_batch(ids: list[str]) -> events_pb2.Events:
    ts = str(NOW_MS())
    events = [
        events_pb2.Event(
            id=i, timestamp=ts, launchEvent=events_pb2.LaunchEvent.FromString(b"\x0a\x01x")
        )
        for i in ids
    ]
    return events_pb2.Events(header=HEADER, events=events)


def test_every_accepted_event_becomes_one_row(stack):
    _, events, ch, db_events, db_logs = stack
    stub = events.stub()
    accepted = 0
    for i in range(10):
        accepted += stub.dispatch(event_batch([f"g{i}-{j}" for j in range(5)]), timeout=10).accepted
        accepted += stub.dispatch(
            launch_batch([f"l{i}-{j}" for j in range(3)]), timeout=10
        ).accepted
    assert accepted == 80
    assert wait_for(lambda: count(ch, db_events, "events") == 80), count(ch, db_events, "events")
    assert wait_for(lambda: count(ch, db_logs, "launch_log_events") == 30)
    columns = "event_name, bb_device_id, payload_field"
    row = ch.command_sync(f"SELECT {columns} FROM `{db_logs}`.`launch_log_events` LIMIT 1")
    assert row == ["LaunchEvent", "42", "9"]


def test_scenario_2_clickhouse_failing_retries_then_dead_letters_then_replays(stack):
    consumers, events, ch, db_events, _ = stack
    ch.command_sync(f"DROP TABLE `{db_events}`.`events`")  # every insert now fails for real
    response = events.stub().dispatch(event_batch(["d1", "d2"]), timeout=10)
    assert response.accepted == 2
    [kind] = [k for k in consumers.kinds if k.sinker == "direct"]
    dead = f"error.{kind.queue}"

    assert wait_for(lambda: asyncio.run(queue_depth(dead)) == 1), "dead-lettered after 2 retries"
    ch.command_sync(schema.create_events_table(db_events, "events")[0])
    moved = asyncio.run(replay(consumers.settings, dead, None))
    assert moved == 1
    assert wait_for(lambda: count(ch, db_events, "events") == 2)
    assert asyncio.run(queue_depth(dead)) == 0


def test_buffered_flush_failure_keeps_rows_until_clickhouse_is_back(stack):
    _, events, ch, _, db_logs = stack
    ch.command_sync(f"DROP TABLE `{db_logs}`.`launch_log_events`")
    stub = events.stub()
    for i in range(3):
        assert (
            stub.dispatch(launch_batch([f"b{i}-{j}" for j in range(4)]), timeout=10).accepted == 4
        )
    time.sleep(1.5)  # several flush intervals fail meanwhile
    ch.command_sync(schema.create_events_table(db_logs, "launch_log_events")[0])
    assert wait_for(lambda: count(ch, db_logs, "launch_log_events") == 12, timeout=40)


def test_duplicates_are_removed_by_event_id(stack):
    _, events, ch, db_events, _ = stack
    stub = events.stub()
    stub.dispatch(event_batch(["dup-1", "dup-2"]), timeout=10)
    stub.dispatch(event_batch(["dup-1", "dup-2"]), timeout=10)  # a client retry after a timeout
    assert wait_for(lambda: count(ch, db_events, "events") == 4)
    assert count(ch, db_events, "events", final=True) == 2


def test_the_breaker_stops_consumption_while_clickhouse_fails_and_resumes(tmp_path, clickhouse):
    with running_stack(
        tmp_path, clickhouse, breaker_failures=2, breaker_reset_seconds=0.5, retry_limit=20
    ) as (consumers, events, ch, db_events, _):
        [direct] = [c for c in consumers.service.consumers if c.kind.sinker == "direct"]
        ch.command_sync(f"DROP TABLE `{db_events}`.`events`")
        stub = events.stub()
        for i in range(4):
            assert stub.dispatch(event_batch([f"br-{i}"]), timeout=10).accepted == 1
        assert wait_for(lambda: direct.paused), "consumption paused after repeated failures"
        time.sleep(1.5)  # probes fail while the table is missing: still paused
        assert direct.paused
        ch.command_sync(schema.create_events_table(db_events, "events")[0])
        assert wait_for(lambda: not direct.paused), "resumed on its own after a good probe"
        assert wait_for(lambda: count(ch, db_events, "events") == 4), "nothing was lost"


def test_scenario_10_logs_down_the_other_database_keeps_writing_and_logs_catch_up(stack):
    consumers, events, ch, db_events, db_logs = stack
    [launch] = [c for c in consumers.service.consumers if c.kind.database == db_logs]
    [direct] = [c for c in consumers.service.consumers if c.kind.database == db_events]
    ch.command_sync(f"DETACH DATABASE `{db_logs}`")  # `logs` is down for real
    try:
        assert wait_for(lambda: launch.paused), "the logs sinker stops taking messages"
        stub = events.stub()
        for i in range(5):
            assert stub.dispatch(launch_batch([f"i{i}-{j}" for j in range(4)]), timeout=10).accepted
        # The events database keeps writing the same events meanwhile.
        assert wait_for(lambda: count(ch, db_events, "events") == 20)
        assert not direct.paused and launch.paused
        healthy = REGISTRY.get_sample_value(
            "coffee_consumer_database_healthy", {"database": db_logs}
        )
        assert healthy == 0
    finally:
        ch.command_sync(f"ATTACH DATABASE `{db_logs}`")
    assert wait_for(lambda: count(ch, db_logs, "launch_log_events") == 20, timeout=40)
    assert not launch.paused


def test_scenario_6_nil_and_empty_events_are_refused_at_the_entrance(stack):
    consumers, events, ch, _, db_logs = stack
    [launch] = [k for k in consumers.kinds if k.database == db_logs]
    refused = {"queue": launch.queue}
    before = REGISTRY.get_sample_value("coffee_consumer_rows_refused_total", refused) or 0
    bad = [b"", b"null", b'{"events": []}', b'{"events": [null, {}, {"id": ""}]}', b"{oops"]

    async def publish() -> None:
        connection = await aio_pika.connect(AMQP)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.get_exchange(launch.exchange, ensure=False)
            for body in bad:
                await exchange.publish(aio_pika.Message(body), launch.routing_key)

    asyncio.run(publish())
    stub = events.stub()
    assert stub.dispatch(launch_batch(["ok-1", "ok-2"]), timeout=10).accepted == 2
    assert wait_for(lambda: count(ch, db_logs, "launch_log_events") == 2)
    after = REGISTRY.get_sample_value("coffee_consumer_rows_refused_total", refused)
    assert after - before == 7, "each nil, empty or invalid row counted"
    empty = ch.command_sync(
        f"SELECT count() FROM `{db_logs}`.`launch_log_events` WHERE event_id = ''"
    )
    assert empty == 0


def test_scenario_9_a_breaking_schema_change_pauses_before_dead_letters_flood(tmp_path, clickhouse):
    with running_stack(tmp_path, clickhouse, breaker_failures=2, breaker_reset_seconds=0.3) as (
        consumers,
        events,
        ch,
        db_events,
        _,
    ):
        [direct] = [c for c in consumers.service.consumers if c.kind.sinker == "direct"]
        table = f"`{db_events}`.`events`"
        ch.command_sync(f"ALTER TABLE {table} RENAME COLUMN event_params TO params")
        stub = events.stub()
        for i in range(20):
            assert stub.dispatch(event_batch([f"s9-{i}"]), timeout=10).accepted == 1
        assert wait_for(lambda: direct.paused), "the breaker stops consumption"
        time.sleep(2.0)  # several reset periods: the probe sees the schema is still broken
        dead = asyncio.run(queue_depth(f"error.{direct.kind.queue}"))
        assert direct.paused and dead <= 4, f"{dead} dead letters: the queue was flooded"
        ch.command_sync(f"ALTER TABLE {table} RENAME COLUMN params TO event_params")  # the fix
        assert wait_for(lambda: not direct.paused)
        assert wait_for(lambda: asyncio.run(queue_depth(direct.kind.queue)) == 0)
        asyncio.run(replay(consumers.settings, f"error.{direct.kind.queue}", None))
        assert wait_for(lambda: count(ch, db_events, "events", final=True) == 20), "every event in"


def test_a_retried_message_keeps_its_event_name(tmp_path, clickhouse):
    """Issue 19 item 3: the first write fails for real (the table is missing), the message
    waits in its retry queue and comes back through the default exchange with the wait queue's
    name as routing key; its rows must still carry the original event name."""
    with running_stack(tmp_path, clickhouse, retry_delays="1.5,1.5") as (
        consumers,
        events,
        ch,
        db_events,
        _,
    ):
        [direct] = [c for c in consumers.service.consumers if c.kind.sinker == "direct"]
        labels = {"queue": direct.kind.queue}

        def retried() -> float:
            return REGISTRY.get_sample_value("coffee_consumer_retried_total", labels) or 0

        select = f"SELECT event_name, event_id FROM `{db_events}`.`events`"
        before = retried()
        stub = events.stub()
        assert stub.dispatch(launch_batch(["first-try"]), timeout=10).accepted == 1
        assert wait_for(lambda: count(ch, db_events, "events") == 1)
        expected, _ = ch.command_sync(select)
        ch.command_sync(f"DROP TABLE `{db_events}`.`events`")
        assert stub.dispatch(launch_batch(["retried"]), timeout=10).accepted == 1
        assert wait_for(lambda: retried() > before), "the first write failed and was retried"
        ch.command_sync(schema.create_events_table(db_events, "events")[0])
        assert wait_for(lambda: count(ch, db_events, "events") == 1)
        assert ch.command_sync(select) == [expected, "retried"]
        assert ".retry." not in expected


def test_a_row_clickhouse_refuses_goes_to_dead_letters_and_the_rest_of_the_batch_is_written(
    stack,
):
    """Issue 19 item 4: ClickHouse refuses a whole buffered insert for one row (here a table
    constraint it checks on every row, a real data error); the batch is split until the
    refused message is found: it is dead-lettered with the reason, the others are written."""
    consumers, events, ch, _, db_logs = stack
    [launch] = [c for c in consumers.service.consumers if c.kind.database == db_logs]
    table = f"`{db_logs}`.`launch_log_events`"
    ch.command_sync(f"ALTER TABLE {table} ADD CONSTRAINT no_poison CHECK event_id != 'poison'")
    stub = events.stub()
    for i in range(3):  # one buffered flush holds all four messages
        assert stub.dispatch(launch_batch([f"p{i}-{j}" for j in range(4)]), timeout=10).accepted
    assert stub.dispatch(launch_batch(["poison"]), timeout=10).accepted == 1
    assert stub.dispatch(launch_batch(["after-1", "after-2"]), timeout=10).accepted == 2
    assert wait_for(lambda: count(ch, db_logs, "launch_log_events") == 14, timeout=40)
    dead = f"error.{launch.kind.queue}"
    assert wait_for(lambda: asyncio.run(queue_depth(dead)) == 1)

    async def peek() -> dict:
        connection = await aio_pika.connect(AMQP)
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(dead, passive=True)
            message = await queue.get(no_ack=False)
            await message.nack(requeue=True)
            return dict(message.headers or {})

    headers = asyncio.run(peek())
    assert headers["x-death-reason"] == "refused by ClickHouse"
    assert "469" in str(headers["x-last-error"]), headers["x-last-error"]
    assert not launch.paused, "a refused row is not a failing ClickHouse"


def test_a_write_past_its_deadline_that_commits_late_is_not_stored_twice(tmp_path, clickhouse):
    """Issue 19 item 8: a buffered write runs past its deadline for real (a materialized view
    that sleeps on every row makes the engine slow) and commits late; meanwhile more messages
    arrived. The retry writes the same messages alone with the same dedup token, so the late
    commit and the retry are stored once (counted on the raw table, before any merge)."""
    with running_stack(tmp_path, clickhouse, clickhouse_timeout=0.5) as (
        consumers,
        events,
        ch,
        _,
        db_logs,
    ):
        ch.command_sync(
            f"CREATE MATERIALIZED VIEW `{db_logs}`.slow ENGINE = Null"
            f" AS SELECT sleepEachRow(0.4) AS s FROM `{db_logs}`.`launch_log_events`"
        )
        failures = {"queue": next(k.queue for k in consumers.kinds if k.database == db_logs)}

        def failed() -> float:
            return REGISTRY.get_sample_value("coffee_consumer_insert_failures_total", failures) or 0

        before = failed()
        stub = events.stub()
        assert stub.dispatch(launch_batch([f"late-{j}" for j in range(4)]), timeout=10).accepted
        time.sleep(0.8)  # the first flush is running, slowly: these wait behind it
        assert stub.dispatch(launch_batch([f"next-{j}" for j in range(4)]), timeout=10).accepted
        assert wait_for(lambda: failed() > before), "the write passed its deadline"
        time.sleep(2.0)  # the late commit lands
        ch.command_sync(f"DROP VIEW `{db_logs}`.slow")
        assert wait_for(lambda: count(ch, db_logs, "launch_log_events", final=True) == 8)
        time.sleep(1.0)  # any second copy would be written by now
        assert count(ch, db_logs, "launch_log_events") == 8, "a row stored twice"


def test_shutdown_while_clickhouse_is_stuck_ends_and_leaves_the_buffer_unacked(
    tmp_path, clickhouse
):
    """Issue 19 item 6: the embedded engine is held for real by a ten-second query, so every
    write blocks (as against a ClickHouse that stopped answering); the consumers stop before
    it ends, and what they buffered stays unacked (back in the queue) and is counted."""
    slow = "SELECT sleepEachRow(0.5) FROM numbers(20) SETTINGS max_block_size = 1"
    with running_stack(tmp_path, clickhouse, clickhouse_timeout=60, shutdown_seconds=1.0) as parts:
        consumers, events, ch, _, db_logs = parts
        [launch] = [k for k in consumers.kinds if k.database == db_logs]
        stub = events.stub()
        assert stub.dispatch(launch_batch(["warm"]), timeout=10).accepted == 1
        assert wait_for(lambda: count(ch, db_logs, "launch_log_events") == 1)
        holder = threading.Thread(target=ch.command_sync, args=(slow,), daemon=True)
        holder.start()
        for i in range(3):
            assert stub.dispatch(launch_batch([f"stuck-{i}"]), timeout=10).accepted == 1
        assert wait_for(lambda: asyncio.run(queue_depth(launch.queue)) == 0), "all delivered"
        labels = {"queue": launch.queue}
        name = "coffee_consumer_left_unacked_at_shutdown_total"
        before = REGISTRY.get_sample_value(name, labels) or 0
        consumers.run(consumers.service.stop())
        assert holder.is_alive(), "stopped while the engine was still held"
        assert REGISTRY.get_sample_value(name, labels) - before == 3
        assert wait_for(lambda: asyncio.run(queue_depth(launch.queue)) == 3), "left unacked"
        holder.join()


def test_equal_event_ids_of_two_devices_are_two_rows(stack):
    """Issue 19 item 9: clients' event ids are unique per device only; envelope rows
    deduplicate on the device and the event id together."""
    _, events, ch, db_events, _ = stack
    stub = events.stub()
    other = events_pb2.Header()
    other.CopyFrom(HEADER)
    other.bbDeviceId = 43
    ts = str(NOW_MS())
    for header in (HEADER, other):
        batch = events_pb2.Events(
            header=header, events=[events_pb2.Event(id="same-id", timestamp=ts, name="click")]
        )
        assert stub.dispatch(batch, timeout=10).accepted == 1
    assert wait_for(lambda: count(ch, db_events, "events") == 2)
    ch.command_sync(f"OPTIMIZE TABLE `{db_events}`.`events` FINAL")
    assert count(ch, db_events, "events", final=True) == 2


def test_dlq_peek_purge_and_replay_into_the_kinds_queue_only(stack):
    """Issue 19 item 10: a launch event dead-lettered by the `#` kind is replayed into that
    kind's queue alone (the launch kind, bound to the same exchange, gets no second copy),
    under its own event name; peek leaves messages in place; purge needs --yes. The
    dead-letter queue's TTL and max length are the declared ones (a re-declaration with other
    arguments would be refused by the broker)."""
    consumers, events, ch, db_events, db_logs = stack
    [kind] = [k for k in consumers.kinds if k.sinker == "direct"]
    dead = f"error.{kind.queue}"
    settings = consumers.settings

    async def declared_arguments_match() -> None:
        connection = await aio_pika.connect(AMQP)
        async with connection:
            channel = await connection.channel()
            await channel.declare_queue(
                dead,
                durable=True,
                arguments={
                    "x-queue-type": "quorum",
                    "x-message-ttl": settings.dead_letter_ttl_seconds * 1000,
                    "x-max-length": settings.dead_letter_max_length,
                    "x-dead-letter-exchange": settings.name_prefix + "coffee.discarded",
                },
            )

    asyncio.run(declared_arguments_match())
    ch.command_sync(f"DROP TABLE `{db_events}`.`events`")
    assert events.stub().dispatch(launch_batch(["dl-1"]), timeout=10).accepted == 1
    assert wait_for(lambda: asyncio.run(queue_depth(dead)) == 1)
    assert wait_for(lambda: count(ch, db_logs, "launch_log_events") == 1)
    [seen] = asyncio.run(peek(settings, dead, 5))
    assert seen["reason"] == "retries exhausted" and seen["routing_key"] == "LaunchEvent"
    assert asyncio.run(queue_depth(dead)) == 1, "peek leaves it in place"
    assert dlq_main(["purge", dead]) == 1, "refused without --yes"
    assert asyncio.run(queue_depth(dead)) == 1
    ch.command_sync(schema.create_events_table(db_events, "events")[0])
    assert asyncio.run(replay(settings, dead, None)) == 1
    assert wait_for(lambda: count(ch, db_events, "events") == 1)
    assert ch.command_sync(f"SELECT event_name FROM `{db_events}`.`events`") == "LaunchEvent"
    time.sleep(1.0)  # a second copy for the launch kind would be flushed by now
    assert count(ch, db_logs, "launch_log_events") == 1, "no second copy through `#`"


def test_retry_wait_queues_are_quorum_and_dead_letter_at_least_once(stack):
    """Issue 19 item 7: the wait queues survive a broker restart and dead-letter back at least
    once (the broker refuses a re-declaration whose arguments differ from the declared ones)."""
    consumers, *_ = stack
    [kind] = [k for k in consumers.kinds if k.sinker == "direct"]

    async def redeclare() -> None:
        connection = await aio_pika.connect(AMQP)
        async with connection:
            channel = await connection.channel()
            await channel.declare_queue(
                f"{kind.queue}.retry.1",
                durable=True,
                arguments={
                    "x-queue-type": "quorum",
                    "x-dead-letter-strategy": "at-least-once",
                    "x-overflow": "reject-publish",
                    "x-message-ttl": 200,
                    "x-dead-letter-exchange": "",
                    "x-dead-letter-routing-key": kind.queue,
                },
            )

    asyncio.run(redeclare())


def test_dead_letters_the_broker_drops_are_counted(tmp_path, clickhouse):
    """Issue 19 item 7: the dead-letter queue's maximum length drops the oldest and its TTL
    expires the rest; each drop is dead-lettered to `coffee.discarded` and counted by queue and
    reason (coffee_consumer_dead_letters_discarded_total), none vanishes uncounted."""
    with running_stack(
        tmp_path, clickhouse, dead_letter_max_length=2, dead_letter_ttl_seconds=2
    ) as (consumers, *_):
        [kind] = [k for k in consumers.kinds if k.sinker == "direct"]
        dead = f"error.{kind.queue}"

        def discarded(reason: str) -> float:
            labels = {"queue": dead, "reason": reason}
            return (
                REGISTRY.get_sample_value("coffee_consumer_dead_letters_discarded_total", labels)
                or 0
            )

        async def dead_letter(n: int) -> None:  # as the consumers do: through coffee.error
            connection = await aio_pika.connect(AMQP)
            async with connection:
                channel = await connection.channel(publisher_confirms=True)
                errors = await channel.get_exchange(
                    consumers.settings.name_prefix + "coffee.error", ensure=False
                )
                for i in range(n):
                    message = aio_pika.Message(f"dead-{i}".encode(), message_id=f"dead-{i}")
                    await errors.publish(message, dead)

        before = {reason: discarded(reason) for reason in ("maxlen", "expired")}
        asyncio.run(dead_letter(5))
        assert wait_for(lambda: discarded("maxlen") - before["maxlen"] == 3), "the 3 oldest"
        assert wait_for(lambda: discarded("expired") - before["expired"] == 2), "the 2 left"
        assert asyncio.run(queue_depth(dead)) == 0
        assert asyncio.run(queue_depth(consumers.settings.name_prefix + "coffee.discarded")) == 0


def test_a_dead_letter_queue_declared_by_an_older_version_is_used_as_it_is(tmp_path, clickhouse):
    """A dead-letter queue made before discards were counted (no dead-letter exchange) has
    other arguments; the broker refuses the new declaration, and the consumers still start
    and dead-letter into it (docs/migrating.md says how to redeclare it)."""
    require_port("RabbitMQ", "127.0.0.1", 5672)
    prefix = unique("coffee_test_legacy") + "."
    dead = f"error.{prefix}events_q"
    settings = ConsumerSettings()

    async def legacy() -> None:
        connection = await aio_pika.connect(AMQP)
        async with connection:
            channel = await connection.channel()
            arguments = {
                "x-queue-type": "quorum",
                "x-message-ttl": settings.dead_letter_ttl_seconds * 1000,
                "x-max-length": settings.dead_letter_max_length,
            }
            await channel.declare_queue(dead, durable=True, arguments=arguments)

    asyncio.run(legacy())
    try:
        with running_stack(tmp_path, clickhouse, name_prefix=prefix) as (
            consumers,
            events,
            ch,
            db_events,
            _,
        ):
            assert len(consumers.service.consumers) == 2, "every kind started"
            ch.command_sync(f"DROP TABLE `{db_events}`.`events`")
            assert events.stub().dispatch(event_batch(["old-dlq"]), timeout=10).accepted == 1
            assert wait_for(lambda: asyncio.run(queue_depth(dead)) == 1)
    finally:
        asyncio.run(_cleanup(prefix, settings.retry_limit))


def test_a_replayed_dead_letter_without_a_message_id_gets_the_id_its_rows_had(stack):
    """Issue 19: `coffee dlq replay` publishes every message with an id. A message sent to us
    without one (by a client other than aio-pika, which always sets one: amqp-publish here)
    gets the id the consumers derive from its body and send stamp, so the replay's rows are
    the ones a redelivery would have made (not a second copy under a new id)."""
    consumers, *_ = stack
    [kind] = [k for k in consumers.kinds if k.sinker == "direct"]
    dead, target = f"error.{kind.queue}", unique("coffee_test_replayed")
    tool = shutil.which("amqp-publish")
    assert tool, "amqp-publish is missing: run scripts/system-deps.sh (Debian package amqp-tools)"
    subprocess.run(
        [
            tool,
            "-u",
            AMQP.rstrip("/"),  # librabbitmq reads a trailing "/" as the empty vhost
            "-r",
            dead,
            "-b",
            '{"n": 1}',
            "-H",
            "x-received-at: 1700000000000",
        ],
        check=True,
        timeout=30,
    )

    async def scenario() -> list:
        connection = await aio_pika.connect(AMQP)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            await channel.declare_queue(target, durable=True)
            kept = aio_pika.Message(b'{"n": 2}', message_id="kept-id")
            await channel.default_exchange.publish(kept, dead)
            before = await channel.declare_queue(dead, passive=True)
            sent_without_id = await before.get(no_ack=False)
            assert sent_without_id.message_id is None
            await sent_without_id.nack(requeue=True)
            await replay(consumers.settings, dead, None, to=target)
            queue = await channel.declare_queue(target, passive=True)
            out = []
            while (message := await queue.get(no_ack=True, fail=False)) is not None:
                out.append(message)
            await channel.queue_delete(target)
            return out

    ids = sorted(m.message_id for m in asyncio.run(scenario()))
    expected = hashlib.sha256(b'{"n": 1}\0' + b"1700000000000").hexdigest()
    assert ids == sorted([expected, "kept-id"])
