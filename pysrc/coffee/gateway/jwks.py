"""Where the gateway's JWT verifier comes from: fixed keys (HMAC_SECRET / JWT_KEYS), or a JWKS
URL whose key set rotates.

The verifier itself (rust/src/jwt) is immutable and does no I/O: a new key set is a new
verifier, swapped in whole. The JWKS is fetched at start, every JWKS_REFRESH_INTERVAL, and when
a token names a `kid` the set does not hold, at most once per JWKS_MIN_REFETCH_INTERVAL (a
client sending made-up kids cannot turn the gateway into a JWKS flood). A failed fetch keeps the
last good key set: an identity provider's outage does not log everybody out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coffee._native import JwtVerifier
    from coffee.gateway.metrics import GatewayMetrics
    from coffee.gateway.service_client import ServiceClient

log = logging.getLogger("coffee.gateway.jwks")


class StaticKeys:
    """Keys from the settings: nothing to fetch, an unknown kid is simply unknown."""

    def __init__(self, verifier: JwtVerifier) -> None:
        self.verifier: JwtVerifier | None = verifier

    async def start(self) -> None:
        return None

    async def unknown_key(self) -> bool:
        return False

    async def close(self) -> None:
        return None


class JwksKeys:
    """The key set behind a JWKS URL, refetched on rotation."""

    def __init__(
        self,
        client: ServiceClient,
        build: Callable[[bytes], JwtVerifier],
        metrics: GatewayMetrics,
        *,
        refresh_interval: float,
        min_refetch_interval: float,
    ) -> None:
        self.client = client
        self.url = client.base_url
        self.build = build
        self.metrics = metrics
        self.refresh_interval = refresh_interval
        self.min_refetch_interval = min_refetch_interval
        self.verifier: JwtVerifier | None = None  # None until a first fetch succeeds
        self.fetched_at = 0.0  # wall clock of the last good fetch (a gauge)
        self._document = b""
        self._last_refetch = -float("inf")
        self._inflight: asyncio.Future[bool] | None = None
        self._refresher: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """One fetch (a failure is logged; the refresher keeps trying), then the refresher."""
        await self._fetch()
        self._refresher = asyncio.get_running_loop().create_task(self._refresh_forever())

    async def close(self) -> None:
        if self._refresher is not None:
            self._refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refresher
        await self.client.close()

    async def unknown_key(self) -> bool:
        """A token named a kid the set lacks: refetch if allowed now. True if the set changed."""
        if self._inflight is not None:  # a fetch is under way: its answer is ours too
            return await asyncio.shield(self._inflight)
        now = time.monotonic()
        if now - self._last_refetch < self.min_refetch_interval:
            self.metrics.count("jwks_refetch_suppressed")
            return False
        self._last_refetch = now
        self.metrics.count("jwks_refetch")
        return await self._fetch()

    async def _refresh_forever(self) -> None:
        while True:
            # Until a first set is known, retry at the unknown-kid pace rather than the slow one.
            pause = (
                self.refresh_interval if self.verifier is not None else self.min_refetch_interval
            )
            await asyncio.sleep(max(pause, 0.5))
            await self._fetch()

    async def _fetch(self) -> bool:
        if self._inflight is not None:
            return await asyncio.shield(self._inflight)
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._inflight = future
        changed = False
        try:
            changed = await self._fetch_once()
        finally:
            self._inflight = None
            future.set_result(changed)  # also on cancellation: waiters see "no change"
        return changed

    async def _fetch_once(self) -> bool:
        self.metrics.count("jwks_fetch")
        try:
            status, document = await self.client.request("GET", "")
            if status != 200:
                raise ValueError(f"the JWKS URL answered {status}")
            if document == self._document:
                self.fetched_at = time.time()
                return False
            verifier = self.build(document)
        except Exception as exc:  # HTTP, TLS, a bad document: all keep the last good set
            # The last good set stays in use; the failure is counted and logged.
            self.metrics.count("jwks_fetch_failed")
            log.warning("JWKS fetch from %s failed, the last good set stays: %s", self.url, exc)
            return False
        self.verifier = verifier
        self._document = document
        self.fetched_at = time.time()
        log.info("JWKS from %s: %d keys", self.url, verifier.key_count)
        return True
