"""Listeners: consumers of the api's own events (ack after the work, retry, dead letter).

Each handler runs in a PostgreSQL transaction that also records the message id in
``processed_events``, so a redelivery or an outbox resend (same message id) is done once.
- session_invalidated: deletes `session:{id}` from Redis and republishes the id on the gateways'
  invalidation channel (repeats the logout's fast path, which may have been lost).
- contract_renewed: marks the partner ACTIVE again.
- profile_updated: counts the change in ``profile_stats`` (updates per profile).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import orjson
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection

from coffee.infra import amqp

log = logging.getLogger("coffee.api.listeners")

Work = Callable[[asyncpg.Connection, Any, dict[str, Any]], Awaitable[None]]


async def session_invalidated(conn: asyncpg.Connection, redis: Any, event: dict) -> None:
    sid = str(event["sessionId"])
    await redis.delete(f"session:{sid}")
    await redis.publish("session-invalidation", sid)


async def contract_renewed(conn: asyncpg.Connection, redis: Any, event: dict) -> None:
    await conn.execute("UPDATE partners SET status = 'ACTIVE' WHERE id = $1", event["partnerId"])


async def profile_updated(conn: asyncpg.Connection, redis: Any, event: dict) -> None:
    await conn.execute(
        "INSERT INTO profile_stats (profile_id, updates) VALUES ($1, 1) "
        "ON CONFLICT (profile_id) DO UPDATE SET updates = profile_stats.updates + 1",
        int(event["profileId"]),
    )


LISTENERS: dict[str, Work] = {
    "session_invalidated": session_invalidated,
    "contract_renewed": contract_renewed,
    "profile_updated": profile_updated,
}


def handler(name: str, work: Work, pool: asyncpg.Pool, redis: Any) -> amqp.Handler:
    async def handle(message: AbstractIncomingMessage) -> None:
        event = orjson.loads(message.body)
        async with pool.acquire() as conn, conn.transaction():
            first = await conn.fetchval(
                "INSERT INTO processed_events (listener, message_id) VALUES ($1, $2) "
                "ON CONFLICT DO NOTHING RETURNING 1",
                name,
                message.message_id or "",
            )
            if first or not message.message_id:
                await work(conn, redis, event)

    return handle


class Listeners:
    def __init__(
        self,
        uri: str,
        exchange: str,
        pool: asyncpg.Pool,
        redis: Any,
        prefetch: int,
        max_retries: int,
    ) -> None:
        self.uri, self.exchange, self.pool, self.redis = uri, exchange, pool, redis
        self.prefetch, self.max_retries = prefetch, max_retries
        self.conn: AbstractRobustConnection | None = None
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="coffee-listeners")

    async def _run(self) -> None:
        # The broker may be down at start: keep trying; once connected, aio-pika's robust
        # connection restores the channels and consumers by itself.
        delay = 0.5
        while self.conn is None:
            try:
                self.conn = await amqp.connect(self.uri)
            except Exception as exc:
                log.warning("listeners: broker unavailable (%r), retrying", exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10)
        for name, work in LISTENERS.items():
            await amqp.consume(
                self.conn,
                self.exchange,
                name,
                handler(name, work, self.pool, self.redis),
                prefetch=self.prefetch,
                max_retries=self.max_retries,
            )

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self.conn is not None:
            with contextlib.suppress(Exception):
                await self.conn.close()
