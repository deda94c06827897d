"""The api's PostgreSQL DSN reaches the server with the credentials as the operator wrote them,
whatever URL-special characters they hold (the originals read PG_USER/PG_PASS/PG_DB as plain
text). Checked against the real server: it must see exactly this role and this database."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest
from coffee.api.settings import ApiSettings
from coffee.config import load

from tests.conftest import require_port

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def odd_role_and_db():
    require_port("PostgreSQL", "127.0.0.1", 5432)
    tag = uuid.uuid4().hex[:8]
    role = f"co@ffee:{tag}/x#y?z%"
    db = f"db/{tag}?#@"

    async def admin(*statements: str) -> None:
        conn = await asyncpg.connect(ADMIN_DSN)
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    quoted_role, quoted_db = '"' + role + '"', '"' + db + '"'
    asyncio.run(
        admin(
            f"CREATE ROLE {quoted_role} LOGIN PASSWORD 'p@ss:w/rd#1'",
            f"CREATE DATABASE {quoted_db} OWNER {quoted_role}",
        )
    )
    try:
        yield role, db
    finally:
        asyncio.run(
            admin(f"DROP DATABASE IF EXISTS {quoted_db}", f"DROP ROLE IF EXISTS {quoted_role}")
        )


def test_credentials_with_url_characters_reach_the_server_unchanged(odd_role_and_db):
    role, db = odd_role_and_db
    settings = load(
        ApiSettings,
        {
            "PG_HOST": "127.0.0.1",
            "PG_PORT": "5432",
            "PG_USER": role,
            "PG_PASS": "p@ss:w/rd#1",
            "PG_DB": db,
            "PG_SSLMODE": "disable",
        },
    )

    async def who() -> tuple[str, str]:
        conn = await asyncpg.connect(settings.pg_dsn())
        try:
            row = await conn.fetchrow("SELECT current_user, current_database()")
            return row[0], row[1]
        finally:
            await conn.close()

    assert asyncio.run(who()) == (role, db)
