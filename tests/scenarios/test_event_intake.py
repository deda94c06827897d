"""Event intake against the real RabbitMQ, faults injected for real (event-grpc-scenarios.md:
scenarios 1, 3, 4, 8; 7 is in test_event_shutdown.py)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import time
from collections.abc import Iterator

import aio_pika
import grpc
import pytest
from coffee.events.proto import events_pb2
from coffee.infra import event_exchange
from coffee.infra.event_exchange import declare_event_exchange, unrouted_name
from grpc_health.v1 import health_pb2, health_pb2_grpc
from prometheus_client import REGISTRY

from tests.conftest import require_port
from tests.support.events_harness import (
    AMQP,
    NOW_MS,
    BoundQueue,
    ServerThread,
    envelopes,
    event_batch,
    settings_for,
    unique,
)
from tests.support.faultproxy import FaultProxy


@pytest.fixture(autouse=True)
def rabbitmq():
    require_port("RabbitMQ", "127.0.0.1", 5672)


@pytest.fixture
def exchange():
    return unique("coffee_test_events")


@contextlib.contextmanager
def server_behind(
    proxy: FaultProxy, exchange: str, wal_dir: str, **overrides: object
) -> Iterator[tuple[BoundQueue, ServerThread]]:
    """A bound queue and a server whose broker connection goes through `proxy`."""
    amqp = f"amqp://guest:guest@127.0.0.1:{proxy.port}/"
    settings = settings_for(exchange, wal_dir, amqp=amqp, **overrides)
    with BoundQueue(exchange) as queue, ServerThread(settings) as srv:
        yield queue, srv


@pytest.fixture
def proxy():
    """A fault proxy in front of RabbitMQ, closed after the test whatever happens."""
    with FaultProxy(("127.0.0.1", 5672)) as proxy:
        yield proxy


def test_dispatch_publishes_with_confirms_and_health_serves(exchange, tmp_path):
    with BoundQueue(exchange) as queue, ServerThread(settings_for(exchange, str(tmp_path))) as srv:
        response = srv.stub().dispatch(event_batch(["a", "b"]), timeout=10)
        assert (response.status, response.accepted, list(response.rejections)) == ("SUCCESS", 2, [])
        [message] = queue.messages()
        body = json.loads(message.body)
        assert [e["id"] for e in body["events"]] == ["a", "b"]
        assert message.routing_key == "GenericEvent" and message.delivery_mode == 2
        assert message.headers["x-event-count"] == 2 and message.content_type == "application/json"
        health = health_pb2_grpc.HealthStub(grpc.insecure_channel(f"127.0.0.1:{srv.port}"))
        check = health.Check(health_pb2.HealthCheckRequest(service="event.EventService"))
        assert check.status == health_pb2.HealthCheckResponse.SERVING


def test_scenario_1_broker_cut_mid_load_loses_nothing_and_keeps_order(exchange, tmp_path, proxy):
    with server_behind(proxy, exchange, str(tmp_path)) as (queue, srv):
        stub = srv.stub()
        sent: list[str] = []
        for round_ in range(9):
            if round_ == 3:
                proxy.cut()  # the broker "crashes": live connections reset, new ones refused
            if round_ == 6:
                proxy.restore()
            ids = [f"r{round_}-{i}" for i in range(5)]
            response = stub.dispatch(event_batch(ids), timeout=15)
            assert response.status == "SUCCESS"
            sent.extend(ids)
        assert srv.server.publisher.logged > 0, "the outage really sent batches to the log"
        received = queue.event_ids_until(len(sent))
        assert received == sent, "every accepted event, once, in order"
        # The trim follows the last confirm, so the queue can see the messages just before.
        deadline = time.monotonic() + 10
        while srv.server.wal.size and time.monotonic() < deadline:
            time.sleep(0.05)
        assert srv.server.wal.size == 0, "the log was replayed and trimmed"


def test_batches_queued_together_go_out_as_one_message_per_routing_key(exchange, tmp_path, proxy):
    # A slow link to the broker keeps each confirm waiting, so the batches of eight clients
    # queue meanwhile and the worker sends them together.
    clients, rounds = 8, 5
    with server_behind(proxy, exchange, str(tmp_path)) as (queue, srv):
        stub = srv.stub()
        proxy.slow(0.05)

        def client(c: int) -> list[str]:
            sent = []
            for r in range(rounds):  # one after another: a client's own order
                ids = [f"c{c}-r{r}-{i}" for i in range(3)]
                assert stub.dispatch(event_batch(ids), timeout=30).accepted == 3
                sent += ids
            return sent

        with concurrent.futures.ThreadPoolExecutor(clients) as pool:
            sent = [i for ids in pool.map(client, range(clients)) for i in ids]
        proxy.slow(0)
        messages = queue.messages()
        bodies = [envelopes(m.body) for m in messages]
        assert len(messages) < clients * rounds, "some batches shared a message"
        assert any(len(b) > 1 for b in bodies)
        for message, body in zip(messages, bodies, strict=True):
            assert message.headers["x-event-count"] == sum(len(e["events"]) for e in body)
        received = [e["id"] for body in bodies for env in body for e in env["events"]]
        assert sorted(received) == sorted(sent), "every event once"
        for c in range(clients):
            mine = [i for i in received if i.startswith(f"c{c}-")]
            assert mine == [i for i in sent if i.startswith(f"c{c}-")], "a client's order"


def test_a_client_that_gives_up_waiting_does_not_cancel_its_publish(exchange, tmp_path, proxy):
    with server_behind(proxy, exchange, str(tmp_path)) as (queue, srv):
        stub = srv.stub()
        proxy.slow(0.5)
        with pytest.raises(grpc.RpcError) as raised:
            stub.dispatch(event_batch(["impatient"]), timeout=0.3)
        assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        proxy.slow(0)
        # Queued before the client left, so published anyway (at least once: a client that
        # retries sends it again, and the consumers drop the copy by event id).
        assert queue.event_ids_until(1) == ["impatient"]
        assert stub.dispatch(event_batch(["next"]), timeout=10).accepted == 1
        assert queue.event_ids_until(1) == ["next"]


def test_scenario_3_poison_timestamps_are_reported_and_workers_survive(exchange, tmp_path):
    with BoundQueue(exchange) as queue, ServerThread(settings_for(exchange, str(tmp_path))) as srv:
        batch = event_batch(["good-1"])
        for bad in ("abc", "1e3", "", "-5", "99999999999999999999"):
            batch.events.add(id=f"bad{bad}", timestamp=bad, name="x")
        batch.events.add(id="good-2", timestamp=str(NOW_MS()), name="x")
        workers = len(srv.server.intake._workers)
        response = srv.stub().dispatch(batch, timeout=10)
        assert response.accepted == 2 and len(response.rejections) == 5
        assert {r.reason for r in response.rejections} == {
            "timestamp_not_integer", "timestamp_missing",
        }  # fmt: skip
        assert queue.event_ids_until(2) == ["good-1", "good-2"]
        assert sum(not w.done() for w in srv.server.intake._workers) == workers


def test_scenario_4_a_flood_gets_retryable_refusals_not_crashes(exchange, tmp_path, proxy):
    with server_behind(
        proxy,
        exchange,
        str(tmp_path),
        event_worker_pool_size=1,
        event_buffered_channel_size=1,
        event_put_timeout=0.2,
        event_publish_timeout=5.0,
    ) as (queue, srv):
        stub = srv.stub()
        stub.dispatch(event_batch(["warm"]), timeout=10)
        proxy.slow(0.3)  # every publish now takes a while: the queue fills

        def send(i: int):
            try:
                return stub.dispatch(event_batch([f"f{i}"]), timeout=20)
            except grpc.RpcError as exc:
                return exc

        with concurrent.futures.ThreadPoolExecutor(12) as pool:
            pending = pool.map(send, range(12))
            # The depth gauge is read at scrape time: it shows the full queue even while
            # the only worker is stuck on the slow broker.
            depths = []
            while len(depths) < 50:
                depths.append(REGISTRY.get_sample_value("coffee_events_queue_depth"))
                time.sleep(0.01)
            results = list(pending)
        assert max(depths) == 1
        refused = [r for r in results if isinstance(r, grpc.RpcError)]
        accepted = [r for r in results if not isinstance(r, grpc.RpcError)]
        assert refused, "the flood was pushed back"
        for exc in refused:
            assert exc.code() == grpc.StatusCode.UNAVAILABLE
            trailers = dict(exc.trailing_metadata())
            assert int(trailers["grpc-retry-pushback-ms"]) > 0
        proxy.restore()
        assert stub.dispatch(event_batch(["after"]), timeout=10).status == "SUCCESS"
        ids = queue.event_ids_until(len(accepted) + 2)
        assert len(ids) == len(accepted) + 2 and len(set(ids)) == len(ids)


def test_scenario_8_future_clients_are_clamped_and_counted(exchange, tmp_path):
    def corrected() -> float:
        return REGISTRY.get_sample_value("coffee_events_timestamp_corrected_total") or 0.0

    with BoundQueue(exchange) as queue, ServerThread(settings_for(exchange, str(tmp_path))) as srv:
        before = corrected()
        future = NOW_MS() + 24 * 3600 * 1000
        response = srv.stub().dispatch(event_batch(["f1", "f2"], timestamp=future), timeout=10)
        assert response.accepted == 2
        [message] = queue.messages()
        events = json.loads(message.body)["events"]
        assert all(e["timestampCorrected"] and e["originalTimestamp"] == future for e in events)
        assert all(e["timestamp"] < future - 23 * 3600 * 1000 for e in events)
        assert corrected() - before == 2


def test_a_malformed_batch_is_invalid_argument(exchange, tmp_path):
    with BoundQueue(exchange), ServerThread(settings_for(exchange, str(tmp_path))) as srv:
        channel = grpc.insecure_channel(f"127.0.0.1:{srv.port}")
        raw = channel.unary_unary("/event.EventService/dispatch")
        with pytest.raises(grpc.RpcError) as raised:
            raw(b"\xff\xff\xff", timeout=5)
        assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        ok = srv.stub().dispatch(events_pb2.Events(), timeout=5)
        assert ok.status == "SUCCESS" and ok.accepted == 0


def test_events_no_queue_is_bound_for_yet_are_kept_not_dropped(exchange, tmp_path):
    with BoundQueue(exchange) as queue, ServerThread(settings_for(exchange, str(tmp_path))) as srv:
        asyncio.run(_unbind(queue))  # as if no consumer had declared its queue yet
        assert srv.stub().dispatch(event_batch(["early"]), timeout=10).accepted == 1
        kept = asyncio.run(_take_unrouted(exchange))
        assert [e["id"] for e in json.loads(kept)["events"]] == ["early"]


async def _unbind(queue: BoundQueue) -> None:
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel()
        q = await channel.declare_queue(queue.name, durable=True, passive=True)
        await q.unbind(queue.exchange, "#")


async def _take_unrouted(exchange: str) -> bytes:
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel()
        q = await channel.declare_queue(unrouted_name(exchange), durable=True, passive=True)
        for _ in range(50):
            message = await q.get(no_ack=True, fail=False)
            if message is not None:
                return message.body
            await asyncio.sleep(0.1)
    raise AssertionError("nothing in the unrouted queue")


def test_the_unrouted_queue_is_bounded_and_an_unbounded_one_is_used_as_it_is(monkeypatch):
    """Issue 19 item 7: `.unrouted` keeps at most UNROUTED_MAX_LENGTH messages (the oldest go);
    one an older version declared unbounded is used as it is, not refused."""
    monkeypatch.setattr(event_exchange, "UNROUTED_MAX_LENGTH", 3)
    bounded, legacy = unique("coffee_test_bounded"), unique("coffee_test_unbounded")

    async def scenario() -> tuple[int, int]:
        connection = await aio_pika.connect(AMQP)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            await channel.declare_queue(unrouted_name(legacy), durable=True)  # no bound
            depths = []
            try:
                for name in (bounded, legacy):
                    exchange = await declare_event_exchange(channel, name)
                    for i in range(5):
                        await exchange.publish(aio_pika.Message(b"%d" % i), "NoSuchKind")
                    queue = await channel.declare_queue(unrouted_name(name), passive=True)
                    depths.append(queue.declaration_result.message_count)
                    if name == bounded:
                        kept = await queue.get(no_ack=True)
                        assert kept.body == b"2", "the oldest were dropped"
            finally:
                for name in (bounded, legacy):
                    await channel.queue_delete(unrouted_name(name))
                    await channel.exchange_delete(name)
                    await channel.exchange_delete(unrouted_name(name))
            return depths[0], depths[1]

    assert asyncio.run(scenario()) == (3, 5)


def test_an_existing_exchange_without_the_alternate_exchange_is_used_as_it_is(tmp_path):
    exchange = unique("coffee_test_legacy")

    async def legacy() -> None:
        connection = await aio_pika.connect(AMQP)
        async with connection:
            channel = await connection.channel()
            await channel.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC, durable=True)
            queue = await channel.declare_queue(exchange + ".q", durable=True)
            await queue.bind(exchange, "#")

    async def cleanup() -> int:
        connection = await aio_pika.connect(AMQP)
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(exchange + ".q", durable=True, passive=True)
            depth = queue.declaration_result.message_count
            await channel.queue_delete(exchange + ".q")
            await channel.queue_delete(unrouted_name(exchange))
            await channel.exchange_delete(exchange)
            await channel.exchange_delete(unrouted_name(exchange))
            return depth

    asyncio.run(legacy())
    try:
        with ServerThread(settings_for(exchange, str(tmp_path))) as srv:
            assert srv.server.publisher.connected
            assert srv.stub().dispatch(event_batch(["old"]), timeout=10).accepted == 1
            assert srv.server.publisher.confirmed == 1
    finally:
        assert asyncio.run(cleanup()) == 1


def test_every_published_batch_has_a_message_id_confirmed_or_from_the_log(
    exchange, tmp_path, proxy
):
    """Issue 19: every publisher we control sets a message id (the consumers' row ids and
    insert tokens come from it): batches published at once and batches the write-ahead log
    held while the broker was away and replayed later."""
    with server_behind(proxy, exchange, str(tmp_path)) as (queue, srv):
        stub = srv.stub()
        assert stub.dispatch(event_batch(["direct-1"]), timeout=10).accepted == 1
        proxy.cut()
        for name in ("logged-1", "logged-2"):
            assert stub.dispatch(event_batch([name]), timeout=10).accepted == 1
        proxy.restore()
        messages: list = []
        deadline = time.monotonic() + 30
        while len(messages) < 3 and time.monotonic() < deadline:
            messages += queue.messages()
            time.sleep(0.2)
    assert len(messages) == 3, messages
    ids = [m.message_id for m in messages]
    assert all(ids) and len(set(ids)) == 3, ids
