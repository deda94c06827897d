"""The api as `coffee api serve --app tests.support.api_app:create` runs it in tests: the real
app plus two handlers that misbehave on purpose (spec Q2 and Q7), using the real managers."""

from __future__ import annotations

import asyncio

from coffee.api.app import build
from coffee.api.context import RequestContext
from coffee.api.deps import ok
from coffee.api.lifecycle import RequestLifecycle
from coffee.api.modules.discovery.routes import ProfileChanges, update_profile
from coffee.api.observability import init_sentry, setup_logging
from coffee.api.settings import ApiSettings
from coffee.config import load
from litestar import Request, Response, post


@post("/test-service/api/profile/{profile_id:int}/then-sleep", status_code=200)
async def write_then_sleep(profile_id: int, request: Request, ctx: RequestContext) -> Response:
    """Writes PostgreSQL, ClickHouse and the outbox, then sleeps (past SERVER_TIMEOUT)."""
    await update_profile(ctx, profile_id, ProfileChanges(followers=424242))
    await ctx.pg.execute("SELECT pg_sleep($1)", float(request.query_params.get("seconds", "30")))
    await asyncio.sleep(30)
    return ok({"status": {"status": "SUCCESS"}})


@post("/test-service/api/profile/{profile_id:int}/then-fail", status_code=200)
async def write_then_fail(profile_id: int, ctx: RequestContext) -> Response:
    """Writes PostgreSQL, ClickHouse and the outbox, then fails."""
    await update_profile(ctx, profile_id, ProfileChanges(followers=131313, category="fail"))
    raise RuntimeError("boom after both writes")


@post("/test-service/api/late-table/write", status_code=200)
async def write_late_table(ctx: RequestContext) -> Response:
    """A PostgreSQL write and a ClickHouse write to a table that may not exist yet."""
    await ctx.pg.execute("UPDATE profiles SET bio = 'late' WHERE id = 1")
    ctx.ch.insert("late_table", [{"a": 1}])
    return ok({"status": {"status": "SUCCESS"}})


@post("/test-service/api/late-table/create", status_code=200)
async def create_late_table(ctx: RequestContext) -> Response:
    await ctx.ch.clickhouse.command(
        "CREATE TABLE IF NOT EXISTS late_table (a UInt64) ENGINE = MergeTree ORDER BY a "
        "SETTINGS non_replicated_deduplication_window = 100"
    )
    rows = await ctx.ch.query("SELECT count() FROM late_table")
    return ok({"count": rows[0][0]})


def create() -> RequestLifecycle:
    settings = load(ApiSettings)
    setup_logging(settings.log_level)
    init_sentry(settings.sentry_dsn, settings.env)
    return build(
        settings,
        extra_routes=[write_then_sleep, write_then_fail, write_late_table, create_late_table],
    )
