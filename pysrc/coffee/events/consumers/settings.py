"""Settings of `coffee consumers` (the original's RABBIT_* and CLICKHOUSE_* names)."""

from __future__ import annotations

import pathlib
from typing import Annotated

from msgspec import Meta

from coffee.config import BrokerSettings, load
from coffee.infra.clickhouse import absolute_chdb

DEFAULT_TOPOLOGY = pathlib.Path(__file__).with_name("topology.toml")


class ConsumerSettings(BrokerSettings, frozen=True, kw_only=True):
    # "chdb:///path" (in-process, the default) or "http://host:8123" for a server.
    clickhouse_url: str = "chdb://var/chdb"
    # The databases the topology may name; the first is the default (CLICKHOUSE_DBNAME).
    clickhouse_db_names: str = "events,logs"
    # A ClickHouse cluster name: tables become Replicated (per node) + Distributed (see schema.py).
    clickhouse_cluster: str = ""
    topology_file: str = str(DEFAULT_TOPOLOGY)
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
    def clickhouse_dsn(self) -> str:
        """CLICKHOUSE_URL with a relative chdb path made absolute (``chdb://var/chdb`` would be
        read by clickhouse-connect as host ``var`` and database ``chdb``)."""
        return absolute_chdb(self.clickhouse_url)

    @property
    def databases(self) -> list[str]:
        return [d.strip() for d in self.clickhouse_db_names.split(",") if d.strip()]

    @property
    def delays(self) -> list[float]:
        return [float(d) for d in self.retry_delays.split(",") if d.strip()] or [1.0]


def load_settings(environ: dict[str, str] | None = None) -> ConsumerSettings:
    return load(ConsumerSettings, environ)
