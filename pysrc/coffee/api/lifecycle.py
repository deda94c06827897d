"""RequestLifecycle: the ASGI middleware around every business request (spec Q2, Q7).

For each request it checks the gateway signature (401 without a valid one), opens one
PostgreSQL transaction from the pool and one ClickHouse session, runs the handler under
SERVER_TIMEOUT with the response held back, then commits both (2xx/3xx) or rolls both back
(an error status, an exception, a timeout). Only then does the client get the response, so a
client never sees success for work that did not commit. On timeout the handler is cancelled,
the transaction rolled back and the connection returned to the pool at once (terminated if the
rollback itself hangs), Sentry gets the request, and the client gets 504.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from coffee.api import metrics, observability, tenant
from coffee.api.context import CHSession, RequestContext
from coffee.api.envelope import error_body
from coffee.api.relay import flush_clickhouse
from coffee.api.runtime import Runtime
from coffee.infra import json_input, tenant_signature

log = logging.getLogger("coffee.api.lifecycle")

Scope = dict[str, Any]
Message = dict[str, Any]
ASGIApp = Callable[
    [Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]
]

CTX_KEY = "coffee.ctx"
# No tenant, no sessions: the load balancer's and the operators' endpoints.
BARE_PREFIXES = ("/schema",)
# Internal endpoints the gateway (or a login) calls directly, without tenant headers.
UNSIGNED = (
    ("POST", "/identity-service/api/auth/"),
    ("GET", "/identity-service/api/session/"),
    ("GET", "/partner-service/api/partner/"),
    # The same lookups at the root, where the gateway sends them (it drops the URLs' paths).
    ("POST", "/auth/verify/token"),
    ("GET", "/partner/"),
)
ROLLBACK_TIMEOUT = 1.0


class RuntimeHolder:
    """Filled by the app's startup hook, read by the middleware."""

    runtime: Runtime | None = None


