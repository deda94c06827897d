"""Identity routes under `/identity-service/api` (IDENTITY_URL points here).

- `POST /auth/login` {email, password}: a session row, a JWT (native signer, the gateway's
  HMAC_SECRET) and, after the commit, `session:{id}` in Redis with a TTL.
- `POST /auth/logout` (Bearer token or {"token"}): the session is revoked; after the commit the
  Redis key is deleted and the id published on the gateways' invalidation channel; an outbox
  event `session_invalidated` makes sure the listener repeats that even if this was lost.
- `POST /auth/verify/token` {"token"}: the original protocol; `status.type` SUCCESS when the
  token is valid and its session live.
- `GET /session/{id}`: the gateway's session lookup.
- `POST /users`: creates a user (signed, through the gateway).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import msgspec
from litestar import Request, Response, Router, get, post

from coffee.api import metrics
from coffee.api.context import RequestContext
from coffee.api.deps import ok
from coffee.api.envelope import ApiError
from coffee.api.modules.identity import throttle
from coffee.api.modules.identity.passwords import check_password, dummy_hash, hash_password
from coffee.infra import json_input

SESSION_INVALIDATED = "session_invalidated"
INVALIDATION_CHANNEL = "session-invalidation"


def _status(kind: str, message: str = "") -> dict[str, str]:
    # The identity protocol reads `status.type`; `status.status` as the rest of the api.
    return {"type": kind, "status": kind, "message": message}


class Login(msgspec.Struct):
    email: str
    password: str


class TokenBody(msgspec.Struct):
    token: str


class NewUser(msgspec.Struct):
    email: str
    name: str
    password: str
    partnerId: int | None = None
    accountId: int | None = None


def _decode(body: bytes, typ: Any) -> Any:
    try:
        return json_input.decode(body or b"{}", typ)
    except json_input.BadJson as exc:
        raise ApiError(400, f"bad body: {exc}") from None


def _tokens(ctx: RequestContext) -> Any:
    tokens = ctx.services.tokens
    if not tokens.enabled:
        raise ApiError(503, "HMAC_SECRET is not set: tokens cannot be issued or checked")
    return tokens


async def live_session(ctx: RequestContext, token: str) -> dict[str, Any] | None:
    claims = _tokens(ctx).claims(token)
    if claims is None:
        return None
    try:
        sid = uuid.UUID(str(claims["sid"]))
    except ValueError:
        return None
    row = await ctx.pg.fetchrow(
        "SELECT s.id, s.user_id, s.expires_at, u.name, u.email, u.partner_id, u.account_id "
        "FROM sessions s JOIN users u ON u.id = s.user_id "
        "WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > now()",
        sid,
    )
    if row is None or row["user_id"] != claims.get("uid"):
        return None
    return {
        "sessionId": str(row["id"]),
        "userId": row["user_id"],
        "name": row["name"],
        "email": row["email"],
        "partnerId": row["partner_id"],
        "userAccountId": row["account_id"],
        "expiresAt": int(row["expires_at"].timestamp() * 1000),
    }


def original_verify_answer(
    token: str, session: dict[str, Any], client_id: str, client_type: str
) -> dict[str, Any]:
    """The fields the original gateway decodes from `/auth/verify/token` (its UserAuthResponse):
    `token`, `client`, and `userClientAccount` with `partnerProfile.partnerId`, from which it
    builds the Basic authorization and looks up the partner's plan. Absent values are left out,
    as Go's `omitempty` does; `partnerProfile` is always there (the original dereferences it)."""
    account: dict[str, Any] = {"userId": session["userId"], "status": "ACTIVE"}
    if session.get("userAccountId"):
        account["id"] = session["userAccountId"]
    if client_id:
        account["clientId"] = client_id
        account["clientAppType"] = client_type
    for field in ("name", "email"):
        if session.get(field):
            account[field] = session[field]
    account["partnerProfile"] = (
        {"partnerId": session["partnerId"]} if session.get("partnerId") else {}
    )
    client = {"id": client_id, "appType": client_type} if client_id else None
    answer: dict[str, Any] = {"token": token, "userClientAccount": account}
    if client is not None:
        answer["client"] = client
    return answer


