"""Prometheus counters of the api (exposed at GET /metrics)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

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
LOGIN_PASSWORD_CHECKS = Counter(
    "coffee_api_login_password_checks",
    "Password hashes computed by logins (a missing user costs one too: same time either way)",
    registry=REGISTRY,
)
LOGIN_THROTTLED = Counter(
    "coffee_api_login_throttled",
    "Logins refused with 429: too many failures for the email or the address",
    registry=REGISTRY,
)
LOGIN_THROTTLE_ERRORS = Counter(
    "coffee_api_login_throttle_errors",
    "Redis calls of the login throttle that failed (logins then pass unthrottled)",
    registry=REGISTRY,
)
ORIGINAL_GATEWAY_MIGRATION = Gauge(
    "coffee_api_original_gateway_migration",
    "1 while ORIGINAL_GATEWAY_MIGRATION accepts the original gateway's unsigned requests",
    registry=REGISTRY,
)