async def _send_simple(
    send: Callable[[Message], Awaitable[None]], status: int, body: bytes
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyTooLarge(Exception):
    pass


async def _read_body(receive: Callable[[], Awaitable[Message]], limit: int) -> bytes:
    """The whole body (Sentry and the slow log need it), refused past `limit` bytes."""
    chunks = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _signed_path(scope: Scope) -> str:
    """The path as the gateway signed it: the raw request target without the query."""
    raw = scope.get("raw_path")
    if raw:
        return raw.decode("latin-1").split("?", 1)[0]
    return scope["path"]


def _hostile_text(scope: Scope, body: bytes) -> str:
    """Why the request's text cannot reach PostgreSQL (a NUL, bytes that are not UTF-8), or "".

    Every handler would otherwise meet it as a database error (a 500) at its own query."""
    if "\x00" in scope["path"]:
        return "the path holds a NUL (%00)"
    query: bytes = scope.get("query_string", b"")
    if b"%00" in query or b"\x00" in query:
        return "the query holds a NUL (%00)"
    if body:
        try:
            json_input.check_text(body)
        except json_input.BadJson as exc:
            return f"bad body: {exc}"
    return ""


class RequestLifecycle:
    def __init__(self, app: ASGIApp, holder: RuntimeHolder) -> None:
        self.app = app
        self.holder = holder
        # Signature nonces seen inside the skew window (per process: the gateway's request ids
        # are unique, so a replay to another api process is the skew window's to bound).
        self.nonces = tenant_signature.NonceCache()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rt = self.holder.runtime
        path: str = scope["path"]
        if rt is None:
            await _send_simple(send, 503, error_body("starting"))
            return
        if path.startswith("/heartbeat"):
            if scope["method"] not in ("GET", "HEAD"):  # changes: the admin listener only
                await _send_simple(send, 403, error_body("change the heartbeat on API_ADMIN_PORT"))
                return
            status, body = rt.heartbeat.handle(
                scope["method"], scope.get("query_string", b"").decode()
            )
            await _send_simple(send, status, body)
            return
        if path == "/metrics":
            await _send_simple(send, 404, error_body("metrics are on API_ADMIN_PORT"))
            return
        if path.startswith(BARE_PREFIXES):
            await self.app(scope, receive, send)
            return
        await self._business(rt, scope, receive, send)

    async def _business(self, rt: Runtime, scope: Scope, receive: Any, send: Any) -> None:
        settings = rt.settings
        method: str = scope["method"]
        path: str = scope["path"]
        started = time.monotonic()
        try:
            body = await _read_body(receive, settings.max_body_bytes)
        except BodyTooLarge:
            limit = f"request body larger than {settings.max_body_bytes} bytes"
            await _send_simple(send, 413, error_body(limit))
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        unsigned = any(method == m and path.startswith(p) for m, p in UNSIGNED)
        if not unsigned and not tenant.signed(
            headers,
            method,
            _signed_path(scope),
            settings.gateway_signature_secret.encode(),
            settings.gateway_signature_max_skew,
            query=scope.get("query_string", b"").decode("latin-1"),
            body=body,
            nonces=self.nonces if settings.gateway_signature_replay_check else None,
        ):
            client = scope.get("client")
            if not rt.original_gateway.accepts(headers, client[0] if client else None):
                metrics.REQUESTS.labels("unsigned").inc()
                await _send_simple(send, 401, error_body("request not signed by the gateway"))
                return
            metrics.REQUESTS.labels("original_gateway").inc()
        refusal = _hostile_text(scope, body)
        if refusal:
            metrics.REQUESTS.labels("bad_input").inc()
            await _send_simple(send, 400, error_body(refusal))
            return
        who = tenant.from_headers(headers)
        who_desc = who.describe()

        held: list[Message] = []
        status = 500
        body_sent = False

        async def hold(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            held.append(message)

        async def replay() -> Message:
            nonlocal body_sent
            if not body_sent:
                body_sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        conn = None
        tx = None
        ctx: RequestContext | None = None
        pending_ids: list[int] = []
        outcome = "ok"
        try:
            async with asyncio.timeout(settings.server_timeout):
                conn = await rt.pool.acquire(timeout=settings.pg_acquire_timeout)
                tx = conn.transaction()
                await tx.start()
                ctx = RequestContext(conn, CHSession(rt.clickhouse), who, method, path, body, rt)
                scope[CTX_KEY] = ctx
                await self.app(scope, replay, hold)
                if status < 400:
                    pending_ids = await ctx.stash_clickhouse_writes()
            if status < 400:
                await tx.commit()
                tx = None
            else:
                outcome = "error"
        except TimeoutError as exc:
            held = []
            if conn is None:  # every pooled connection stayed busy
                outcome, status = "no_connection", 503
            else:
                outcome, status = "timeout", 504
            observability.report(exc, f"request {outcome}", method, path, who_desc, body)
        except Exception as exc:  # acquire failed, or commit failed
            outcome = "failed"
            held = []
            log.exception("request failed")
            observability.report(exc, "request failed", method, path, who_desc, body)
            status = 503 if conn is None else 500
        finally:
            if conn is not None:
                await self._release(rt, conn, tx)
        if ctx is not None and outcome == "ok":
            await self._after_commit(rt, ctx, pending_ids)
        elif ctx is not None:
            ctx.ch.discard()
        metrics.REQUESTS.labels(outcome).inc()

        duration = time.monotonic() - started
        if duration >= settings.slow_request_threshold:
            observability.log_slow(method, path, who_desc, duration, status, body)
        if held:
            for message in held:
                await send(message)
        elif outcome == "timeout":
            limit = f"request exceeded SERVER_TIMEOUT ({settings.server_timeout:g} s)"
            await _send_simple(send, 504, error_body(limit + ": nothing was saved"))
        elif outcome == "no_connection":
            await _send_simple(send, 503, error_body("no database connection available"))
        else:
            await _send_simple(send, status, error_body("internal error: nothing was saved"))

    async def _release(self, rt: Runtime, conn: Any, tx: Any) -> None:
        """Rolls back (when still open) and returns the connection at once, whatever happens."""
        try:
            if tx is not None:
                await asyncio.wait_for(tx.rollback(), ROLLBACK_TIMEOUT)
        except Exception:  # the rollback hung or the connection broke: drop it
            conn.terminate()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(rt.pool.release(conn), ROLLBACK_TIMEOUT)

    async def _after_commit(self, rt: Runtime, ctx: RequestContext, pending_ids: list[int]) -> None:
        if pending_ids:
            await flush_clickhouse(rt.pool, rt.clickhouse, pending_ids)
        if ctx.outboxed:
            rt.relay.wake.set()
        for fn in ctx.after_commit:
            rt.spawn(_guarded(fn))


async def _guarded(fn: Callable[[], Awaitable[None]]) -> None:
    try:
        await fn()
    except Exception as exc:
        metrics.AFTER_COMMIT_FAILURES.inc()
        log.warning("after-commit action failed: %r", exc)
