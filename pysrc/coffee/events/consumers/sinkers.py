"""Sinkers: rows into one ClickHouse table, with a deadline on every write and a circuit
breaker per sinker. A message is acknowledged only after its rows are committed.

- Direct: each message is inserted at once (its insert token is the message id), then acked.
- Buffered: rows gather in the native RowBatch; flushed at N rows or every T seconds; a failed
  flush keeps the rows (and leaves their messages unacked) and retries with backoff. The
  channel's prefetch bounds what is held, so when flushes fail the consumer simply stops
  receiving (RabbitMQ keeps the rest) instead of dropping anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time

from aio_pika.abc import AbstractIncomingMessage

from coffee._native import BufferFull, RowBatch
from coffee.events.consumers import metrics
from coffee.events.consumers.schema import COLUMNS
from coffee.events.consumers.settings import ConsumerSettings
from coffee.events.consumers.topology import Kind
from coffee.infra.breaker import CircuitBreaker
from coffee.infra.clickhouse import ClickHouse

log = logging.getLogger(__name__)


class SinkUnavailable(Exception):
    """The sinker's breaker is open: ClickHouse is failing, do not try now."""


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class TableWriter:
    """Inserts into one table with a deadline, behind a circuit breaker."""

    def __init__(self, clickhouse: ClickHouse, kind: Kind, settings: ConsumerSettings) -> None:
        self.clickhouse = clickhouse
        self.kind = kind
        self.table = f"`{kind.database}`.`{kind.table}`"
        self.timeout = settings.clickhouse_timeout
        self.breaker = CircuitBreaker(settings.breaker_failures, settings.breaker_reset_seconds)

    async def insert(self, body: bytes, token: str) -> None:
        if not self.breaker.allow():
            raise SinkUnavailable(f"breaker open for {self.table}")
        try:
            await asyncio.wait_for(
                self.clickhouse.insert_json_each_row(self.table, COLUMNS, body, token), self.timeout
            )
        except Exception:
            self.breaker.failure()
            metrics.INSERT_FAILURES.labels(self.kind.queue).inc()
            raise
        self.breaker.success()

    async def probe(self) -> bool:
        """Whether writes could succeed again: the server answers, and the table is there with
        every column the sinker writes (a breaking schema change keeps the breaker open until
        it is fixed, instead of letting one probe message at a time fail into dead letters)."""
        sql = (
            "SELECT name FROM system.columns"
            f" WHERE database = '{self.kind.database}' AND table = '{self.kind.table}'"
        )
        try:
            rows = await asyncio.wait_for(self.clickhouse.query(sql), self.timeout)
        except Exception:
            return False
        return set(COLUMNS) <= {row[0] for row in rows}


def _token(message_ids: list[str]) -> str:
    return hashlib.sha256("\n".join(message_ids).encode()).hexdigest()


def message_key(message: AbstractIncomingMessage) -> str:
    return message.message_id or hashlib.sha256(message.body).hexdigest()


def _received_ms(message: AbstractIncomingMessage) -> int:
    """When the platform took the message in: the intake's `x-received-at` header, else the
    AMQP timestamp, else now."""
    received = (message.headers or {}).get("x-received-at")
    if isinstance(received, int) and not isinstance(received, bool) and received >= 0:
        return received
    if message.timestamp is not None:
        return int(message.timestamp.timestamp() * 1000)
    return _now_ms()


def add_rows(batch: RowBatch, kind: Kind, message: AbstractIncomingMessage) -> tuple[int, int]:
    """The message's rows into `batch`, read as the kind's format says; (accepted, refused)."""
    routing_key = message.routing_key or ""
    if kind.format == "document":
        return batch.add_documents(
            message.body, routing_key or kind.table, message_key(message),
            _received_ms(message), _now_ms(),
        )  # fmt: skip
    return batch.add(message.body, routing_key, _now_ms())


class DirectSinker:
    def __init__(self, writer: TableWriter) -> None:
        self.writer = writer

    async def handle(self, message: AbstractIncomingMessage) -> bool:
        """Writes the message's rows; True once committed (the caller acks). Raises on failure."""
        batch = RowBatch(flush_rows=1, capacity_rows=1 << 30)
        accepted, refused = add_rows(batch, self.writer.kind, message)
        metrics.ROWS_REFUSED.labels(self.writer.kind.queue).inc(refused)
        if accepted:
            await self.writer.insert(batch.body(), _token([message_key(message)]))
            metrics.ROWS_WRITTEN.labels(self.writer.kind.queue).inc(accepted)
        return True


class BufferedSinker:
    def __init__(self, writer: TableWriter, kind: Kind, settings: ConsumerSettings) -> None:
        self.writer = writer
        self.kind = kind
        self.batch = RowBatch(
            flush_rows=kind.flush_rows, capacity_rows=max(kind.flush_rows, 10_000)
        )
        self.pending: list[AbstractIncomingMessage] = []
        self.lock = asyncio.Lock()
        self.backoff = 0.5
        self.max_backoff = settings.flush_backoff_max_seconds
        self._timer: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._timer = asyncio.create_task(self._flush_every_interval())

    async def handle(self, message: AbstractIncomingMessage) -> bool:
        """Buffers the message's rows; returns False: the message is acked by a later flush."""
        async with self.lock:
            while True:
                try:
                    _, refused = add_rows(self.batch, self.kind, message)
                    break
                except BufferFull:
                    if not await self._flush_locked():
                        await asyncio.sleep(self.backoff)
            metrics.ROWS_REFUSED.labels(self.kind.queue).inc(refused)
            self.pending.append(message)
            metrics.BUFFERED_ROWS.labels(self.kind.queue).set(len(self.batch))
            if self.batch.should_flush():
                await self._flush_locked()
        return False

    async def _flush_every_interval(self) -> None:
        while True:
            await asyncio.sleep(self.kind.flush_seconds)
            async with self.lock:
                if self.pending:
                    await self._flush_locked()

    async def flush(self) -> bool:
        async with self.lock:
            return await self._flush_locked()

    async def _flush_locked(self) -> bool:
        if not self.pending:
            return True
        rows = len(self.batch)
        try:
            if rows:
                token = _token([message_key(m) for m in self.pending])
                await self.writer.insert(self.batch.body(), token)
        except Exception as exc:  # keep rows and messages; the next flush retries
            log.warning("flush of %d rows into %s failed: %r", rows, self.writer.table, exc)
            self.backoff = min(self.backoff * 2, self.max_backoff)
            return False
        self.backoff = 0.5
        for message in self.pending:
            with contextlib.suppress(Exception):  # a channel lost since: redelivered, deduplicated
                await message.ack()
        metrics.ROWS_WRITTEN.labels(self.kind.queue).inc(rows)
        self.pending.clear()
        self.batch.clear()
        metrics.BUFFERED_ROWS.labels(self.kind.queue).set(0)
        return True

    async def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._timer
        await self.flush()
