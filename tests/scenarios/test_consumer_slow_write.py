"""Scenario 5 (event-grpc-scenarios.md): one consumer is stuck on a slow ClickHouse write; the
other consumers of the queue keep going, and nothing is lost or stored twice.

Two `coffee consumers` processes (the real ConsumerService, through the soak's control harness)
consume one queue, two consumers each with prefetch 1, each writing into its own embedded
ClickHouse. Process A's engine is made slow for real: a query that runs for ten seconds holds
it (chdb runs one query at a time per process), so A's inserts wait behind it, as behind a
ClickHouse node at full CPU. While A is stuck, B must drain the queue but for the messages A
holds (at most its prefetch); once A's engine is free, A writes and acknowledges them.

Consumers inside one process share one embedded engine, so this isolation holds across
processes with chdb, and across consumers of one process only against a ClickHouse server."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import aio_pika
import orjson
import pytest
from coffee.events.consumers.settings import ConsumerSettings
from coffee.events.consumers.topology import load_topology

from bench._soak_consumers import ControlledConsumers
from tests.conftest import require_port
from tests.support.cleanup import delete_topology
from tests.support.consumers_harness import wait_for
from tests.support.events_harness import AMQP, queue_depth, unique

TOPOLOGY = """
[[kind]]
queue = "slow_q"
exchange = "grpc_event.tx"
routing_key = "#"
sinker = "direct"
database = "{db}"
table = "events"
consumers = 2
prefetch = 1
"""
MESSAGES = 200
HELD_BY_A = 2  # two consumers, prefetch 1
SLOW_QUERY = "SELECT sleepEachRow(0.5) FROM numbers(20) SETTINGS max_block_size = 1"  # 10 s


class ConsumerProcess(ControlledConsumers):
    """The soak's consumer harness, with the two questions this test asks of its engine."""

    def rows(self, db: str) -> int:
        answer = self.control(f"sql SELECT count() FROM `{db}`.`events`")
        assert answer.startswith("ok "), answer
        return int(answer.split()[1])

    def ids(self, db: str, path: Path) -> set[str]:
        assert self.control(f"ids `{db}`.`events` {path}").startswith("ok "), path
        return set(path.read_text().split())


async def _publish(exchange_name: str, ids: list[str]) -> None:
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(exchange_name)
        now = int(time.time() * 1000)
        for event_id in ids:
            event = {"id": event_id, "timestamp": now, "name": "GenericEvent"}
            body = {"schema": 1, "header": {"bbDeviceId": 5, "deviceId": "d5"}, "events": [event]}
            message = aio_pika.Message(
                orjson.dumps(body), message_id=event_id,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            )  # fmt: skip
            await exchange.publish(message, "GenericEvent")


@pytest.fixture
def two_processes(tmp_path):
    require_port("RabbitMQ", "127.0.0.1", 5672)
    prefix, db = unique("coffee_test") + ".", unique("events")
    topology = tmp_path / "topology.toml"
    topology.write_text(TOPOLOGY.format(db=db))
    kinds = load_topology(
        str(topology), ConsumerSettings(name_prefix=prefix, clickhouse_db_names=db)
    )
    procs: list[ConsumerProcess] = []

    def env(name: str) -> dict[str, str]:
        return {
            **os.environ, "AMQP_URI": AMQP, "NAME_PREFIX": prefix,
            "TOPOLOGY_FILE": str(topology), "CLICKHOUSE_DB_NAMES": db,
            "CLICKHOUSE_URL": f"chdb://{tmp_path / name}",
            # Longer than the slow query: this is about isolation, not the write deadline.
            "CLICKHOUSE_TIMEOUT": "30", "CONSUMER_METRICS_PORT": "0",
            # The engine's insert staging files, left behind if a process dies mid-insert.
            "TMPDIR": str(tmp_path),
        }  # fmt: skip

    try:
        for name in ("a", "b"):
            procs.append(ConsumerProcess(env(name), str(tmp_path / f"consumers-{name}.log")))
        yield procs[0], procs[1], kinds[0], db
    finally:
        codes = [p.stop() for p in procs]
        asyncio.run(delete_topology(AMQP, kinds, prefix))
        assert all(code == 0 for code in codes), f"consumers exited with {codes}"


def test_scenario_5_one_consumer_stuck_on_a_slow_write_the_others_keep_going(
    two_processes, tmp_path
):
    a, b, kind, db = two_processes
    ids = [f"s5-{i}" for i in range(MESSAGES)]
    a.send(f"sql {SLOW_QUERY}")  # answered when the query ends; A's inserts wait behind it
    time.sleep(0.5)
    asyncio.run(_publish(kind.exchange, ids))

    # B drains the queue but for what A holds, while A's engine is still busy. (The slow query
    # gives B ten seconds for about two hundred inserts; the assertion is about order: the
    # queue moved on before A's write could.)
    assert wait_for(lambda: asyncio.run(queue_depth(kind.queue)) == 0, timeout=15.0)
    assert wait_for(lambda: b.rows(db) >= MESSAGES - HELD_BY_A, timeout=15.0), b.rows(db)
    assert not a.answered(), "the queue moved on only after A's slow write ended"

    # A's slow query ends; A writes what it held and acknowledges it.
    assert a.read().startswith("ok "), "the slow query failed"
    assert wait_for(lambda: a.rows(db) + b.rows(db) == MESSAGES, timeout=20.0)
    in_a, in_b = a.ids(db, tmp_path / "a.ids"), b.ids(db, tmp_path / "b.ids")
    assert in_a | in_b == set(ids), "every event is stored"
    assert not in_a & in_b and a.rows(db) + b.rows(db) == MESSAGES, "and none twice"
    assert 1 <= len(in_a) <= HELD_BY_A, f"A held at most its prefetch: {len(in_a)}"
