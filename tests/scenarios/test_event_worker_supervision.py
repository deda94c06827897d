"""Publishing workers are supervised (issue 19 item 10): a worker task that is killed (cancelled,
a BaseException the old gRPC workers did not catch) is replaced at once, and the batch it was
publishing is answered with a retryable refusal instead of leaving its client waiting."""

from __future__ import annotations

import asyncio

import aio_pika
import grpc
import pytest
from coffee.events.webhooks.channel import Job, SourceChannel
from coffee.events.webhooks.sources import SOURCES, SourceSettings
from coffee.infra.event_exchange import unrouted_name

from tests.conftest import require_port
from tests.scenarios.test_event_intake import server_behind
from tests.support.events_harness import AMQP, event_batch, unique
from tests.support.faultproxy import FaultProxy


@pytest.fixture(autouse=True)
def rabbitmq():
    require_port("RabbitMQ", "127.0.0.1", 5672)


def _kill(srv, task) -> None:
    srv.loop.call_soon_threadsafe(task.cancel)


def test_a_killed_grpc_worker_is_replaced_and_its_batch_refused_retryably(tmp_path):
    exchange = unique("coffee_test_supervision")
    with (
        FaultProxy(("127.0.0.1", 5672)) as proxy,
        server_behind(
            proxy, exchange, str(tmp_path), event_worker_pool_size=2, event_publish_timeout=30.0
        ) as (queue, srv),
    ):
        stub = srv.stub()
        intake = srv.server.intake
        assert stub.dispatch(event_batch(["warm"]), timeout=10).status == "SUCCESS"
        idle = next(iter(intake._workers))
        _kill(srv, idle)
        srv.run(asyncio.sleep(0))  # let the loop run the done callback
        assert intake.replaced == 1 and idle not in intake._workers
        assert sum(not w.done() for w in intake._workers) == 2

        proxy.slow(1.0)  # the next publish hangs in a worker long enough to kill it there
        pending = stub.dispatch.future(event_batch(["killed"]), timeout=60)
        while not _taken_by_a_worker(intake.queue):
            srv.run(asyncio.sleep(0.01))
        for worker in list(intake._workers):  # the busy one among them
            _kill(srv, worker)
        with pytest.raises(grpc.RpcError) as refused:
            pending.result()
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
        assert "stopped before it was durable" in refused.value.details()
        proxy.restore()
        for _ in range(100):  # the killed tasks' done callbacks run on the server's loop
            if intake.replaced == 3:
                break
            srv.run(asyncio.sleep(0.01))
        assert intake.replaced == 3
        assert sum(not w.done() for w in intake._workers) == 2
        assert stub.dispatch(event_batch(["after"]), timeout=30).status == "SUCCESS"
        assert "after" in queue.event_ids_until(3, timeout=30)


def _taken_by_a_worker(queue: asyncio.Queue) -> bool:
    """A job was put and a worker took it (it is publishing it, not waiting on the queue)."""
    return queue.qsize() == 0 and queue._unfinished_tasks > 0


def test_a_killed_webhook_worker_is_replaced(tmp_path):
    exchange = unique("coffee_test_supervision_webhook")

    async def run() -> None:
        channel = SourceChannel(
            SOURCES[0],
            SourceSettings(exchange=exchange, worker_pool_size=2, buffered_channel_size=10),
            amqp_url=AMQP,
            wal_dir=str(tmp_path),
            wal_max_bytes=1 << 20,
            publish_timeout=5.0,
        )
        await channel.start()
        try:
            killed = next(iter(channel.workers))
            killed.cancel()
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            assert channel.replaced == 1 and killed not in channel.workers
            assert sum(not w.done() for w in channel.workers) == 2
            job = Job("event", b'{"a": 1}', {"x-message-id": "m1"})
            assert await channel.submit(job, 5.0) == "confirmed"
        finally:
            await channel.drain(5.0)
            await channel.close()
            await _delete_exchange(exchange)

    asyncio.run(run())


async def _delete_exchange(name: str) -> None:
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(unrouted_name(name))
        for exchange in (name, unrouted_name(name)):
            await channel.exchange_delete(exchange)
