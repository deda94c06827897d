"""Settings of the api service, read with `coffee.config.load` (names of the Go original)."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

import msgspec
from msgspec import Meta

from coffee.api.original_gateway import parse_peers
from coffee.infra.clickhouse import absolute_chdb


class ApiSettings(msgspec.Struct, frozen=True, kw_only=True):
    server_host: str = "127.0.0.1"
    server_port: Annotated[int, Meta(ge=0, le=65535)] = 8000
    # A request running longer is cancelled, both sessions roll back, the client gets 504.
    server_timeout: Annotated[float, Meta(gt=0)] = 5.0
    # Requests slower than this are logged as structured JSON (method, path, tenant, body).
    slow_request_threshold: Annotated[float, Meta(gt=0)] = 5.0
    # Bodies are read whole before the handler (for Sentry and the slow log): bounded.
    max_body_bytes: Annotated[int, Meta(ge=1)] = 1 << 20
    log_level: str = "info"
    env: str = "dev"
    sentry_dsn: str = ""
    workers: Annotated[int, Meta(ge=1)] = 1
    # The admin listener: PUT /heartbeat/ (drains the node) and GET /metrics, loopback by
    # default. The public port keeps GET /heartbeat/ (the load balancer's check).
    api_admin_host: str = "127.0.0.1"
    api_admin_port: Annotated[int, Meta(ge=0, le=65535)] = 9000

    # PostgreSQL (the original's PG_* names).
    pg_host: str = "127.0.0.1"
    pg_port: int = 5432
    pg_db: str = "coffee"
    pg_user: str = "postgres"
    pg_pass: str = ""
    # libpq's sslmode: "prefer" uses TLS when the server offers it; "disable" on a trusted
    # loopback saves the TLS work per round trip (measured: most of the driver's CPU).
    pg_sslmode: Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] = (
        "prefer"
    )
    pg_pool_min: Annotated[int, Meta(ge=0)] = 2
    pg_pool_max: Annotated[int, Meta(ge=1)] = 20
    # How long a request may wait for a pooled connection (inside SERVER_TIMEOUT).
    pg_acquire_timeout: Annotated[float, Meta(gt=0)] = 2.0

    # ClickHouse: CH_DSN wins ("chdb:///path" in-process, "http://host:8123"); else CH_* build one.
    ch_dsn: str = ""
    ch_host: str = ""
    ch_port: int = 8123
    ch_db: str = "default"
    ch_user: str = "default"
    ch_pass: str = ""
    ch_data_dir: str = ".coffee/chdb"

    amqp_uri: str = "amqp://guest:guest@127.0.0.1:5672/"
    # The original's direct durable exchange of the api; topics are `<exchange>___<queue>`.
    amqp_exchange: str = "coffee.dx"
    listeners_enabled: bool = True
    listener_prefetch: Annotated[int, Meta(ge=1)] = 1
    listener_max_retries: Annotated[int, Meta(ge=0)] = 2
    outbox_poll_interval: Annotated[float, Meta(gt=0)] = 0.5
    outbox_batch: Annotated[int, Meta(ge=1)] = 100

    redis_cluster_addresses: str = "127.0.0.1:6379"
    redis_cluster_password: str = ""
    # A Sentinel master name: REDIS_CLUSTER_ADDRESSES then lists the Sentinels.
    redis_sentinel_master: str = ""

    # The gateway's signature over the tenant headers (coffee.infra.tenant_signature).
    gateway_signature_secret: str = ""
    gateway_signature_max_skew: Annotated[int, Meta(ge=0)] = 30
    # Refuse a signature nonce (the gateway's request id) seen before inside the skew window.
    gateway_signature_replay_check: bool = True
    # Migration mode (coffee.api.original_gateway): unsigned requests from the original Go
    # gateway are taken with their headers as sent; only from these peers when listed.
    original_gateway_migration: bool = False
    original_gateway_peers: str = ""

    # Identity: JWT secret shared with the gateway (base64 as the original's HMAC_SECRET).
    hmac_secret: str = ""
    session_ttl: Annotated[int, Meta(ge=1)] = 7 * 24 * 3600
    # Failed logins allowed per email and per client address within the window (seconds);
    # past either, logins get 429 until the window ends.
    login_max_failures_per_email: Annotated[int, Meta(ge=1)] = 5
    login_max_failures_per_address: Annotated[int, Meta(ge=1)] = 50
    login_failure_window: Annotated[float, Meta(ge=1)] = 300.0

    # Pagination caps (the spec's values); beyond them the request is refused with 400.
    page_cap: Annotated[int, Meta(ge=1)] = 1000
    size_cap: Annotated[int, Meta(ge=1)] = 100
    # filteredCount is exact up to this, then reported as capped (filteredCountCapped).
    search_count_cap: Annotated[int, Meta(ge=1)] = 1000
    heartbeat_start: bool = False
    # Apply pending migrations when a worker starts (under a lock; idempotent).
    migrate_on_start: bool = True

    def __post_init__(self) -> None:
        try:
            parse_peers(self.original_gateway_peers)
        except ValueError as exc:
            raise ValueError(f"ORIGINAL_GATEWAY_PEERS: {exc}") from None

    def pg_dsn(self) -> str:
        # Every part percent-encoded: a password with `@`, `:`, `/` or `#` (the originals took
        # PG_PASS as it is, not as URL text) must not change where the DSN points.
        auth = quote(self.pg_user, safe="") + (
            f":{quote(self.pg_pass, safe='')}" if self.pg_pass else ""
        )
        host = f"[{self.pg_host}]" if ":" in self.pg_host else self.pg_host  # an IPv6 literal
        return (
            f"postgresql://{auth}@{host}:{self.pg_port}/{quote(self.pg_db, safe='')}"
            f"?sslmode={quote(self.pg_sslmode, safe='')}"
        )

    def clickhouse_dsn(self) -> str:
        if self.ch_dsn:
            return absolute_chdb(self.ch_dsn)
        if self.ch_host:
            auth = self.ch_user + (f":{self.ch_pass}" if self.ch_pass else "")
            return f"http://{auth}@{self.ch_host}:{self.ch_port}/{self.ch_db}"
        return absolute_chdb(f"chdb://{self.ch_data_dir}")
