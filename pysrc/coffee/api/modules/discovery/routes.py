"""Discovery routes under `/discovery-service/api/profile` (the original's paths) and v2."""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec
from litestar import Request, Response, Router, get, post, put

from coffee.api.context import RequestContext
from coffee.api.deps import ok
from coffee.api.envelope import ApiError, success
from coffee.api.modules.discovery import params as sp
from coffee.api.modules.discovery.search import SearchManager, audience_json, present
from coffee.api.modules.discovery.timeseries import TimeSeriesManager
from coffee.api.settings import ApiSettings
from coffee.infra import json_input

PROFILE_UPDATED = "profile_updated"
# Analytics that may be lost: published after the commit, fire and forget.
PROFILE_VIEWED = "profile_viewed"


def _viewed(ctx: RequestContext, row: asyncpg.Record) -> None:
    ctx.publish_after_commit(
        PROFILE_VIEWED, {"profileId": row["id"], "partnerId": ctx.tenant.partner_id}
    )


def _found(row: asyncpg.Record | None, what: str) -> asyncpg.Record:
    if row is None:
        raise ApiError(404, f"{what} not found")
    return row


def _platform(platform: str) -> str:
    p = platform.lower()
    if p not in sp.PLATFORMS:
        raise ApiError(400, f"platform must be one of {list(sp.PLATFORMS)}, got {platform!r}")
    return p


def _limit(request: Request, default: int, cap: int) -> int:
    raw = request.query_params.get("size") or request.query_params.get("limit")
    try:
        n = int(raw) if raw else default
    except ValueError:
        raise ApiError(400, f"size must be an integer, got {raw!r}") from None
    if not 1 <= n <= cap:
        raise ApiError(400, f"size must be between 1 and {cap}, got {n}")
    return n


class ProfileChanges(msgspec.Struct, forbid_unknown_fields=True):
    followers: int | None = None
    category: str | None = None
    bio: str | None = None
    country: str | None = None


async def update_profile(ctx: RequestContext, profile_id: int, changes: ProfileChanges) -> dict:
    """PostgreSQL row + ClickHouse growth point and change log + outbox event, one request."""
    values = {k: v for k, v in msgspec.structs.asdict(changes).items() if v is not None}
    if not values:
        raise ApiError(400, "nothing to change")
    if values.get("followers", 0) < 0:
        raise ApiError(400, "followers must be >= 0")
    row = _found(await SearchManager(ctx.pg, ctx.tenant).update(profile_id, values), "profile")
    ts = TimeSeriesManager(ctx.ch)
    if "followers" in values:
        ts.record(profile_id, values["followers"])
    for field, value in values.items():
        ts.log_change(profile_id, field, value)
    await ctx.outbox(PROFILE_UPDATED, {"profileId": profile_id, "changes": values})
    return present(row, ctx.tenant)


