"""Settings of `coffee events`, under the original Event-gRPC's environment names."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from coffee.config import BrokerSettings, GiB, MiB, load
from coffee.events.webhooks.sources import settings_fields

# `{BRANCH,VIDOOLY,...}_EVENT_EXCHANGE`, `..._WORKER_POOL_SIZE`, `..._BUFFERED_CHANNEL_SIZE`: made
# from the table of webhook sources, so adding a source adds its settings.
_WebhookSourceSettings = msgspec.defstruct(
    "_WebhookSourceSettings",
    settings_fields(),
    bases=(BrokerSettings,),
    frozen=True,
    kw_only=True,
)


class EventSettings(_WebhookSourceSettings, frozen=True, kw_only=True):
    host: str = "0.0.0.0"
    port: Annotated[int, Meta(ge=0, le=65535)] = 8017
    # The HTTP side (the original's GIN_PORT): the third-party webhooks and GET /heartbeat/.
    gin_port: Annotated[int, Meta(ge=0, le=65535)] = 8018
    # The admin listener: PUT /heartbeat/ (drains the node) and GET /metrics, loopback by
    # default, never on the public ports (as the api's and the gateway's).
    events_admin_host: str = "127.0.0.1"
    events_admin_port: Annotated[int, Meta(ge=0, le=65535)] = 9018
    event_exchange: str = "grpc_event.tx"
    # Publishing workers. Each takes every batch queued (up to event_coalesce_batches) and
    # publishes them as one message per routing key, then waits for the confirm; meanwhile the
    # next batches queue. Work per message dominates, ours and the broker's, so one worker (the
    # largest messages) measured best: bench ingest --quick on 2026-12-04, 1 worker 86-98k
    # events/s, 2 workers 73-76k, 64 workers 57k. More help when the broker's round trip is
    # long against the time between batches.
    event_worker_pool_size: Annotated[int, Meta(ge=1, le=1024)] = 1
    # Batches waiting for a worker; when full, Dispatch waits `event_put_timeout` then refuses.
    event_buffered_channel_size: Annotated[int, Meta(ge=1)] = 1000
    # ...and the bytes they hold: past this, Dispatch waits `event_put_timeout` then refuses
    # (UNAVAILABLE), whatever the count (1000 batches of up to 16 MiB would be 16 GiB).
    event_queue_max_bytes: Annotated[int, Meta(ge=MiB)] = 64 * MiB
    # Dispatch calls (and health checks) handled at once; more get RESOURCE_EXHAUSTED. Bounds
    # the request bytes held before they reach the queue (each up to 16 MiB).
    event_max_concurrent_rpcs: Annotated[int, Meta(ge=1)] = 256
    event_put_timeout: Annotated[float, Meta(gt=0)] = 1.0
    event_publish_timeout: Annotated[float, Meta(gt=0)] = 5.0
    event_future_tolerance_ms: Annotated[int, Meta(ge=0)] = 60_000
    event_skew_threshold_ms: Annotated[int, Meta(ge=0)] = 60_000
    event_max_batch: Annotated[int, Meta(ge=1)] = 1000
    # Queued Dispatch batches a worker publishes together (one message per routing key).
    event_coalesce_batches: Annotated[int, Meta(ge=1, le=256)] = 16
    # `current`: our envelope JSON (coalesced, with corrections and payload bytes kept).
    # `original`: what the original producer published, for its consumers during a migration:
    # protojson of {header, events}, one batch per message (coffee.events.original_wire).
    event_message_format: Literal["current", "original"] = "current"
    event_wal_dir: str = "var/events-wal"
    event_wal_max_bytes: Annotated[int, Meta(ge=MiB)] = GiB
    # Seconds a SIGTERM waits for in-flight RPCs and the queue to drain.
    event_shutdown_grace: Annotated[float, Meta(ge=0)] = 10.0
    # The events role has no readiness step in `coffee up` and its gRPC health has always
    # started SERVING, so it starts beating; `PUT /heartbeat/?beat=false` drains it.
    heartbeat_start: bool = True
    # A webhook body over this is refused with 413 before it is read further.
    webhook_max_body_bytes: Annotated[int, Meta(ge=1)] = MiB
    # Each source's write-ahead log (EVENT_WAL_DIR/<source>) is bounded by this.
    webhook_wal_max_bytes: Annotated[int, Meta(ge=MiB)] = 256 * MiB


def load_settings(environ: dict[str, str] | None = None) -> EventSettings:
    return load(EventSettings, environ)
