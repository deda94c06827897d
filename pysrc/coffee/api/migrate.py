"""Schema migrations: versioned SQL files applied once, in order, for PostgreSQL and ClickHouse.

PostgreSQL files run each in its own transaction under an advisory lock (two api nodes
starting together apply a file once); the applied versions are kept in ``schema_migrations``.
ClickHouse has no transactions, so its files are idempotent (``IF NOT EXISTS``) and the
applied versions are kept in ClickHouse itself (``coffee_migrations``). Statements in a
ClickHouse file are separated by ``;`` at a line end.
"""

from __future__ import annotations

import re
from importlib import resources

import asyncpg

from coffee.infra.clickhouse import ClickHouse

LOCK_ID = 0x0C0FFEE


def _files(kind: str) -> list[tuple[str, str]]:
    folder = resources.files("coffee.api") / "migrations" / kind
    out = [
        (f.name.removesuffix(".sql"), f.read_text())
        for f in folder.iterdir()
        if f.name.endswith(".sql")
    ]
    return sorted(out)


async def migrate_postgres(conn: asyncpg.Connection) -> list[str]:
    """Applies the pending PostgreSQL migrations; returns the versions applied now."""
    applied_now = []
    await conn.execute("SELECT pg_advisory_lock($1)", LOCK_ID)
    try:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")}
        for version, sql in _files("postgres"):
            if version in done:
                continue
            async with conn.transaction():
                await conn.execute(sql)
                await conn.execute("INSERT INTO schema_migrations (version) VALUES ($1)", version)
            applied_now.append(version)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", LOCK_ID)
    return applied_now


async def migrate_clickhouse(ch: ClickHouse) -> list[str]:
    await ch.command(
        "CREATE TABLE IF NOT EXISTS coffee_migrations (version String, applied_at DateTime "
        "DEFAULT now()) ENGINE = MergeTree ORDER BY version"
    )
    done = {r[0] for r in await ch.query("SELECT version FROM coffee_migrations")}
    applied_now = []
    for version, sql in _files("clickhouse"):
        if version in done:
            continue
        for statement in re.split(r";\s*\n", sql):
            lines = [ln for ln in statement.splitlines() if not ln.strip().startswith("--")]
            if "".join(lines).strip():
                await ch.command("\n".join(lines))
        await ch.command(f"INSERT INTO coffee_migrations (version) VALUES ('{version}')")
        applied_now.append(version)
    return applied_now
