"""Counts what the broker drops from the dead-letter queues.

A dead-letter queue has a TTL and a maximum length; the broker dead-letters what it drops from
it (expired, or the oldest past the maximum length) to the `coffee.discarded` queue. This
consumer counts each one by the queue that dropped it and why (the message's newest `x-death`
entry), then acknowledges it: the body is gone for good, but never uncounted."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractIncomingMessage

from coffee.events.consumers import metrics

log = logging.getLogger(__name__)


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def discarded_from(message: AbstractIncomingMessage) -> tuple[str, str]:
    """(queue, reason) of the broker's latest dead-lettering; the broker keeps the newest
    `x-death` entry first (earlier entries are the retry wait queues' expiries)."""
    deaths = (message.headers or {}).get("x-death")
    if isinstance(deaths, list) and deaths and isinstance(deaths[0], dict):
        latest = deaths[0]
        return _text(latest.get("queue", "unknown")), _text(latest.get("reason", "unknown"))
    return "unknown", "unknown"


class DiscardCounter:
    def __init__(self, queue: str) -> None:
        self.queue = queue
        self._channel: AbstractChannel | None = None

    async def start(self, connection: AbstractConnection) -> None:
        self._channel = await connection.channel()
        await self._channel.set_qos(prefetch_count=100)
        # Declared passively, so the robust channel consumes again after a broker restart.
        queue = await self._channel.declare_queue(self.queue, passive=True)
        await queue.consume(self._on_message)

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        queue, reason = discarded_from(message)
        metrics.DEAD_LETTERS_DISCARDED.labels(queue, reason).inc()
        log.warning(
            "dead letter %s dropped by the broker from %s (%s)", message.message_id, queue, reason
        )
        await message.ack()

    async def close(self) -> None:
        if self._channel is not None:
            with contextlib.suppress(Exception):  # a broker that is down must not hold the exit
                await asyncio.wait_for(self._channel.close(), 1.0)
