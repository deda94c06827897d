"""Q3: the RabbitMQ link is cut (TCP fault proxy) while requests write, and the api process is
killed during the outage: every HTTP request succeeds, and once the link is back every outbox
event is published; a duplicate, if any, carries the same message id (consumers drop it)."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import signal
import time

import aio_pika
import pytest
from coffee.infra import amqp

from tests.conftest import require_port
from tests.scenarios.api_fixtures import insert_profiles
from tests.support.api_process import ApiProcess
from tests.support.faultproxy import FaultProxy

BROKER = "amqp://guest:guest@127.0.0.1:5672/"


def _audit(exchange: str) -> str:
    # A queue of the test's own, bound beside the api's listener queue: it gets a copy of each.
    return exchange + ".q3-audit"


async def _declare(exchange: str) -> None:
    conn = await aio_pika.connect(BROKER)
    async with conn:
        channel = await conn.channel()
        ex, _ = await amqp.declare(channel, exchange, "profile_updated")
        queue = await channel.declare_queue(_audit(exchange), durable=True)
        await queue.bind(ex, "profile_updated")
        viewed = await channel.declare_queue(_audit(exchange) + ".viewed", durable=True)
        await viewed.bind(ex, "profile_viewed")


async def _drain(exchange: str, suffix: str = "") -> list[tuple[str | None, bytes]]:
    conn = await aio_pika.connect(BROKER)
    out = []
    async with conn:
        channel = await conn.channel()
        queue = await channel.get_queue(_audit(exchange) + suffix)
        while (message := await queue.get(fail=False)) is not None:
            out.append((message.message_id, message.body))
            await message.ack()
        await channel.queue_delete(queue.name)
    return out


async def _count(queue_name: str) -> int:
    conn = await aio_pika.connect(BROKER)
    async with conn:
        channel = await conn.channel()
        queue = await channel.declare_queue(queue_name, passive=True)
        return queue.declaration_result.message_count or 0


async def _delete_audit(exchange: str) -> None:
    conn = await aio_pika.connect(BROKER)
    async with conn:
        for name in (_audit(exchange), _audit(exchange) + ".viewed"):
            channel = await conn.channel()
            with contextlib.suppress(Exception):
                await channel.queue_delete(name)


def _wait_all_sent(api: ApiProcess, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = api.sql("SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL")[0]["n"]
        if left == 0:
            return 0
        time.sleep(0.3)
    return left


@pytest.fixture
def proxy():
    require_port("RabbitMQ", "127.0.0.1", 5672)
    require_port("PostgreSQL", "127.0.0.1", 5432)
    with FaultProxy(("127.0.0.1", 5672)) as p:
        yield p


def test_outbox_survives_a_broker_outage_and_a_process_kill(proxy):
    api = ApiProcess({"AMQP_URI": f"amqp://guest:guest@127.0.0.1:{proxy.port}/"})
    try:
        asyncio.run(_declare(api.exchange))
        api.start()
        insert_profiles(api, 3)

        def write(i: int) -> None:
            status, _, body = api.request(
                "PUT", f"/discovery-service/api/profile/{1 + i % 3}", {"followers": 100 + i}
            )
            assert status == 200, body

        def view() -> None:
            status, _, body = api.request("GET", "/discovery-service/api/profile/1")
            assert status == 200, body

        for i in range(5):
            write(i)
        view()
        assert _wait_all_sent(api) == 0  # the link works: published

        # An outage the same process lives through: the publisher reconnects by itself.
        proxy.cut()
        for i in range(5, 10):
            write(i)
        for _ in range(3):
            view()  # after-commit publishes fail, counted, the requests do not notice
        assert api.metric("coffee_api_after_commit_publish_failures_total") >= 1
        proxy.restore()
        assert _wait_all_sent(api) == 0
        # After-commit publishes work again without a restart (the first ones may still fail
        # fast for a moment after the outage: fire and forget).
        viewed_queue = _audit(api.exchange) + ".viewed"
        deadline = time.monotonic() + 20
        while asyncio.run(_count(viewed_queue)) < 2 and time.monotonic() < deadline:
            view()
            time.sleep(0.3)
        assert asyncio.run(_count(viewed_queue)) >= 2

        # Another outage, and the process is killed in it.
        proxy.cut()
        for i in range(10, 20):
            write(i)
        assert api.sql("SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL")[0]["n"] > 0
        # The process dies in the outage; the events wait in PostgreSQL.
        api.stop(signal.SIGKILL)
        api.start()
        for i in range(20, 25):
            write(i)
        proxy.restore()
        assert _wait_all_sent(api) == 0

        ids = {str(r["id"]) for r in api.sql("SELECT id FROM outbox")}
        assert len(ids) == 25
        messages = asyncio.run(_drain(api.exchange))
        by_id = collections.defaultdict(set)
        for message_id, body in messages:
            by_id[message_id].add(body)
        assert set(by_id) == ids  # every event published
        assert all(len(bodies) == 1 for bodies in by_id.values())  # duplicates share the id

        # The api's own listener did each event's work exactly once (it drops duplicates).
        def counted() -> int:
            rows = api.sql("SELECT coalesce(sum(updates), 0) AS n FROM profile_stats")
            return rows[0]["n"]

        deadline = time.monotonic() + 30
        while counted() < 25 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert counted() == 25
        viewed = asyncio.run(_drain(api.exchange, ".viewed"))  # removes the queue
        # Published straight (not through the outbox), each still has its own id (issue 19).
        viewed_ids = [message_id for message_id, _ in viewed]
        assert viewed_ids and all(viewed_ids) and len(set(viewed_ids)) == len(viewed_ids)
    finally:
        asyncio.run(_delete_audit(api.exchange))
        api.close()


def test_the_api_publisher_refuses_a_message_without_an_id():
    """Issue 19: the consumers take row ids from message ids, so the api's publisher (the
    outbox relay's and the direct events') will not send a message without one."""
    publisher = amqp.Publisher(BROKER, "coffee_test_never_declared")
    with pytest.raises(ValueError, match="message id"):
        asyncio.run(publisher.publish("rk", b"{}", message_id=""))
