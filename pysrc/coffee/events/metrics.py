"""Prometheus metrics of the event intake."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

EVENTS_RECEIVED = Counter("coffee_events_received_total", "Events received by Dispatch")
EVENTS_ACCEPTED = Counter("coffee_events_accepted_total", "Events accepted and made durable")
EVENTS_REJECTED = Counter("coffee_events_rejected_total", "Events refused, by reason", ["reason"])
EVENTS_CORRECTED = Counter(
    "coffee_events_timestamp_corrected_total", "Events whose timestamp was clamped or corrected"
)
BATCHES_REFUSED = Counter(
    "coffee_events_batches_refused_total", "Whole batches refused, by reason", ["reason"]
)
QUEUE_DEPTH = Gauge("coffee_events_queue_depth", "Batches waiting for a publishing worker")
QUEUE_BYTES = Gauge(
    "coffee_events_queue_bytes", "Bytes of the batches queued or being published (bounded)"
)
KEPT_IN_CURRENT_FORMAT = Counter(
    "coffee_events_kept_in_current_format_total",
    "EVENT_MESSAGE_FORMAT=original: groups published in ours because a payload's bytes do not "
    "decode as its message (the routing key names the kind; at most 56 values)",
    ["routing_key"],
)
PUBLISHED = Counter("coffee_events_published_total", "Messages made durable, by how", ["outcome"])
WAL_BYTES = Gauge("coffee_events_wal_bytes", "Bytes in the publish write-ahead log")

# The HTTP intake of third-party webhooks (label `source`: branch, vidooly, ...).
WEBHOOKS_RECEIVED = Counter("coffee_webhooks_received_total", "Webhooks received", ["source"])
WEBHOOKS_ACCEPTED = Counter(
    "coffee_webhooks_accepted_total", "Webhooks made durable, by how", ["source", "outcome"]
)
WEBHOOKS_REJECTED = Counter(
    "coffee_webhooks_rejected_total", "Webhooks refused, by reason", ["source", "reason"]
)
WEBHOOK_QUEUE_DEPTH = Gauge(
    "coffee_webhooks_queue_depth", "Webhooks waiting for a publishing worker", ["source"]
)
WEBHOOK_WAL_BYTES = Gauge(
    "coffee_webhooks_wal_bytes", "Bytes in a source's write-ahead log", ["source"]
)
