"""What a worker process holds: pools and clients opened once, shared by the requests."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import orjson

from coffee.api.listeners import Listeners
from coffee.api.modules.identity.tokens import Tokens
from coffee.api.original_gateway import OriginalGateway
from coffee.api.relay import Relay
from coffee.api.settings import ApiSettings
from coffee.infra import pg, redis_connect
from coffee.infra.amqp import Publisher
from coffee.infra.clickhouse import ClickHouse
from coffee.infra.heartbeat import Heartbeat

log = logging.getLogger("coffee.api")


@dataclass
class Runtime:
    settings: ApiSettings
    pool: asyncpg.Pool
    clickhouse: ClickHouse
    publisher: Publisher
    relay: Relay
    redis: object
    heartbeat: Heartbeat
    tokens: Tokens
    original_gateway: OriginalGateway = field(default_factory=lambda: OriginalGateway(False))
    listeners: Listeners | None = None
    _broker_down_until: float = 0.0
    background: list[asyncio.Task] = field(default_factory=list)

    @classmethod
    async def open(cls, settings: ApiSettings, clickhouse: ClickHouse | None = None) -> Runtime:
        pool = await pg.create_pool(settings.pg_dsn(), settings.pg_pool_min, settings.pg_pool_max)
        clickhouse = clickhouse or ClickHouse(settings.clickhouse_dsn())
        if settings.migrate_on_start:
            from coffee.api.migrate import migrate_clickhouse, migrate_postgres

            await migrate_postgres(settings.pg_dsn())
            await migrate_clickhouse(clickhouse)
        publisher = Publisher(settings.amqp_uri, settings.amqp_exchange)
        relay = Relay(
            pool, clickhouse, publisher, settings.outbox_poll_interval, settings.outbox_batch
        )
        redis = redis_connect.connect(
            settings.redis_cluster_addresses,
            settings.redis_cluster_password,
            timeout=1.0,
            sentinel_master=settings.redis_sentinel_master,
        )
        heartbeat = Heartbeat(settings.heartbeat_start)
        tokens = Tokens(settings.hmac_secret)
        original_gateway = OriginalGateway(
            settings.original_gateway_migration, settings.original_gateway_peers
        )
        original_gateway.announce()
        rt = cls(
            settings, pool, clickhouse, publisher, relay, redis, heartbeat, tokens,
            original_gateway,
        )  # fmt: skip
        relay.start()
        if settings.listeners_enabled:
            rt.listeners = Listeners(
                settings.amqp_uri,
                settings.amqp_exchange,
                pool,
                redis,
                settings.listener_prefetch,
                settings.listener_max_retries,
            )
            rt.listeners.start()
        return rt

    async def publish_now(self, routing_key: str, payload: Any) -> None:
        """One fire-and-forget publish; while the broker was just found down (1 s), it fails at
        once instead of piling up tasks that each wait for the publisher's timeout."""
        now = time.monotonic()
        if now < self._broker_down_until:
            raise ConnectionError("broker unavailable (recent failure)")
        try:
            # A unique id: the consumers deduplicate by message id, and two equal events (one
            # profile viewed twice) must stay two.
            await self.publisher.publish(
                routing_key, orjson.dumps(payload), message_id=uuid.uuid4().hex
            )
        except Exception:
            self._broker_down_until = time.monotonic() + 1.0
            raise

    def spawn(self, coro) -> None:  # type: ignore[no-untyped-def]
        """Runs a fire-and-forget coroutine, keeping a reference so it is not collected."""
        task = asyncio.create_task(coro)
        self.background.append(task)
        task.add_done_callback(self.background.remove)

    async def close(self) -> None:
        await self.relay.stop()
        if self.listeners is not None:
            await self.listeners.stop()
        for task in list(self.background):
            task.cancel()
        await self.publisher.close()
        with contextlib.suppress(Exception):
            await self.redis.aclose()  # type: ignore[attr-defined]
        await self.pool.close()
