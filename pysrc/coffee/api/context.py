"""The per-request context: one PostgreSQL transaction and one ClickHouse session.

ClickHouse has no transactions, so the request's ClickHouse writes are held in memory. At
commit they are first stored in the PostgreSQL transaction (table ``ch_pending``), then
PostgreSQL commits, and only then are they sent to ClickHouse, with the pending row's id as the
insert deduplication token, and the row is deleted. So:
- a rollback (error, timeout) discards them: nothing reaches ClickHouse;
- a failed PostgreSQL commit sends nothing to ClickHouse;
- a ClickHouse failure after the commit loses nothing: the relay resends the pending row, and
  the token makes a resend after a partial success a no-op.
ClickHouse therefore converges to the committed PostgreSQL state, a moment later at worst.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from coffee.api.tenant import Tenant
from coffee.infra.clickhouse import ClickHouse

AfterCommit = Callable[[], Awaitable[None]]


class CHSession:
    """Reads go straight to ClickHouse; writes wait for the request's commit."""

    def __init__(self, clickhouse: ClickHouse) -> None:
        self.clickhouse = clickhouse
        self.pending: list[tuple[str, list[dict[str, Any]]]] = []

    async def query(self, sql: str, parameters: dict[str, Any] | None = None) -> list[tuple]:
        return await self.clickhouse.query(sql, parameters)

    def insert(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Held until commit; all rows of one call must have the same keys."""
        if rows:
            self.pending.append((table, rows))

    def discard(self) -> None:
        self.pending.clear()


class RequestContext:
    def __init__(
        self,
        pg: asyncpg.Connection,
        ch: CHSession,
        tenant: Tenant,
        method: str,
        path: str,
        body: bytes,
        services: Any = None,
    ) -> None:
        # The worker's shared clients (Redis, tokens, settings) for the modules that need them.
        self.services = services
        self.pg = pg
        self.ch = ch
        self.tenant = tenant
        self.method = method
        self.path = path
        self.body = body
        self.after_commit: list[AfterCommit] = []
        self.outboxed = 0

    def on_commit(self, fn: AfterCommit) -> None:
        """Runs `fn` after both sessions committed (fire and forget: it may be lost)."""
        self.after_commit.append(fn)

    def publish_after_commit(self, routing_key: str, payload: Any) -> None:
        """An event that may be lost: published after the commit, never awaited by the request;
        a failure is counted (coffee_api_after_commit_publish_failures_total), not raised."""
        services = self.services

        async def publish() -> None:
            await services.publish_now(routing_key, payload)

        self.on_commit(publish)

    async def outbox(self, routing_key: str, payload: Any, exchange: str | None = None) -> int:
        """Stores an event in this transaction; the relay publishes it after the commit."""
        self.outboxed += 1
        return await self.pg.fetchval(
            "INSERT INTO outbox (exchange, routing_key, payload) VALUES ($1, $2, $3) RETURNING id",
            exchange,
            routing_key,
            payload,
        )

    async def stash_clickhouse_writes(self) -> list[int]:
        """Stores the held ClickHouse writes in the PostgreSQL transaction (before COMMIT)."""
        ids = []
        for table, rows in self.ch.pending:
            ids.append(
                await self.pg.fetchval(
                    "INSERT INTO ch_pending (tbl, rows) VALUES ($1, $2) RETURNING id", table, rows
                )
            )
        return ids
