"""The webhook intake: route a path to its source, check the body is one JSON object, take its
routing key, and hand it to the source's channel. Every refusal is a `Refusal` carrying the HTTP
status the client gets (400 bad JSON, 413 too large, 503 + Retry-After under backpressure or
while draining)."""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections.abc import Mapping
from typing import NamedTuple

from coffee.events import metrics
from coffee.events.settings import EventSettings
from coffee.events.webhooks.channel import Job, NotPublished, QueueFull, SourceChannel
from coffee.events.webhooks.sources import (
    SOURCES,
    BadWebhook,
    RoutingRule,
    Source,
    source_settings,
)
from coffee.infra import json_input
from coffee.infra.wal import WalFull


class Refusal(Exception):
    def __init__(self, status: int, reason: str, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.retry_after = retry_after


class Route(NamedTuple):
    channel: SourceChannel
    rule: RoutingRule


class Webhooks:
    def __init__(self, settings: EventSettings, sources: tuple[Source, ...] = SOURCES) -> None:
        self.settings = settings
        self.channels = {
            source.name: SourceChannel(
                source,
                source_settings(settings, source),
                amqp_url=settings.amqp_url,
                wal_dir=settings.event_wal_dir,
                wal_max_bytes=settings.webhook_wal_max_bytes,
                publish_timeout=settings.event_publish_timeout,
            )
            for source in sources
        }
        self.routes: Mapping[str, Route] = {
            path: Route(self.channels[source.name], rule)
            for source in sources
            for path, rule in source.paths.items()
        }
        self.accepting = True
        self.retry_after = max(1, math.ceil(settings.event_put_timeout))

    async def start(self) -> None:
        await asyncio.gather(*(channel.start() for channel in self.channels.values()))

    def route(self, path: str) -> Route | None:
        return self.routes.get(path.rstrip("/") or "/")

    async def accept(self, route: Route, body: bytes) -> None:
        """Returns once the webhook is durable; raises Refusal otherwise."""
        source = route.channel.source.name
        metrics.WEBHOOKS_RECEIVED.labels(source).inc()
        try:
            outcome = await self._accept(route, body)
        except Refusal as refusal:
            metrics.WEBHOOKS_REJECTED.labels(source, refusal.reason).inc()
            raise
        metrics.WEBHOOKS_ACCEPTED.labels(source, outcome).inc()

    async def _accept(self, route: Route, body: bytes) -> str:
        if not self.accepting:
            raise Refusal(503, "draining", "shutting down; retry on another node", self.retry_after)
        try:
            obj = json_input.decode(body)
        except json_input.BadJson as exc:
            raise Refusal(400, "invalid_json", f"body is not valid JSON: {exc}") from None
        if not isinstance(obj, dict):
            raise Refusal(400, "not_an_object", "body must be one JSON object")
        try:
            routing_key = route.rule(obj)
        except BadWebhook as exc:
            raise Refusal(400, "unroutable", str(exc)) from None
        headers: dict[str, str | int] = {
            "x-source": route.channel.source.name,
            "x-received-at": time.time_ns() // 1_000_000,
            # The message id, fixed now: a publish that timed out and then went to the log is
            # replayed under the same id, and the consumers deduplicate document rows by it.
            "x-message-id": uuid.uuid4().hex,
        }
        # The body as received (validated above, not re-encoded): the consumers' contract.
        job = Job(routing_key, body, headers)
        try:
            return await route.channel.submit(job, self.settings.event_put_timeout)
        except QueueFull:
            raise Refusal(503, "queue_full", "queue full", self.retry_after) from None
        except WalFull as exc:  # at its bound, disk full or a write error: all retryable
            raise Refusal(503, "wal_full", f"broker away and {exc}", self.retry_after) from None
        except NotPublished:
            raise Refusal(503, "draining", "shutting down; retry", self.retry_after) from None

    async def drain(self, timeout: float) -> None:
        self.accepting = False
        await asyncio.gather(*(c.drain(timeout) for c in self.channels.values()))

    async def close(self) -> None:
        await asyncio.gather(*(c.close() for c in self.channels.values()))
