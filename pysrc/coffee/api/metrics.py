"""Prometheus counters of the api (exposed at GET /metrics)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter

REGISTRY = CollectorRegistry()
REQUESTS = Counter("coffee_api_requests", "Requests by outcome", ["outcome"], registry=REGISTRY)
AFTER_COMMIT_FAILURES = Counter(
    "coffee_api_after_commit_publish_failures",
    "After-commit (fire and forget) publishes that failed",
    registry=REGISTRY,
)
OUTBOX_PUBLISHED = Counter(
    "coffee_api_outbox_published", "Outbox events published with confirms", registry=REGISTRY
)
OUTBOX_FAILURES = Counter(
    "coffee_api_outbox_publish_failures",
    "Outbox relay publish attempts that failed",
    registry=REGISTRY,
)
CH_FLUSH_FAILURES = Counter(
    "coffee_api_clickhouse_flush_failures",
    "ClickHouse writes left to the relay because the flush after commit failed",
    registry=REGISTRY,
)
