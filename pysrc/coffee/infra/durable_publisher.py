"""Publishing that loses nothing accepted: a message is durable once RabbitMQ confirms it or
once it is in the write-ahead log. While the broker is away, or while the log still holds
older messages (order per client matters), new messages go to the log; a replayer publishes the
log in order when the broker is back and then trims it.

The connection is aio-pika's robust connection (reconnects every second by itself); publisher
confirms are on, messages are persistent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractRobustConnection

from coffee.infra import amqp
from coffee.infra.event_exchange import declare_event_exchange
from coffee.infra.wal import Record, WalFull, WriteAheadLog

log = logging.getLogger(__name__)

__all__ = ["DurablePublisher", "WalFull"]

# The replay holds at most one chunk of records in memory; confirmed records are trimmed away
# every REPLAY_TRIM_BYTES (a crash mid-replay resends at most that much; ids deduplicate it).
REPLAY_CHUNK_BYTES = 4 << 20
REPLAY_TRIM_BYTES = 64 << 20


class DurablePublisher:
    def __init__(
        self,
        url: str,
        exchange: str,
        wal: WriteAheadLog,
        publish_timeout: float = 5.0,
        reconnect_interval: float = 1.0,
    ) -> None:
        self.url = url
        self.exchange_name = exchange
        self.wal = wal
        self.publish_timeout = publish_timeout
        self.reconnect_interval = reconnect_interval
        self._connection: AbstractRobustConnection | None = None
        self._channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None
        self._order = asyncio.Lock()  # appends in the order the workers reached the log
        self._replayer: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self.confirmed = 0
        self.logged = 0
        self.replayed = 0
        self.failures = 0

    async def start(self) -> None:
        """Connects (briefly waiting for the broker, so a healthy one is used from the first
        message), then keeps the connection and replays the log in the background."""
        try:
            await asyncio.wait_for(self._connect(), self.publish_timeout)
        except Exception as exc:  # the broker is away: start anyway, the log takes the messages
            log.warning("broker unavailable at start (%r); logging until it is back", exc)
            await self._drop_connection()
        self._replayer = asyncio.create_task(self._keep_connected_and_replay())

    @property
    def connected(self) -> bool:
        return (
            self._exchange is not None
            and self._channel is not None
            and not self._channel.is_closed
            and self._connection is not None
            and not self._connection.is_closed
        )

    async def publish(self, routing_key: str, body: bytes, headers: dict[str, str | int]) -> str:
        """Returns "confirmed" or "logged"; raises WalFull when neither is possible."""
        direct = self.connected and self.wal.size == 0
        if direct and await self._try_publish(routing_key, body, headers):
            self.confirmed += 1
            return "confirmed"
        async with self._order:
            await asyncio.to_thread(self.wal.append, Record(routing_key, body, headers))
        self.logged += 1
        return "logged"

    async def _try_publish(
        self, routing_key: str, body: bytes, headers: dict[str, str | int]
    ) -> bool:
        exchange = self._exchange
        if exchange is None:
            return False
        message = aio_pika.Message(
            body,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=str(headers.get("x-message-id") or uuid.uuid4().hex),
            headers=headers,
        )
        try:
            # aio-pika's own timeout (a scope); wait_for would run each publish as a task of its own
            await exchange.publish(message, routing_key, timeout=self.publish_timeout)
            return True
        except Exception as exc:  # any failure means "not confirmed": the log takes it
            self.failures += 1
            log.warning("publish to %s failed: %r", self.exchange_name, exc)
            return False

    async def _connect(self) -> None:
        self._connection = await amqp.connect(
            self.url, self.publish_timeout, self.reconnect_interval
        )
        self._channel = await self._connection.channel(publisher_confirms=True)
        self._exchange = await declare_event_exchange(self._channel, self.exchange_name)

    async def _keep_connected_and_replay(self) -> None:
        while not self._stopping.is_set():
            try:
                if self._connection is None:
                    await self._connect()
                if self.connected and self.wal.size:
                    await self._replay()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning(
                    "broker unavailable (%r); retrying in %.1fs", exc, self.reconnect_interval
                )
                await self._drop_connection()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.reconnect_interval / 4)

    async def _replay(self) -> None:
        """Publishes the log in order, reading it in bounded chunks. It does not take the order
        lock: while the log holds anything, every new message is appended after it, so this
        pass (the only reader and the only trimmer) reaches them in order, and new batches are
        not kept waiting behind a long replay."""
        offset = 0  # the next unpublished record, in the current file
        try:
            while True:
                chunk = await asyncio.to_thread(
                    lambda start=offset: list(self.wal.records(start, REPLAY_CHUNK_BYTES))
                )
                if not chunk:
                    return
                for end, record in chunk:
                    if not await self._try_publish(record.routing_key, record.body, record.headers):
                        return
                    offset = end
                    self.replayed += 1
                if offset >= REPLAY_TRIM_BYTES:  # trimming copies the rest: not per chunk
                    await asyncio.to_thread(self.wal.trim, offset)
                    offset = 0
        finally:
            if offset:
                await asyncio.shield(asyncio.to_thread(self.wal.trim, offset))

    async def _drop_connection(self) -> None:
        connection, self._connection, self._channel, self._exchange = (
            self._connection, None, None, None,
        )  # fmt: skip
        if connection is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), 2)

    async def close(self) -> None:
        """Replays what it can (a short grace), then closes; the log keeps the rest."""
        if self.connected and self.wal.size:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._replay(), self.publish_timeout)
        self._stopping.set()
        if self._replayer is not None:
            self._replayer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._replayer
        await self._drop_connection()
