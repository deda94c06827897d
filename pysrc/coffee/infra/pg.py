"""PostgreSQL connection pools (asyncpg). The only place the api opens PostgreSQL connections."""

from __future__ import annotations

import asyncpg
import orjson


async def _init_connection(conn: asyncpg.Connection) -> None:
    # json/jsonb as Python objects, encoded with orjson (also used for the outbox payloads).
    for typ in ("json", "jsonb"):
        await conn.set_type_codec(
            typ,
            encoder=lambda v: orjson.dumps(v).decode(),
            decoder=orjson.loads,
            schema="pg_catalog",
        )


async def _no_session_reset(conn: asyncpg.Connection) -> None:
    """Replaces asyncpg's reset query on release (advisory unlock, CLOSE ALL, UNLISTEN, RESET
    ALL: one more round trip per request). The platform keeps no session state on pooled
    connections: they are used only inside transactions, the contract of PgBouncer's transaction
    pooling, so SET LOCAL, transaction-level locks and cursors all end at COMMIT or ROLLBACK.
    asyncpg still rolls back a transaction left open before calling this."""


async def create_pool(dsn: str, min_size: int = 2, max_size: int = 20) -> asyncpg.Pool:
    """A pool whose connections decode json/jsonb; fails at once when PostgreSQL is unreachable."""
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        reset=_no_session_reset,
        # A statement still running when the request's connection is released is cancelled.
        max_inactive_connection_lifetime=300,
    )
    assert pool is not None
    return pool


async def connect(dsn: str) -> asyncpg.Connection:
    conn = await asyncpg.connect(dsn)
    await _init_connection(conn)
    return conn