def routes(settings: ApiSettings) -> list[Router]:
    page_cap, size_cap = settings.page_cap, settings.size_cap
    count_cap = settings.search_count_cap

    @post("/{platform:str}/search", status_code=200)
    async def search(platform: str, request: Request, ctx: RequestContext) -> Response[bytes]:
        query = dict(request.query_params)
        params = sp.parse(query, ctx.body, _platform(platform), page_cap, size_cap)
        return ok(await SearchManager(ctx.pg, ctx.tenant, count_cap).search(params))

    @get("/locations")
    async def locations(ctx: RequestContext) -> Response[bytes]:
        rows = await SearchManager(ctx.pg, ctx.tenant).locations()
        return ok({"status": success(), "locations": [dict(r) for r in rows]})

    @get("/{profile_id:int}")
    async def by_id(profile_id: int, ctx: RequestContext) -> Response[bytes]:
        row = _found(await SearchManager(ctx.pg, ctx.tenant).by_id(profile_id), "profile")
        _viewed(ctx, row)
        return ok({"status": success(), "profile": present(row, ctx.tenant)})

    @put("/{profile_id:int}")
    async def update(profile_id: int, ctx: RequestContext) -> Response[bytes]:
        try:
            changes = json_input.decode(ctx.body or b"{}", ProfileChanges)
        except json_input.BadJson as exc:
            raise ApiError(400, f"bad profile changes: {exc}") from None
        return ok({"status": success(), "profile": await update_profile(ctx, profile_id, changes)})

    @get("/{platform:str}/byhandle/{handle:str}")
    async def by_handle(platform: str, handle: str, ctx: RequestContext) -> Response[bytes]:
        mgr = SearchManager(ctx.pg, ctx.tenant)
        row = _found(await mgr.by_handle(_platform(platform), handle), "profile")
        return ok({"status": success(), "profile": present(row, ctx.tenant)})

    async def _profile(ctx: RequestContext, platform: str, pid: str) -> asyncpg.Record:
        mgr = SearchManager(ctx.pg, ctx.tenant)
        return _found(await mgr.by_platform_id(_platform(platform), pid), "profile")

    @get("/{platform:str}/{platform_profile_id:str}")
    async def by_platform_id(
        platform: str, platform_profile_id: str, ctx: RequestContext
    ) -> Response[bytes]:
        row = await _profile(ctx, platform, platform_profile_id)
        _viewed(ctx, row)
        return ok({"status": success(), "profile": present(row, ctx.tenant)})

    @get("/{platform:str}/{platform_profile_id:str}/audience")
    async def audience(
        platform: str, platform_profile_id: str, ctx: RequestContext
    ) -> Response[bytes]:
        row = await _profile(ctx, platform, platform_profile_id)
        out: dict[str, Any] = {"profileId": row["id"]}
        message = ""
        if ctx.tenant.premium:
            out["audience"] = audience_json(row["audience"])
        else:
            message = "audience demographics are part of the paid plans"
        return ok({"status": success(message), **out})

    @get("/{platform:str}/{platform_profile_id:str}/timeseries")
    async def timeseries(
        platform: str, platform_profile_id: str, request: Request, ctx: RequestContext
    ) -> Response[bytes]:
        row = await _profile(ctx, platform, platform_profile_id)
        days = _limit(request, 30, 365)
        points = await TimeSeriesManager(ctx.ch).growth(row["id"], days)
        return ok({"status": success(), "profileId": row["id"], "timeseries": points})

    @get("/{platform:str}/{platform_profile_id:str}/content")
    async def content(
        platform: str, platform_profile_id: str, request: Request, ctx: RequestContext
    ) -> Response[bytes]:
        row = await _profile(ctx, platform, platform_profile_id)
        posts = await SearchManager(ctx.pg, ctx.tenant).content(
            row["id"], _limit(request, 20, size_cap)
        )
        items = [
            {
                "id": p["id"],
                "postedAt": int(p["posted_at"].timestamp() * 1000),
                "caption": p["caption"],
                "hashtags": list(p["hashtags"]),
                "likes": p["likes"],
                "comments": p["comments"],
            }
            for p in posts
        ]
        return ok({"status": success(), "profileId": row["id"], "content": items})

    @get("/{platform:str}/{platform_profile_id:str}/hashtags")
    async def hashtags(
        platform: str, platform_profile_id: str, request: Request, ctx: RequestContext
    ) -> Response[bytes]:
        row = await _profile(ctx, platform, platform_profile_id)
        tags = await SearchManager(ctx.pg, ctx.tenant).hashtags(
            row["id"], _limit(request, 20, size_cap)
        )
        items = [{"hashtag": t["tag"], "posts": t["posts"]} for t in tags]
        return ok({"status": success(), "profileId": row["id"], "hashtags": items})

    @get("/{platform:str}/{platform_profile_id:str}/similar_accounts")
    async def similar(
        platform: str, platform_profile_id: str, ctx: RequestContext
    ) -> Response[bytes]:
        row = await _profile(ctx, platform, platform_profile_id)
        rows = await SearchManager(ctx.pg, ctx.tenant).similar(row)
        return ok({"status": success(), "profiles": [present(r, ctx.tenant) for r in rows]})

    v1 = Router(
        "/discovery-service/api/profile",
        route_handlers=[
            search,
            locations,
            by_id,
            update,
            by_handle,
            by_platform_id,
            audience,
            timeseries,
            content,
            hashtags,
            similar,
        ],
    )

    @post("/search", status_code=200)
    async def search_v2(request: Request, ctx: RequestContext) -> Response[bytes]:
        """v2: the platform is a filter in the body (required), results under `data`."""
        params = sp.parse(dict(request.query_params), ctx.body, None, page_cap, size_cap)
        found = await SearchManager(ctx.pg, ctx.tenant, count_cap).search(params)
        return ok(
            {
                "status": found["status"],
                "data": {"items": found["profiles"], "page": params.page, "size": params.size},
            }
        )

    v2 = Router("/discovery-service/api/v2", route_handlers=[search_v2])
    return [v1, v2]
