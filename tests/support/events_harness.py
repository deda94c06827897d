"""Helpers for event-intake tests against the real RabbitMQ: a server running on its own event
loop in a thread, a gRPC client, and a queue bound to the test's own exchange."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import uuid
from collections.abc import Iterator

import aio_pika
import grpc
from coffee.events.proto import events_pb2, events_pb2_grpc
from coffee.events.server import EventServer
from coffee.events.settings import EventSettings
from coffee.infra.event_exchange import declare_event_exchange, unrouted_name

AMQP = "amqp://guest:guest@127.0.0.1:5672/"
NOW_MS = lambda: time.time_ns() // 1_000_000  # noqa: E731
HEADER = events_pb2.Header(bbDeviceId=42, deviceId="dev-1", userId=7, clientId="test")


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


async def queue_depth(queue: str, amqp: str = AMQP) -> int:
    """Messages ready in `queue` (a passive declare: the queue must exist)."""
    connection = await aio_pika.connect(amqp)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        return declared.declaration_result.message_count


def event_batch(ids: list[str], timestamp: int | None = None) -> events_pb2.Events:
    ts = str(timestamp if timestamp is not None else NOW_MS())
    return events_pb2.Events(
        header=HEADER,
        events=[events_pb2.Event(id=i, timestamp=ts, name="click", params="{}") for i in ids],
    )


class ServerThread:
    """An EventServer on a private event loop, so sync tests can drive it with a sync client."""

    def __init__(self, settings: EventSettings) -> None:
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self.server: EventServer | None = None
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> ServerThread:
        self._thread.start()
        self.server = self.run(self._make())
        self.port = self.run(self.server.start())
        return self

    async def _make(self) -> EventServer:
        return EventServer(self.settings, serve_http=False)  # gRPC tests; webhooks have their own

    def run(self, coro, timeout: float = 30):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            self.run(self.server.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)

    def stub(self) -> events_pb2_grpc.EventServiceStub:
        channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        return events_pb2_grpc.EventServiceStub(channel)


def settings_for(exchange: str, wal_dir: str, amqp: str = AMQP, **overrides) -> EventSettings:
    values = {
        "host": "127.0.0.1",
        "port": 0,
        "events_admin_port": 0,
        "amqp_uri": amqp,
        "event_exchange": exchange,
        "event_wal_dir": wal_dir,
        "event_publish_timeout": 1.0,
        "event_shutdown_grace": 5.0,
        **overrides,
    }
    return EventSettings(**values)


class BoundQueue:
    """A queue bound to an exchange with `#`, read and deleted from the test's own loop."""

    def __init__(self, exchange: str) -> None:
        self.exchange = exchange
        self.name = unique("coffee_test_q")

    async def _declare(self) -> None:
        connection = await aio_pika.connect(AMQP)
        async with connection:
            channel = await connection.channel()
            exchange = await declare_event_exchange(channel, self.exchange)
            queue = await channel.declare_queue(self.name, durable=True)
            await queue.bind(exchange, "#")

    async def _drain(self) -> list[aio_pika.abc.AbstractIncomingMessage]:
        connection = await aio_pika.connect(AMQP)
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(self.name, durable=True)
            out = []
            while (message := await queue.get(no_ack=True, fail=False)) is not None:
                out.append(message)
            return out

    async def _delete(self) -> None:
        connection = await aio_pika.connect(AMQP)
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete(self.name)
            await channel.queue_delete(unrouted_name(self.exchange))
            await channel.exchange_delete(self.exchange)
            await channel.exchange_delete(unrouted_name(self.exchange))

    def __enter__(self) -> BoundQueue:
        asyncio.run(self._declare())
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run(self._delete())

    def messages(self) -> list:
        return asyncio.run(self._drain())

    def event_ids_until(self, expected: int, timeout: float = 20.0) -> list[str]:
        """Event ids of every message, in queue order, once `expected` ids arrived (or timeout)."""
        ids: list[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages():
                for envelope in envelopes(message.body):
                    ids.extend(e["id"] for e in envelope["events"])
            if len(ids) >= expected:
                break
            time.sleep(0.2)
        return ids


def envelopes(body: bytes) -> list[dict]:
    """The envelopes of an intake message: one, or an array of batches published together."""
    import json

    parsed = json.loads(body)
    return parsed if isinstance(parsed, list) else [parsed]


def iter_ids(prefix: str, n: int) -> Iterator[str]:
    return (f"{prefix}-{i}" for i in range(n))
