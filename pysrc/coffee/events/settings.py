"""Settings of `coffee events`, under the original Event-gRPC's environment names."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

import msgspec
from msgspec import Meta

from coffee.config import GiB, load


class EventSettings(msgspec.Struct, frozen=True, kw_only=True):
    host: str = "0.0.0.0"
    port: Annotated[int, Meta(ge=0, le=65535)] = 8017
    # /metrics (Prometheus) is served here; the original served its HTTP intake on GIN_PORT.
    gin_port: Annotated[int, Meta(ge=0, le=65535)] = 8018
    rabbit_user: str = "guest"
    rabbit_password: str = "guest"
    rabbit_host: str = "127.0.0.1"
    rabbit_port: Annotated[int, Meta(ge=1, le=65535)] = 5672
    rabbit_vhost: str = "/"
    # A full AMQP URL, when set, wins over the RABBIT_* parts (cluster URLs, TLS).
    amqp_uri: str = ""
    event_exchange: str = "grpc_event.tx"
    # Workers publishing batches concurrently: confirms in flight, not more connections.
    event_worker_pool_size: Annotated[int, Meta(ge=1, le=1024)] = 16
    # Batches waiting for a worker; when full, Dispatch waits `event_put_timeout` then refuses.
    event_buffered_channel_size: Annotated[int, Meta(ge=1)] = 1000
    event_put_timeout: Annotated[float, Meta(gt=0)] = 1.0
    event_publish_timeout: Annotated[float, Meta(gt=0)] = 5.0
    event_future_tolerance_ms: Annotated[int, Meta(ge=0)] = 60_000
    event_skew_threshold_ms: Annotated[int, Meta(ge=0)] = 60_000
    event_max_batch: Annotated[int, Meta(ge=1)] = 1000
    event_wal_dir: str = "var/events-wal"
    event_wal_max_bytes: Annotated[int, Meta(ge=1 << 20)] = GiB
    # Seconds a SIGTERM waits for in-flight RPCs and the queue to drain.
    event_shutdown_grace: Annotated[float, Meta(ge=0)] = 10.0

    @property
    def amqp_url(self) -> str:
        if self.amqp_uri:
            return self.amqp_uri
        vhost = quote(self.rabbit_vhost, safe="")
        user, password = quote(self.rabbit_user, safe=""), quote(self.rabbit_password, safe="")
        return f"amqp://{user}:{password}@{self.rabbit_host}:{self.rabbit_port}/{vhost}"


def load_settings(environ: dict[str, str] | None = None) -> EventSettings:
    return load(EventSettings, environ)
