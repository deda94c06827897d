"""RabbitMQ plumbing shared by the api and the events services (aio-pika).

Naming follows the originals: direct durable exchanges; the queue of a routing key is
``<exchange>___<routing key>``; a message that failed ``max_retries`` times goes to the error
exchange ``<exchange>.error`` with routing key ``error.<queue>``, whose durable queue keeps it.

- `Publisher`: a robust connection (reconnects by itself, no restart needed) and a channel with
  publisher confirms, so `publish` returns only once the broker has the message.
- `consume`: acknowledges after the handler's work; a failure republishes the message with
  ``x-retry-count`` + 1 (RabbitMQ ignores client-set ``x-death`` since 3.13) and dead-letters it
  past the limit. Prefetch is a setting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import aio_pika
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustConnection,
)
from aio_pika.connection import make_url

log = logging.getLogger("coffee.amqp")

RETRY_HEADER = "x-retry-count"


def queue_name(exchange: str, routing_key: str) -> str:
    return f"{exchange}___{routing_key}"


def error_exchange(exchange: str) -> str:
    return f"{exchange}.error"


async def connect(
    uri: str, timeout: float = 5.0, reconnect_interval: float = 1.0
) -> AbstractRobustConnection:
    """A robust connection (it reconnects by itself once made), made within `timeout`.

    The connection object is ours before it connects, so a failed or cancelled first attempt
    closes it: aio-pika's `connect_robust` would leave that attempt's reconnect task running,
    and the task ignores cancellation, so the process never exits after a SIGTERM while the
    broker accepts TCP but does not answer (seen with a starved broker)."""
    connection = aio_pika.RobustConnection(make_url(uri), reconnect_interval=reconnect_interval)
    try:
        await asyncio.wait_for(connection.connect(timeout), timeout)
    except BaseException:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(connection.close(), 2)
        raise
    return connection


async def declare(
    channel: AbstractChannel, exchange: str, routing_key: str
) -> tuple[AbstractExchange, AbstractQueue]:
    """The exchange, the queue of `routing_key` bound to it, and its error queue."""
    ex = await channel.declare_exchange(exchange, aio_pika.ExchangeType.DIRECT, durable=True)
    name = queue_name(exchange, routing_key)
    queue = await channel.declare_queue(name, durable=True)
    await queue.bind(ex, routing_key)
    err = await channel.declare_exchange(
        error_exchange(exchange), aio_pika.ExchangeType.DIRECT, durable=True
    )
    err_queue = await channel.declare_queue(f"{name}.error", durable=True)
    await err_queue.bind(err, f"error.{name}")
    return ex, queue


class Publisher:
    """Publishes with confirms over a connection that reconnects by itself."""

    def __init__(self, uri: str, exchange: str, timeout: float = 5.0) -> None:
        self.uri = uri
        self.exchange_name = exchange
        self.timeout = timeout
        self._conn: AbstractRobustConnection | None = None
        self._channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None
        self._lock = asyncio.Lock()
        self.failures = 0

    async def _ready(self) -> AbstractExchange:
        if self._exchange is not None and self._channel and not self._channel.is_closed:
            return self._exchange
        async with self._lock:
            if self._conn is None or self._conn.is_closed:
                # First connection (or the broker was down at start): connect now.
                self._conn = await connect(self.uri, self.timeout)
            self._channel = await self._conn.channel(publisher_confirms=True)
            self._exchange = await self._channel.declare_exchange(
                self.exchange_name, aio_pika.ExchangeType.DIRECT, durable=True
            )
            return self._exchange

    async def publish(
        self,
        routing_key: str,
        body: bytes,
        *,
        message_id: str,
        headers: dict[str, Any] | None = None,
        exchange: str | None = None,
    ) -> None:
        """Returns once the broker confirmed; raises on failure or after `timeout`.

        `message_id` is required: the consumers take a row's id from it, so a redelivery is
        stored once and two equal events stay two."""
        if not message_id:
            raise ValueError("a message id is required")
        ex = await asyncio.wait_for(self._ready(), self.timeout)
        if exchange is not None and exchange != self.exchange_name:
            assert self._channel is not None
            ex = await self._channel.declare_exchange(
                exchange, aio_pika.ExchangeType.DIRECT, durable=True
            )
        message = aio_pika.Message(
            body,
            message_id=message_id,
            headers=headers or {},
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            content_type="application/json",
            timestamp=datetime.now(UTC),  # the consumers' event time for plain documents
        )
        await ex.publish(message, routing_key, timeout=self.timeout)

    async def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()
        self._conn = self._channel = self._exchange = None


Handler = Callable[[AbstractIncomingMessage], Awaitable[None]]


async def consume(
    conn: AbstractRobustConnection,
    exchange: str,
    routing_key: str,
    handler: Handler,
    *,
    prefetch: int = 1,
    max_retries: int = 2,
) -> AbstractQueue:
    """Starts consuming `routing_key`'s queue; returns the queue (cancel with its consumer tag)."""
    channel = await conn.channel(publisher_confirms=True)
    await channel.set_qos(prefetch_count=prefetch)
    ex, queue = await declare(channel, exchange, routing_key)
    err_ex = await channel.get_exchange(error_exchange(exchange))
    name = queue_name(exchange, routing_key)

    async def on_message(message: AbstractIncomingMessage) -> None:
        try:
            await handler(message)
        except Exception as exc:
            retries = int((message.headers or {}).get(RETRY_HEADER, 0) or 0)
            headers = {**(message.headers or {}), RETRY_HEADER: retries + 1}
            copy = aio_pika.Message(
                message.body,
                message_id=message.message_id,
                headers=headers,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                content_type=message.content_type,
            )
            try:
                if retries < max_retries:
                    await ex.publish(copy, routing_key)
                else:
                    log.error("dead-lettering %s after %d retries: %r", name, retries, exc)
                    await err_ex.publish(copy, f"error.{name}")
            except Exception:
                # Not republished: leave it unacked so the broker redelivers it.
                with contextlib.suppress(Exception):
                    await message.nack(requeue=True)
                return
        with contextlib.suppress(Exception):  # a channel reopened since: it will be redelivered
            await message.ack()

    await queue.consume(on_message)
    return queue
