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
import re
import time
import uuid
from collections.abc import Awaitable, Callable

from aio_pika.abc import AbstractIncomingMessage

from coffee._native import BufferFull, RowBatch
from coffee.events import original_wire
from coffee.events.consumers import metrics
from coffee.events.consumers.schema import COLUMNS
from coffee.events.consumers.settings import ConsumerSettings
from coffee.events.consumers.topology import Kind
from coffee.infra.breaker import CircuitBreaker
from coffee.infra.clickhouse import ClickHouse

log = logging.getLogger(__name__)

# Set by the consumer on a message it sends to a retry wait queue (see consumer.py).
ORIGINAL_ROUTING_KEY = "x-original-routing-key"


class SinkUnavailable(Exception):
    """The sinker's breaker is open: ClickHouse is failing, do not try now."""


# ClickHouse error codes that mean "these rows are refused", not "the server is failing":
# parse errors (6, 26, 27, 38, 41, 72), type and range errors (53, 69, 70, 321), bad data (117)
# and a violated table constraint (469). Retrying the same rows can never succeed.
DATA_ERROR_CODES = frozenset({6, 26, 27, 32, 38, 41, 53, 69, 70, 72, 117, 321, 469})
_CODE = re.compile(r"Code: (\d+)")


def is_data_error(error: BaseException) -> bool:
    """Whether ClickHouse refused the rows themselves (as opposed to a connection error, a
    timeout or a missing table): the server answered, with one of the data error codes."""
    match = _CODE.search(str(error))
    return match is not None and int(match.group(1)) in DATA_ERROR_CODES


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
            await self.clickhouse.insert_json_each_row(
                self.table, COLUMNS, body, token, timeout=self.timeout
            )
        except Exception as exc:
            metrics.INSERT_FAILURES.labels(self.kind.queue).inc()
            if is_data_error(exc):  # the server is fine, the rows are not: no breaker failure
                self.breaker.success()
            else:
                self.breaker.failure()
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
    """The message's id: rows take their ids from it, so a redelivery is stored once. Every
    publisher we control sets one. Without it, two identical documents must still be two rows
    (a hash of the body alone merged them): the body is hashed with what the publisher stamped
    on this one send (the intake's `x-received-at`, the AMQP timestamp), and with neither, the
    message gets a fresh id (a redelivery of it may then be stored twice: counted)."""
    if message.message_id:
        return message.message_id
    stamp = (message.headers or {}).get("x-received-at") or message.timestamp
    if stamp is None:
        metrics.MESSAGES_WITHOUT_ID.labels(message.routing_key or "").inc()
        return "anon-" + uuid.uuid4().hex
    return hashlib.sha256(message.body + b"\0" + str(stamp).encode()).hexdigest()


def _received_ms(message: AbstractIncomingMessage) -> int:
    """When the platform took the message in: the intake's `x-received-at` header, else the
    AMQP timestamp, else now."""
    received = (message.headers or {}).get("x-received-at")
    if isinstance(received, int) and not isinstance(received, bool) and received >= 0:
        return received
    if message.timestamp is not None:
        return int(message.timestamp.timestamp() * 1000)
    return _now_ms()


def original_routing_key(message: AbstractIncomingMessage) -> str:
    """The routing key the message was first published with. A retried message comes back from
    its wait queue through the default exchange with the wait queue's name as routing key; the
    consumer carried the original in `x-original-routing-key` across the wait, and the event
    name is taken from it, not from the wait queue."""
    original = (message.headers or {}).get(ORIGINAL_ROUTING_KEY)
    if isinstance(original, bytes):
        original = original.decode("utf-8", "replace")
    if isinstance(original, str) and original:
        return original
    return message.routing_key or ""


def add_rows(batch: RowBatch, kind: Kind, message: AbstractIncomingMessage) -> tuple[int, int]:
    """The message's rows into `batch`, read as the kind's format says; (accepted, refused)."""
    routing_key = original_routing_key(message)
    if kind.format == "document":
        return batch.add_documents(
            message.body, routing_key or kind.table, message_key(message),
            _received_ms(message), _now_ms(),
        )  # fmt: skip
    return batch.add(envelope_of(message.body), routing_key, _now_ms())


def envelope_of(body: bytes) -> bytes:
    """The message as our envelope, typed payloads decoded into `params` (the original's
    `event_params`): the original format (from the original producers, or ours with
    EVENT_MESSAGE_FORMAT=original) is converted; what neither format reads is passed on as it
    is, for the row builder to refuse and count."""
    if not original_wire.is_original(body):
        return original_wire.with_payload_params(body)
    try:
        return original_wire.to_envelope(body)
    except original_wire.NotOriginal:
        return body


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


# Sends one message to the kind's dead-letter queue with a reason, confirmed; True once done.
DeadLetter = Callable[[AbstractIncomingMessage, str], Awaitable[bool]]


