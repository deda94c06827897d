"""The api's PostgreSQL pool skips asyncpg's per-release reset query (coffee.infra.pg): what a
request leaves behind must still end with its transaction, on a real server."""

from __future__ import annotations

import asyncio
import uuid

from coffee.infra import pg

from tests.conftest import require_port

DSN = "postgresql://postgres@127.0.0.1:5432/test?sslmode=disable"


def test_a_connection_released_inside_a_transaction_comes_back_clean():
    require_port("PostgreSQL", "127.0.0.1", 5432)
    table = f"pool_probe_{uuid.uuid4().hex[:8]}"

    async def scenario() -> tuple[bool, int, str, int]:
        pool = await pg.create_pool(DSN, min_size=1, max_size=1)
        try:
            await pool.execute(f"CREATE TABLE {table} (id int)")
            conn = await pool.acquire()
            await conn.execute("BEGIN")
            await conn.execute(f"INSERT INTO {table} VALUES (1)")
            await conn.execute("SET LOCAL statement_timeout = '1234ms'")
            await pool.release(conn)  # the request ended without COMMIT or ROLLBACK
            async with pool.acquire() as again:  # max_size=1: the same connection
                return (
                    again.is_in_transaction(),
                    await again.fetchval(f"SELECT count(*) FROM {table}"),
                    await again.fetchval("SHOW statement_timeout"),
                    await again.fetchval("SELECT 1"),
                )
        finally:
            await pool.execute(f"DROP TABLE IF EXISTS {table}")
            await pool.close()

    in_tx, rows, timeout, one = asyncio.run(scenario())
    assert not in_tx
    assert rows == 0  # the uncommitted insert was rolled back
    assert timeout == "0"  # SET LOCAL ended with the transaction
    assert one == 1
