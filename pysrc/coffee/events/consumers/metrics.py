"""Prometheus metrics of the consumers."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

ROWS_WRITTEN = Counter(
    "coffee_consumer_rows_written_total", "Rows committed in ClickHouse", ["queue"]
)
ROWS_REFUSED = Counter(
    "coffee_consumer_rows_refused_total", "Nil, empty or invalid rows refused", ["queue"]
)
INSERT_FAILURES = Counter(
    "coffee_consumer_insert_failures_total", "ClickHouse writes that failed", ["queue"]
)
RETRIED = Counter("coffee_consumer_retried_total", "Messages sent to a retry wait queue", ["queue"])
DEAD_LETTERED = Counter(
    "coffee_consumer_dead_lettered_total", "Messages sent to the dead-letter queue", ["queue"]
)
ROWS_DEAD_LETTERED = Counter(
    "coffee_consumer_rows_dead_lettered_total",
    "Rows ClickHouse refused (a data error), sent to the dead-letter queue with their message",
    ["queue"],
)
LEFT_UNACKED_AT_SHUTDOWN = Counter(
    "coffee_consumer_left_unacked_at_shutdown_total",
    "Buffered messages not flushed by the shutdown deadline: left unacked, redelivered",
    ["queue"],
)
MESSAGES_WITHOUT_ID = Counter(
    "coffee_consumer_messages_without_id_total",
    "Messages with neither a message id nor a send timestamp: given a fresh id",
    ["routing_key"],
)
BUFFERED_ROWS = Gauge(
    "coffee_consumer_buffered_rows", "Rows waiting in a buffered sinker", ["queue"]
)
BREAKER_OPEN = Gauge(
    "coffee_consumer_breaker_open",
    "1 while a sinker's circuit breaker stops consumption",
    ["queue"],
)
DATABASE_HEALTHY = Gauge(
    "coffee_consumer_database_healthy",
    "1 while a ClickHouse database answers its health check (every second)",
    ["database"],
)
DEAD_LETTERS_DISCARDED = Counter(
    "coffee_consumer_dead_letters_discarded_total",
    "Dead letters the broker dropped (reason: expired = past the TTL, maxlen = the oldest past "
    "the maximum length), counted from the queue it dead-letters them to",
    ["queue", "reason"],
)