class BufferedSinker:
    def __init__(
        self,
        writer: TableWriter,
        kind: Kind,
        settings: ConsumerSettings,
        dead_letter: DeadLetter | None = None,
    ) -> None:
        self.writer = writer
        self.dead_letter = dead_letter
        self.kind = kind
        self.batch = RowBatch(
            flush_rows=kind.flush_rows, capacity_rows=max(kind.flush_rows, 10_000)
        )
        self.pending: list[AbstractIncomingMessage] = []
        # The messages of the last write that failed (a prefix of `pending`): retried alone.
        self.unsettled: list[AbstractIncomingMessage] = []
        self.lock = asyncio.Lock()
        self.backoff = 0.5
        self.max_backoff = settings.flush_backoff_max_seconds
        self._timer: asyncio.Task[None] | None = None
        self.closing = False

    def start(self) -> None:
        self._timer = asyncio.create_task(self._flush_every_interval())

    async def handle(self, message: AbstractIncomingMessage) -> bool:
        """Buffers the message's rows; returns False: the message is acked by a later flush."""
        async with self.lock:
            while True:
                if self.closing:  # left unacked: the broker redelivers it after the shutdown
                    return False
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
        # A failed write may still commit late (a deadline passed while it ran): the same
        # messages go again first, alone, with the same token, so a late commit and its retry
        # are stored once; what arrived since follows in a write of its own.
        retry_alone = self.unsettled and len(self.unsettled) < len(self.pending)
        if retry_alone and not await self._write_unsettled_locked():
            return False
        rows = len(self.batch)
        self.unsettled = list(self.pending)
        try:
            if rows:
                token = _token([message_key(m) for m in self.pending])
                await self.writer.insert(self.batch.body(), token)
        except Exception as exc:
            if is_data_error(exc) and self.dead_letter is not None:
                log.warning("%s refused rows (%r): isolating them", self.writer.table, exc)
                return await self._isolate_locked()
            # Keep rows and messages; the next flush retries.
            log.warning("flush of %d rows into %s failed: %r", rows, self.writer.table, exc)
            self.backoff = min(self.backoff * 2, self.max_backoff)
            return False
        self.backoff = 0.5
        self.unsettled = []
        for message in self.pending:
            with contextlib.suppress(Exception):  # a channel lost since: redelivered, deduplicated
                await message.ack()
        metrics.ROWS_WRITTEN.labels(self.kind.queue).inc(rows)
        self.pending.clear()
        self.batch.clear()
        metrics.BUFFERED_ROWS.labels(self.kind.queue).set(0)
        return True

    async def _write_unsettled_locked(self) -> bool:
        """Writes the messages of the last failed write, exactly those, with their token; the
        buffer is then rebuilt from the messages that came after them."""
        settled = self.unsettled
        part = RowBatch(flush_rows=1 << 30, capacity_rows=1 << 30)
        for message in settled:
            add_rows(part, self.kind, message)
        try:
            if len(part):
                await self.writer.insert(part.body(), _token([message_key(m) for m in settled]))
        except Exception as exc:
            if is_data_error(exc) and self.dead_letter is not None:
                self.unsettled = []
                return await self._isolate_locked()
            log.warning("retry of %d rows into %s failed: %r", len(part), self.writer.table, exc)
            self.backoff = min(self.backoff * 2, self.max_backoff)
            return False
        for message in settled:
            with contextlib.suppress(Exception):
                await message.ack()
        metrics.ROWS_WRITTEN.labels(self.kind.queue).inc(len(part))
        self.unsettled = []
        self.pending = self.pending[len(settled) :]
        self.batch.clear()
        for message in self.pending:
            add_rows(self.batch, self.kind, message)
        metrics.BUFFERED_ROWS.labels(self.kind.queue).set(len(self.batch))
        return True

    async def _isolate_locked(self) -> bool:
        """ClickHouse refused the batch for some of its rows: bisect the pending messages until
        the messages whose rows are refused are found; they go to the dead-letter queue with the
        reason, the others are written and acked. Each part's dedup token comes from its own
        message ids, so a retry of the same part is stored once. On any other error the buffer
        is rebuilt from what is still pending and the normal retry goes on."""
        pending, self.pending = self.pending, []
        self.unsettled = []
        self.batch.clear()
        left = await self._write_or_split(pending)
        for message in left:  # a connection error on the way: kept for the next flush
            add_rows(self.batch, self.kind, message)
            self.pending.append(message)
        metrics.BUFFERED_ROWS.labels(self.kind.queue).set(len(self.batch))
        return not self.pending

    async def _write_or_split(
        self, messages: list[AbstractIncomingMessage]
    ) -> list[AbstractIncomingMessage]:
        """Writes `messages`' rows, splitting on a data error; returns those left unwritten."""
        part = RowBatch(flush_rows=1 << 30, capacity_rows=1 << 30)
        for message in messages:
            add_rows(part, self.kind, message)
        try:
            if len(part):
                await self.writer.insert(part.body(), _token([message_key(m) for m in messages]))
        except Exception as exc:
            if not is_data_error(exc):
                return messages
            if len(messages) == 1:
                assert self.dead_letter is not None
                if not await self.dead_letter(messages[0], f"refused by ClickHouse: {exc!r}"):
                    return messages
                metrics.ROWS_DEAD_LETTERED.labels(self.kind.queue).inc(len(part))
                return []
            middle = len(messages) // 2
            left = await self._write_or_split(messages[:middle])
            return left + await self._write_or_split(messages[middle:])
        for message in messages:
            with contextlib.suppress(Exception):  # a channel lost since: redelivered, deduplicated
                await message.ack()
        metrics.ROWS_WRITTEN.labels(self.kind.queue).inc(len(part))
        return []

    async def close(self, seconds: float) -> None:
        """The last flush, given `seconds` whatever ClickHouse does (down, or slow): what is
        still buffered then stays unacked, so the broker redelivers it once the channel
        closes, and is counted and logged. (A write cut off here may still commit late: its
        redelivered rows then carry the same event ids and FINAL readers see them once.)"""
        self.closing = True
        if self._timer is not None:
            self._timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._timer
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.flush(), seconds)
        if self.pending:
            metrics.LEFT_UNACKED_AT_SHUTDOWN.labels(self.kind.queue).inc(len(self.pending))
            log.warning(
                "%s: %d buffered messages (%d rows) not flushed by the shutdown deadline: "
                "left unacked, the broker redelivers them",
                self.kind.queue, len(self.pending), len(self.batch),
            )  # fmt: skip
