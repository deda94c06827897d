"""The session chain: L1 (native cache) -> Redis `EXISTS session:{sid}` (behind a breaker)
-> the identity service, each miss filling the level above.

A session found valid is kept in L1 for `l1_session_ttl` seconds; a logout invalidation
message on the Redis channel removes it from every gateway's L1 at once, and the TTL bounds
the staleness if a message is lost.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from coffee.gateway.l1_cost import entry_cost
from coffee.gateway.service_client import HttpError
from coffee.infra.breaker import CircuitBreaker

if TYPE_CHECKING:
    from coffee._native import Cache
    from coffee.gateway.metrics import GatewayMetrics
    from coffee.gateway.service_client import ServiceClient

log = logging.getLogger("coffee.gateway.sessions")

VALID, INVALID, UNAVAILABLE = 0, 1, 2
# How long the gateway keeps `session:{sid}` in Redis after the identity service confirmed it.
REDIS_FILL_TTL = 300


def account_name(answer: dict[str, Any]) -> str | None:
    """`userClientAccount.name` of an identity answer, when it can stand in the Basic value
    (`uid~name~1~account:uid`): a name holding `~` or `:` would shift the fields the api reads,
    so such a name, an empty one or a very long one gives None (the user id is used)."""
    account = answer.get("userClientAccount")
    name = account.get("name") if isinstance(account, dict) else None
    if not isinstance(name, str) or not 0 < len(name) <= 128:
        return None
    if any(c in name for c in "~:\r\n\x00"):
        return None
    return name


def session_key(sid: str) -> bytes:
    return b"s:" + sid.encode()


class SessionChain:
    def __init__(
        self,
        l1: Cache,
        redis: Any,
        breaker: CircuitBreaker,
        identity: ServiceClient,
        metrics: GatewayMetrics,
        l1_ttl: float,
        redis_timeout: float,
    ) -> None:
        self.l1 = l1
        self.redis = redis
        self.breaker = breaker
        self.identity = identity
        self.metrics = metrics
        self.l1_ttl = l1_ttl
        self.redis_timeout = redis_timeout
        self._checking: dict[tuple[str, bytes], asyncio.Future[int]] = {}

    async def check(self, sid: str, token: bytes) -> int:
        """VALID, INVALID or UNAVAILABLE (neither Redis nor identity could answer).

        Concurrent checks of one token share one lookup: when a hot session's L1 entry
        expires under load, Redis and identity see one call, not one per waiting request.
        """
        key = (sid, token)
        future = self._checking.get(key)
        if future is None:
            future = self._checking[key] = asyncio.ensure_future(self._check_once(sid, token))
            future.add_done_callback(lambda _f: self._checking.pop(key, None))
        return await asyncio.shield(future)

    async def _check_once(self, sid: str, token: bytes) -> int:
        key = session_key(sid)
        found = await self._redis_exists(sid)
        if found:
            self.l1.set(key, True, cost=entry_cost(key, True), ttl=self.l1_ttl)
            return VALID
        self.metrics.count("identity_fallback")
        try:
            status, body = await self.identity.request_json(
                "POST",
                "/auth/verify/token?loadPreferences=true&skipTokenCache=false",
                {"token": token.decode("latin-1")},
            )
        except HttpError as exc:
            self.metrics.count("identity_error")
            log.warning("identity unavailable: %s", exc)
            return UNAVAILABLE
        if status >= 500:
            self.metrics.count("identity_error")
            return UNAVAILABLE
        ok = (
            isinstance(body, dict)
            and isinstance(body.get("status"), dict)
            and body["status"].get("type") == "SUCCESS"
        )
        if not ok:
            return INVALID
        # The account's name, when identity gives one: the original gateway put it in the Basic
        # value on this path (its Redis path has only the user id). Kept as the session's entry.
        entry = account_name(body) or True
        self.l1.set(key, entry, cost=entry_cost(key, entry), ttl=self.l1_ttl)
        if found is not None:  # Redis answered "no": fill it for the other gateways
            await self._redis_fill(sid)
        return VALID

    async def _redis_exists(self, sid: str) -> bool | None:
        """True/False from Redis, None when Redis is failing (or the breaker is open)."""
        if not self.breaker.allow():
            self.metrics.count("redis_short_circuit")
            return None
        try:
            async with asyncio.timeout(self.redis_timeout):
                n = await self.redis.exists(f"session:{sid}")
        except Exception as exc:
            self.breaker.failure()
            self.metrics.count("redis_error")
            log.debug("redis EXISTS failed: %r", exc)
            return None
        self.breaker.success()
        return bool(n)

    async def _redis_fill(self, sid: str) -> None:
        if not self.breaker.allow():
            return
        try:
            async with asyncio.timeout(self.redis_timeout):
                await self.redis.set(f"session:{sid}", "1", ex=REDIS_FILL_TTL, nx=True)
        except Exception:
            self.breaker.failure()
            self.metrics.count("redis_error")
            return
        self.breaker.success()

    def invalidate(self, sid: str) -> None:
        self.l1.delete(session_key(sid))


async def listen_invalidations(
    redis: Any, channel: str, chain: SessionChain, ready: asyncio.Event | None = None
) -> None:
    """Removes logged-out sessions from L1; resubscribes after a Redis failure."""
    while True:
        pubsub = redis.pubsub()
        try:
            await pubsub.subscribe(channel)
            if ready is not None:
                ready.set()
            async for message in pubsub.listen():
                if message.get("type") != "message":
                    continue
                data = message.get("data")
                sid = data.decode() if isinstance(data, bytes) else str(data)
                chain.invalidate(sid.strip())
                chain.metrics.count("session_invalidated")
        except asyncio.CancelledError:
            await _close(pubsub)
            raise
        except Exception as exc:
            log.debug("invalidation listener: %r", exc)
            chain.metrics.count("invalidation_listener_error")
        await _close(pubsub)
        await asyncio.sleep(0.5)


async def _close(pubsub: Any) -> None:
    try:
        await pubsub.aclose()
    except Exception:
        return
