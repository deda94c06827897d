"""Creating the platform's PostgreSQL database when it is missing (for `coffee up`)."""

from __future__ import annotations

import asyncpg


async def ensure_database(host: str, port: int, user: str, password: str, name: str) -> bool:
    """Creates database `name` if absent; returns whether it was created."""
    conn = await asyncpg.connect(host=host, port=port, user=user, password=password or None,
                                 database="postgres")  # fmt: skip
    try:
        if await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return False
        await conn.execute(f'CREATE DATABASE "{name}"')  # a name from settings, not from input
        return True
    finally:
        await conn.close()
