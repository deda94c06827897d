"""PostgreSQL migrations through yoyo on a real server: a fresh database gets every version once,
two migrators started together apply each version once, a migrator that died holding yoyo's
lock does not block the next one, and a database migrated by the earlier built-in runner has
its versions adopted instead of re-run."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor

import asyncpg
import pytest
from coffee.api.migrate import LEGACY_LOG, _files, migrate_postgres

from tests.conftest import require_port
from tests.support.api_process import create_database, drop_database

ALL_VERSIONS = [version for version, _ in _files("postgres")]


@pytest.fixture
def database():
    require_port("PostgreSQL", "127.0.0.1", 5432)
    name = f"coffee_migrate_{uuid.uuid4().hex[:8]}"
    create_database(name)
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}?sslmode=disable"
    finally:
        drop_database(name)


async def _query(dsn: str, sql: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetch(sql)
    finally:
        await conn.close()


def _log(dsn: str) -> list[tuple[str, str]]:
    rows = asyncio.run(
        _query(dsn, "SELECT migration_id, operation FROM _yoyo_log ORDER BY created_at_utc")
    )
    return [(r["migration_id"], r["operation"]) for r in rows]


def test_a_fresh_database_gets_every_version_once(database):
    assert asyncio.run(migrate_postgres(database)) == ALL_VERSIONS
    assert asyncio.run(migrate_postgres(database)) == []
    assert _log(database) == [(v, "apply") for v in ALL_VERSIONS]
    tables = {
        r["tablename"] for r in asyncio.run(_query(database, "SELECT tablename FROM pg_tables"))
    }
    assert {"profiles", "outbox", "sessions", "contracts"} <= tables


def test_two_migrators_at_once_apply_each_version_once(database):
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: asyncio.run(migrate_postgres(database)), range(2)))
    assert sorted(results, key=len) == [[], ALL_VERSIONS]
    assert [v for v, op in _log(database) if op == "apply"] == ALL_VERSIONS


def test_a_dead_migrators_lock_does_not_block_the_next(database):
    asyncio.run(migrate_postgres(database))
    # What a migrator killed inside yoyo's lock leaves behind (its pid is long gone).
    asyncio.run(
        _query(database, "INSERT INTO yoyo_lock (locked, ctime, pid) VALUES (1, now(), 999999)")
    )
    assert asyncio.run(migrate_postgres(database)) == []
    assert asyncio.run(_query(database, "SELECT * FROM yoyo_lock")) == []


def test_a_database_of_the_builtin_runner_is_adopted_not_rerun(database):
    # The earlier runner: the first versions applied and logged in schema_migrations.
    adopted = ALL_VERSIONS[:2]

    async def legacy() -> None:
        conn = await asyncpg.connect(database)
        try:
            await conn.execute(
                f"CREATE TABLE {LEGACY_LOG} (version text PRIMARY KEY, "
                "applied_at timestamptz NOT NULL DEFAULT now())"
            )
            for version, sql in _files("postgres")[:2]:
                await conn.execute(sql)
                await conn.execute(f"INSERT INTO {LEGACY_LOG} (version) VALUES ($1)", version)
        finally:
            await conn.close()

    asyncio.run(legacy())
    assert asyncio.run(migrate_postgres(database)) == ALL_VERSIONS[2:]
    assert _log(database) == [(v, "mark") for v in adopted] + [
        (v, "apply") for v in ALL_VERSIONS[2:]
    ]


def test_a_dsn_that_is_not_postgresql_is_refused():
    with pytest.raises(ValueError, match="not a PostgreSQL DSN"):
        asyncio.run(migrate_postgres("mysql://x@y/z"))