def routes(_settings: Any) -> list[Router]:
    @post("/auth/login", status_code=200)
    async def login(request: Request, ctx: RequestContext) -> Response[bytes]:
        body = _decode(ctx.body, Login)
        tokens = _tokens(ctx)
        email = body.email.lower()
        # The peer's address: the api is called directly for logins (the gateway has no
        # identity route), so X-Forwarded-For would be the client's own say.
        address = request.client.host if request.client else ""
        redis, settings = ctx.services.redis, ctx.services.settings
        if await throttle.refused(redis, settings, email, address):
            retry = str(int(settings.login_failure_window))
            message = "too many failed logins; try again later"
            answer = ok({"status": _status("ERROR", message)}, 429)
            answer.headers["retry-after"] = retry
            return answer
        user = await ctx.pg.fetchrow(
            "SELECT id, name, password_hash, partner_id, account_id FROM users WHERE email = $1",
            email,
        )
        # A missing user costs the same scrypt as a present one (against a dummy hash), so
        # the answer's timing does not tell which emails exist.
        stored = user["password_hash"] if user is not None else dummy_hash()
        metrics.LOGIN_PASSWORD_CHECKS.inc()
        matches = await asyncio.to_thread(check_password, body.password, stored)
        if user is None or not matches:
            await throttle.failed(redis, settings, email, address)
            return ok({"status": _status("ERROR", "wrong email or password")}, 401)
        assert user is not None
        ttl = ctx.services.settings.session_ttl
        sid = uuid.uuid4()
        await ctx.pg.execute(
            "INSERT INTO sessions (id, user_id, expires_at) VALUES ($1, $2, $3)",
            sid,
            user["id"],
            dt.datetime.now(dt.UTC) + dt.timedelta(seconds=ttl),
        )
        token = tokens.issue(str(sid), user["id"], user["account_id"], user["partner_id"], ttl)
        redis = ctx.services.redis

        async def remember() -> None:  # only once the session row is committed
            await redis.set(f"session:{sid}", str(user["id"]), ex=ttl)

        ctx.on_commit(remember)
        return ok(
            {
                "status": _status("SUCCESS"),
                "token": token,
                "sessionId": str(sid),
                "user": {"id": user["id"], "name": user["name"], "partnerId": user["partner_id"]},
            }
        )

    @post("/auth/logout", status_code=200)
    async def logout(request: Request, ctx: RequestContext) -> Response[bytes]:
        auth = request.headers.get("authorization", "")
        token = (
            auth[7:] if auth.lower().startswith("bearer ") else _decode(ctx.body, TokenBody).token
        )
        session = await live_session(ctx, token)
        if session is None:
            return ok({"status": _status("ERROR", "no live session for this token")}, 401)
        sid = session["sessionId"]
        await ctx.pg.execute("UPDATE sessions SET revoked_at = now() WHERE id = $1", uuid.UUID(sid))
        await ctx.outbox(SESSION_INVALIDATED, {"sessionId": sid})
        redis = ctx.services.redis

        async def forget() -> None:  # fast path; the outbox listener repeats it reliably
            await redis.delete(f"session:{sid}")
            await redis.publish(INVALIDATION_CHANNEL, sid)

        ctx.on_commit(forget)
        return ok({"status": _status("SUCCESS")})

    async def _verify(request: Request, ctx: RequestContext) -> Response[bytes]:
        body = _decode(ctx.body, TokenBody)
        session = await live_session(ctx, body.token)
        if session is None:
            return ok({"status": _status("ERROR", "invalid or expired session")}, 401)
        client_id = request.headers.get("x-bb-clientid", "")
        client_type = request.headers.get("x-bb-clienttype", "") or "CUSTOMER"
        return ok(
            {
                "status": _status("SUCCESS"),
                "user": session,
                **original_verify_answer(body.token, session, client_id, client_type),
            }
        )

    @post("/auth/verify/token", status_code=200)
    async def verify_token(request: Request, ctx: RequestContext) -> Response[bytes]:
        return await _verify(request, ctx)

    # The same at the root: the gateway sends `/auth/verify/token` to IDENTITY_URL's host
    # without IDENTITY_URL's path, so IDENTITY_URL=http://<api> must work too.
    @post("/auth/verify/token", status_code=200, include_in_schema=False)
    async def verify_token_root(request: Request, ctx: RequestContext) -> Response[bytes]:
        return await _verify(request, ctx)

    @get("/session/{sid:str}")
    async def session_lookup(sid: str, ctx: RequestContext) -> Response[bytes]:
        try:
            key = uuid.UUID(sid)
        except ValueError:
            raise ApiError(400, "session id must be a UUID") from None
        row = await ctx.pg.fetchrow(
            "SELECT id, user_id, expires_at, revoked_at, "
            "revoked_at IS NULL AND expires_at > now() AS live FROM sessions WHERE id = $1",
            key,
        )
        if row is None:
            return ok({"status": _status("ERROR", "no such session")}, 404)
        return ok(
            {
                "status": _status("SUCCESS"),
                "session": {
                    "id": str(row["id"]),
                    "userId": row["user_id"],
                    "expiresAt": int(row["expires_at"].timestamp() * 1000),
                    "live": row["live"],
                },
            }
        )

    @post("/users", status_code=201)
    async def create_user(ctx: RequestContext) -> Response[bytes]:
        body = _decode(ctx.body, NewUser)
        if len(body.password) < 8:
            raise ApiError(400, "password must have at least 8 characters")
        digest = await asyncio.to_thread(hash_password, body.password)
        user_id = await ctx.pg.fetchval(
            "INSERT INTO users (email, name, password_hash, partner_id, account_id) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (email) DO NOTHING RETURNING id",
            body.email.lower(),
            body.name,
            digest,
            body.partnerId,
            body.accountId,
        )
        if user_id is None:
            raise ApiError(409, "a user with this email exists")
        return ok({"status": _status("SUCCESS"), "user": {"id": user_id}}, 201)

    return [
        Router(
            "/identity-service/api",
            route_handlers=[login, logout, verify_token, session_lookup, create_user],
        ),
        Router("/", route_handlers=[verify_token_root]),
    ]
