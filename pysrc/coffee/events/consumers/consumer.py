"""One event kind's consumers: N channels on its queue, each message handed to the kind's
sinker. Any error takes the retry path (republish with `x-retry-count` + 1 into a delayed wait
queue; at the limit, to the dead-letter queue with the reason and the last error) and the
consumer keeps running. A message is acked only after its rows are committed or after its
copy was confirmed by the broker in the retry or dead-letter queue."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractIncomingMessage, AbstractQueue

from coffee.events.consumers import metrics
from coffee.events.consumers.health import DatabaseHealth
from coffee.events.consumers.settings import ConsumerSettings
from coffee.events.consumers.sinkers import (
    ORIGINAL_ROUTING_KEY,
    BufferedSinker,
    DirectSinker,
    TableWriter,
    message_key,
)
from coffee.events.consumers.topology import (
    RETRY_EXCHANGE,
    Kind,
    retry_queue,
)

log = logging.getLogger(__name__)

RETRY_HEADER = "x-retry-count"


class KindConsumer:
    def __init__(
        self,
        kind: Kind,
        writer: TableWriter,
        settings: ConsumerSettings,
        health: DatabaseHealth | None = None,
    ) -> None:
        self.kind = kind
        self.health = health
        self.writer = writer
        self.settings = settings
        self.sinker: DirectSinker | BufferedSinker = (
            BufferedSinker(writer, kind, settings, self.dead_letter)
            if kind.sinker == "buffered"
            else DirectSinker(writer)
        )
        self._consumers: list[tuple[AbstractQueue, str]] = []
        self._channels: list[AbstractChannel] = []
        self._publish_channel: AbstractChannel | None = None
        self._watch: asyncio.Task[None] | None = None
        self.paused = False

    async def start(self, connection: AbstractConnection) -> None:
        self._publish_channel = await connection.channel(publisher_confirms=True)
        for _ in range(self.kind.consumers):
            channel = await connection.channel()
            await channel.set_qos(prefetch_count=self.kind.prefetch)
            self._channels.append(channel)
        if isinstance(self.sinker, BufferedSinker):
            self.sinker.start()
        await self._consume()
        self._watch = asyncio.create_task(self._watch_breaker())

    async def _consume(self) -> None:
        for channel in self._channels:
            # Declared (passively), not merely looked up: only queues the robust channel
            # declared get their consumers back after the broker restarts.
            queue = await channel.declare_queue(self.kind.queue, passive=True)
            tag = await queue.consume(self._on_message)
            self._consumers.append((queue, tag))
        self.paused = False
        metrics.BREAKER_OPEN.labels(self.kind.queue).set(0)

    async def _cancel_consumers(self) -> None:
        consumers, self._consumers = self._consumers, []
        for queue, tag in consumers:
            with contextlib.suppress(Exception):
                await queue.cancel(tag)

    async def _pause(self) -> None:
        await self._cancel_consumers()
        self.paused = True
        metrics.BREAKER_OPEN.labels(self.kind.queue).set(1)
        log.warning("%s: ClickHouse failing, consumption paused", self.kind.queue)

    def _failing(self) -> bool:
        database_down = self.health is not None and not self.health.healthy(self.kind.database)
        return database_down or self.writer.breaker.rejecting()

    async def _watch_breaker(self) -> None:
        """Stops consuming while the breaker is open or the kind's database fails its health
        check; probes and resumes on its own."""
        while True:
            await asyncio.sleep(0.2)
            if not self.paused and self._failing():
                await self._pause()
            elif self.paused and not self._failing():
                if await self.writer.probe():
                    self.writer.breaker.success()
                    await self._consume()
                    log.info("%s: ClickHouse back, consumption resumed", self.kind.queue)
                else:
                    self.writer.breaker.failure()

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        try:
            done = await self.sinker.handle(message)
        except Exception as exc:  # any error, of any kind: the retry path
            await self._retry_or_dead_letter(message, exc)
            return
        if done:
            await message.ack()

    async def _retry_or_dead_letter(
        self, message: AbstractIncomingMessage, error: Exception
    ) -> None:
        headers = dict(message.headers or {})
        attempt = int(headers.get(RETRY_HEADER, 0) or 0) + 1
        headers[RETRY_HEADER] = attempt
        headers.setdefault("x-original-exchange", message.exchange or self.kind.exchange)
        headers.setdefault(ORIGINAL_ROUTING_KEY, message.routing_key or "")
        prefix = self.settings.name_prefix
        if attempt <= self.settings.retry_limit:
            exchange_name, routing_key = prefix + RETRY_EXCHANGE, retry_queue(self.kind, attempt)
            counter = metrics.RETRIED
        else:
            headers["x-death-reason"] = "retries exhausted"
            headers["x-last-error"] = repr(error)[:500]
            exchange_name, routing_key = self.kind.dead_letter_route(prefix)
            counter = metrics.DEAD_LETTERED
        if await self._publish_copy(message, headers, exchange_name, routing_key):
            counter.labels(self.kind.queue).inc()
            await message.ack()
        else:
            with contextlib.suppress(Exception):
                await message.nack(requeue=True)

    async def dead_letter(self, message: AbstractIncomingMessage, reason: str) -> bool:
        """Straight to the dead-letter queue (rows ClickHouse refuses: no retry can help); acks
        the original once the copy is confirmed. False when the broker did not take it (the
        message stays unacked, the broker redelivers it)."""
        headers = dict(message.headers or {})
        headers.setdefault("x-original-exchange", message.exchange or self.kind.exchange)
        headers.setdefault(ORIGINAL_ROUTING_KEY, message.routing_key or "")
        headers["x-death-reason"] = "refused by ClickHouse"
        headers["x-last-error"] = reason[:500]
        exchange, routing_key = self.kind.dead_letter_route(self.settings.name_prefix)
        if not await self._publish_copy(message, headers, exchange, routing_key):
            return False
        metrics.DEAD_LETTERED.labels(self.kind.queue).inc()
        with contextlib.suppress(Exception):
            await message.ack()
        return True

    async def _publish_copy(
        self, message: AbstractIncomingMessage, headers: dict, exchange_name: str, routing_key: str
    ) -> bool:
        copy = aio_pika.Message(
            message.body,
            headers=headers,
            content_type=message.content_type,
            # The id its rows get (a message sent without one gets it here), and the send time
            # it may be derived from: a retried or replayed copy makes the same rows.
            message_id=message.message_id or message_key(message),
            timestamp=message.timestamp,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        try:
            assert self._publish_channel is not None
            exchange = await self._publish_channel.get_exchange(exchange_name, ensure=False)
            await exchange.publish(copy, routing_key)  # confirmed before the original is acked
        except Exception:
            log.exception("%s: could not republish; the broker redelivers it", self.kind.queue)
            return False
        return True

    async def close(self, seconds: float = 8.0) -> None:
        """Stops consuming and flushes within `seconds`; what is left stays unacked."""
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        with contextlib.suppress(Exception):  # a broker that is down must not hold the exit
            await asyncio.wait_for(self._cancel_consumers(), seconds / 4)
        if isinstance(self.sinker, BufferedSinker):
            await self.sinker.close(max(0.0, deadline - loop.time()))
        for channel in self._channels:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(channel.close(), 1.0)
