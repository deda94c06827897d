"""Per-partner rate limits by plan: a token bucket in Redis shared by every gateway, handed
out in small leases so that the proxy path spends a local counter, not a Redis round trip.

Each gateway takes `batch` tokens at a time from the shared bucket (a Lua script, Redis clock)
and refills in the background when its lease runs low; the overshoot is bounded by one batch
per gateway. When Redis fails (breaker open) each gateway falls back to a local bucket with
the plan's full rate.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

from coffee.infra.breaker import CircuitBreaker

if TYPE_CHECKING:
    from coffee.gateway.metrics import GatewayMetrics
    from coffee.gateway.settings import PlanLimit

log = logging.getLogger("coffee.gateway.ratelimit")

OK, LIMITED, NEEDS_LEASE = 0, 429, -1

# KEYS[1] = bucket; ARGV = rate per second, burst, tokens wanted. Returns tokens granted.
LEASE_SCRIPT = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 't', 'ts')
local tokens = tonumber(b[1])
local ts = tonumber(b[2])
if tokens == nil or ts == nil then tokens = burst; ts = now end
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
local granted = math.min(want, math.floor(tokens))
tokens = tokens - granted
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return granted
"""


class LocalBucket:
    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class Lease:
    __slots__ = ("batch", "empty_until", "limit", "refill", "tokens")

    def __init__(self, limit: PlanLimit) -> None:
        self.limit = limit
        self.tokens = 0
        self.batch = max(1, int(min(limit.burst / 4, limit.rate / 10)))
        self.refill: asyncio.Future[None] | None = None
        self.empty_until = 0.0  # the shared bucket was empty: 429 without asking until then


class RateLimiter:
    def __init__(
        self,
        redis: Any,
        breaker: CircuitBreaker,
        plans: dict[str, PlanLimit],
        metrics: GatewayMetrics,
        timeout: float,
        prefix: str = "ratelimit",
    ) -> None:
        self.redis = redis
        self.breaker = breaker
        self.plans = {k.encode(): v for k, v in plans.items()}
        self.metrics = metrics
        self.timeout = timeout
        self.prefix = prefix
        # Keyed by (who, plan): `who` is a partner id, or for device initialisations a
        # `dev:<id>` / `addr:<ip>` string (see auth.TokenAuthorizer).
        self.leases: dict[tuple[int | str, bytes], Lease] = {}
        self.local: dict[tuple[int | str, bytes], LocalBucket] = {}
        self._script = redis.register_script(LEASE_SCRIPT) if redis is not None else None

    def take(self, partner_id: int | str, plan: bytes) -> int:
        """OK, LIMITED, or NEEDS_LEASE (call `take_slow`)."""
        key = (partner_id, plan)
        lease = self.leases.get(key)
        if lease is not None and lease.tokens > 0:
            lease.tokens -= 1
            if lease.tokens * 2 < lease.batch and lease.refill is None:
                self._start_refill(key, lease)
            return OK
        if plan not in self.plans:
            return OK  # no limit configured for this plan
        if self.breaker.rejecting():
            return self._take_local(key)
        if lease is not None and time.monotonic() < lease.empty_until:
            return LIMITED
        return NEEDS_LEASE

    async def take_slow(self, partner_id: int | str, plan: bytes) -> int:
        key = (partner_id, plan)
        lease = self.leases.get(key)
        if lease is None:
            lease = self.leases[key] = Lease(self.plans[plan])
        if lease.tokens <= 0:
            if lease.refill is None:
                self._start_refill(key, lease)
            await asyncio.shield(lease.refill)  # type: ignore[arg-type]
        if lease.tokens > 0:
            lease.tokens -= 1
            return OK
        if lease.empty_until == -1.0:  # Redis failed: the local bucket decides
            lease.empty_until = 0.0
            return self._take_local(key)
        return LIMITED

    def _take_local(self, key: tuple[int | str, bytes]) -> int:
        bucket = self.local.get(key)
        if bucket is None:
            limit = self.plans[key[1]]
            bucket = self.local[key] = LocalBucket(limit.rate, limit.burst)
        self.metrics.count("ratelimit_local")
        return OK if bucket.take() else LIMITED

    def _start_refill(self, key: tuple[int | str, bytes], lease: Lease) -> None:
        lease.refill = asyncio.ensure_future(self._refill(key, lease))

    async def _refill(self, key: tuple[int | str, bytes], lease: Lease) -> None:
        limit = lease.limit
        try:
            if not self.breaker.allow():
                lease.empty_until = -1.0
                return
            try:
                async with asyncio.timeout(self.timeout):
                    granted = await self._script(  # type: ignore[misc]
                        keys=[f"{self.prefix}:{key[0]}:{key[1].decode()}"],
                        args=[limit.rate, limit.burst, lease.batch],
                    )
            except Exception as exc:
                self.breaker.failure()
                self.metrics.count("redis_error")
                log.debug("rate-limit lease failed: %r", exc)
                lease.empty_until = -1.0
                return
            self.breaker.success()
            granted = int(granted)
            lease.tokens += granted
            if granted == 0:
                lease.empty_until = time.monotonic() + min(1.0, 1.0 / limit.rate)
                self.metrics.count("ratelimit_empty")
        finally:
            lease.refill = None
