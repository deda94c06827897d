"""Settings of `coffee consumers` (the original's RABBIT_* and CLICKHOUSE_* names)."""

from __future__ import annotations

import pathlib
from typing import Annotated, Literal
from urllib.parse import quote

from msgspec import Meta

from coffee.config import BrokerSettings, load
from coffee.infra.clickhouse import absolute_chdb

DEFAULT_TOPOLOGY = pathlib.Path(__file__).with_name("topology.toml")
# The original Event-gRPC's 26 queues, exchanges and error routes (RABBIT_TOPOLOGY=original).
ORIGINAL_TOPOLOGY = pathlib.Path(__file__).with_name("topology.original.toml")


EMBEDDED_DEFAULT = "chdb://var/chdb"


class ConsumerSettings(BrokerSettings, frozen=True, kw_only=True):
    # "chdb:///path" (in-process) or "http://host:8123" for a server; unset: the server named by
    # CLICKHOUSE_HOST (the original's settings), else the embedded engine under var/chdb.
    clickhouse_url: str = ""
    # The original's server settings. CLICKHOUSE_PORT was its native-protocol (tcp) port, which
    # clickhouse-connect does not speak: it is refused, and CLICKHOUSE_HTTP_PORT is read instead.
    clickhouse_host: str = ""
    clickhouse_http_port: Annotated[int, Meta(ge=1, le=65535)] = 8123
    clickhouse_port: str = ""
    clickhouse_user: str = "default"
    clickhouse_password: str = ""
    # The original's default database: put first among CLICKHOUSE_DB_NAMES.
    clickhouse_dbname: str = ""
    # The databases the topology may name; the first is the default (CLICKHOUSE_DBNAME).
    clickhouse_db_names: str = "events,logs"
    # A ClickHouse cluster name: tables become Replicated (per node) + Distributed (see schema.py).
    clickhouse_cluster: str = ""
    # The topology file; unset, RABBIT_TOPOLOGY picks ours or the original's.
    topology_file: str = ""
    rabbit_topology: Literal["ours", "original"] = "ours"
    # The original's buffer size of its buffered log sinkers: when set, every buffered kind
    # flushes at this many rows (and prefetches at least as many).
    scrape_log_buffer_limit: Annotated[int, Meta(ge=0)] = 0
    retry_limit: Annotated[int, Meta(ge=0, le=20)] = 2
    # Seconds to wait before retry 1, 2, ... (the last repeats); one wait queue per delay, so a
    # short delay is never stuck behind a long one (expiry happens only at a queue's head).
    retry_delays: str = "1,5"
    dead_letter_ttl_seconds: Annotated[int, Meta(ge=1)] = 86_400
    dead_letter_max_length: Annotated[int, Meta(ge=1)] = 1_000_000
    quorum_queues: bool = True
    clickhouse_timeout: Annotated[float, Meta(gt=0)] = 10.0
    # Seconds between health checks of each database (a failing one pauses only its sinkers).
    health_interval_seconds: Annotated[float, Meta(gt=0)] = 1.0
    breaker_failures: Annotated[int, Meta(ge=1)] = 5
    breaker_reset_seconds: Annotated[float, Meta(gt=0)] = 5.0
    flush_backoff_max_seconds: Annotated[float, Meta(gt=0)] = 30.0
    # Seconds SIGTERM gives the last flushes (under compose's default 10 s grace): what is
    # still buffered then is left unacked (the broker redelivers it) and counted, whatever
    # ClickHouse does.
    shutdown_seconds: Annotated[float, Meta(gt=0)] = 8.0
    # Prometheus /metrics of this process (0 = off).
    consumer_metrics_port: Annotated[int, Meta(ge=0, le=65535)] = 8019
    # Prefix of every exchange and queue this process declares (tests isolate themselves with it).
    name_prefix: str = ""

    @property
    def topology_path(self) -> str:
        if self.topology_file:
            return self.topology_file
        return str(ORIGINAL_TOPOLOGY if self.rabbit_topology == "original" else DEFAULT_TOPOLOGY)

    def __post_init__(self) -> None:
        # An operator's server setting must never fall back to the embedded engine silently
        # (rows written inside the container are lost with it): two sources are an error.
        if self.clickhouse_port:
            raise ValueError(
                f"CLICKHOUSE_PORT={self.clickhouse_port!r} is the original's native-protocol port;"
                " this platform speaks ClickHouse's HTTP interface: set CLICKHOUSE_HTTP_PORT"
                " (default 8123) instead"
            )
        if self.clickhouse_host and self.clickhouse_url:
            raise ValueError(
                f"CLICKHOUSE_HOST={self.clickhouse_host!r} and CLICKHOUSE_URL="
                f"{self.clickhouse_url!r} both name a ClickHouse: set one of them (an empty"
                " CLICKHOUSE_URL= lifts the image's embedded default)"
            )

    @property
    def clickhouse_dsn(self) -> str:
        """Where the sinkers write. A relative chdb path is made absolute (``chdb://var/chdb``
        would be read by clickhouse-connect as host ``var`` and database ``chdb``)."""
        if self.clickhouse_host:
            auth = quote(self.clickhouse_user, safe="")
            if self.clickhouse_password:
                auth += ":" + quote(self.clickhouse_password, safe="")
            host = self.clickhouse_host
            host = f"[{host}]" if ":" in host else host
            return f"http://{auth}@{host}:{self.clickhouse_http_port}"
        return absolute_chdb(self.clickhouse_url or EMBEDDED_DEFAULT)

    @property
    def databases(self) -> list[str]:
        names = [d.strip() for d in self.clickhouse_db_names.split(",") if d.strip()]
        first = self.clickhouse_dbname.strip()
        return [first, *(n for n in names if n != first)] if first else names

    @property
    def delays(self) -> list[float]:
        return [float(d) for d in self.retry_delays.split(",") if d.strip()] or [1.0]


def load_settings(environ: dict[str, str] | None = None) -> ConsumerSettings:
    return load(ConsumerSettings, environ)
