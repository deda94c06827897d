"""After the commit: sending held ClickHouse writes and publishing outbox events.

Both tables are drained by a background loop (woken right after each commit that left work,
and every `outbox_poll_interval` seconds), so a broker or ClickHouse outage, or a process kill,
delays the work but loses nothing. Rows are claimed with ``FOR UPDATE SKIP LOCKED`` so several
workers never send the same row at once; a crash between the send and the mark resends it with
the same message id (outbox) or deduplication token (ClickHouse), which consumers and
ClickHouse drop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg
import orjson

from coffee.api import metrics
from coffee.infra.amqp import Publisher
from coffee.infra.clickhouse import ClickHouse

log = logging.getLogger("coffee.api.relay")


def ch_token(pending_id: int) -> str:
    return f"coffee-ch-{pending_id}"


async def flush_clickhouse(pool: asyncpg.Pool, clickhouse: ClickHouse, ids: list[int]) -> bool:
    """Sends the given committed pending writes now; False leaves them to the relay."""
    if not ids:
        return True
    try:
        async with pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT id, tbl, rows FROM ch_pending WHERE id = ANY($1::bigint[]) ORDER BY id",
                ids,
            )
            for row in rows:
                await clickhouse.insert_json_rows(row["tbl"], row["rows"], ch_token(row["id"]))
                await conn.execute("DELETE FROM ch_pending WHERE id = $1", row["id"])
        return True
    except Exception as exc:
        metrics.CH_FLUSH_FAILURES.inc()
        log.warning("ClickHouse flush after commit failed, the relay will retry: %r", exc)
        return False


class Relay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        clickhouse: ClickHouse,
        publisher: Publisher,
        poll_interval: float = 0.5,
        batch: int = 100,
        ch_grace: float = 5.0,
    ) -> None:
        self.pool = pool
        self.clickhouse = clickhouse
        self.publisher = publisher
        self.poll_interval = poll_interval
        self.batch = batch
        # Pending ClickHouse rows younger than this are still being flushed by their request.
        self.ch_grace = ch_grace
        self.wake = asyncio.Event()
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="coffee-relay")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        backoff = self.poll_interval
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), backoff)
            self.wake.clear()
            try:
                more = await self.publish_outbox()
                await self.resend_clickhouse()
                backoff = 0 if more else self.poll_interval
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("relay: %r", exc)
                backoff = min(max(backoff * 2, self.poll_interval), 5.0)

    async def publish_outbox(self) -> bool:
        """Publishes one batch with confirms; True when a full batch was sent (more may wait)."""
        error: Exception | None = None
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                "SELECT id, exchange, routing_key, payload FROM outbox WHERE sent_at IS NULL "
                "ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
                self.batch,
            )
            sent: list[int] = []
            for row in rows:
                try:
                    await self.publisher.publish(
                        row["routing_key"],
                        orjson.dumps(row["payload"]),
                        message_id=str(row["id"]),
                        exchange=row["exchange"],
                    )
                except Exception as exc:  # the rest waits for the next round
                    error = exc
                    break
                sent.append(row["id"])
            if sent:  # marked in the same transaction that holds the row locks
                await conn.execute(
                    "UPDATE outbox SET sent_at = now() WHERE id = ANY($1::bigint[])", sent
                )
                metrics.OUTBOX_PUBLISHED.inc(len(sent))
        if error is not None:
            metrics.OUTBOX_FAILURES.inc()
            raise error
        return len(rows) == self.batch

    async def resend_clickhouse(self) -> None:
        async with self.pool.acquire() as conn:
            ids = await conn.fetch(
                "SELECT id FROM ch_pending WHERE created_at < now() - make_interval(secs => $1) "
                "ORDER BY id LIMIT $2",
                self.ch_grace,
                self.batch,
            )
        if ids:
            await flush_clickhouse(self.pool, self.clickhouse, [r["id"] for r in ids])
