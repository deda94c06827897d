"""Schema migrations: versioned SQL files applied once, in order, for PostgreSQL and ClickHouse.

PostgreSQL: yoyo-migrations applies ``migrations/postgres/*.sql``, each file in its own
transaction, and keeps its log in ``_yoyo_migration`` (so ``yoyo list`` / ``yoyo rollback``
work on a deployed database). Two api nodes starting together are serialised by a PostgreSQL
advisory lock taken first: it dies with its session, so a migrator killed halfway never leaves
the database locked (yoyo's own lock row would stay behind; under the advisory lock a
leftover row can only be stale, and is cleared). A database migrated by the earlier built-in
runner (versions in ``schema_migrations``) has those versions marked as applied, not re-run.

ClickHouse: no migration tool drives chdb, the in-process engine that is the default, so a
small runner does: ClickHouse has no transactions, so its files are idempotent
(``IF NOT EXISTS``) and the applied versions are kept in ClickHouse itself
(``coffee_migrations``). Statements in a ClickHouse file are separated by ``;`` at a line end.
"""

from __future__ import annotations

import asyncio
import re
from importlib import resources
from importlib.resources.abc import Traversable

from yoyo import get_backend, read_migrations
from yoyo.backends import DatabaseBackend
from yoyo.migrations import MigrationList

from coffee.infra.clickhouse import ClickHouse

LOCK_ID = 0x0C0FFEE
LEGACY_LOG = "schema_migrations"


def _folder(kind: str) -> Traversable:
    return resources.files("coffee.api") / "migrations" / kind


def _files(kind: str) -> list[tuple[str, str]]:
    folder = _folder(kind)
    out = [
        (f.name.removesuffix(".sql"), f.read_text())
        for f in folder.iterdir()
        if f.name.endswith(".sql")
    ]
    return sorted(out)


async def migrate_postgres(dsn: str) -> list[str]:
    """Applies the pending PostgreSQL migrations; returns the versions applied now."""
    return await asyncio.to_thread(_migrate_postgres, dsn)


def _migrate_postgres(dsn: str) -> list[str]:
    scheme, rest = dsn.split("://", 1)
    if scheme not in ("postgres", "postgresql"):
        raise ValueError(f"not a PostgreSQL DSN: {scheme}://...")
    backend = get_backend(f"postgresql+psycopg://{rest}")
    try:
        backend.execute("SELECT pg_advisory_lock(:id)", {"id": LOCK_ID})
        backend.break_lock()  # only a dead migrator's row can be there: we hold the real lock
        with backend.lock():
            migrations = read_migrations(str(_folder("postgres")))
            pending = _adopt_legacy_log(backend, backend.to_apply(migrations))
            backend.apply_migrations(pending)
            return [m.id for m in pending]
    finally:
        backend.connection.close()  # the advisory lock goes with the session


def _adopt_legacy_log(backend: DatabaseBackend, pending: MigrationList) -> MigrationList:
    """Marks as applied the pending versions that the earlier built-in runner logged in
    schema_migrations; returns the ones still to apply."""
    exists = backend.execute("SELECT to_regclass(:name) IS NOT NULL", {"name": LEGACY_LOG})
    if not exists.fetchone()[0]:
        return pending
    done = {row[0] for row in backend.execute(f"SELECT version FROM {LEGACY_LOG}").fetchall()}
    adopted = [m for m in pending if m.id in done]
    if adopted:
        backend.mark_migrations(MigrationList(adopted, pending.post_apply))
    return MigrationList([m for m in pending if m.id not in done], pending.post_apply)


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
