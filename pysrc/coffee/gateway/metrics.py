"""The gateway's counters, kept as plain integers on the hot path and rendered on `/metrics`.

A labelled prometheus_client counter costs a lock and a label lookup per increment; the proxy
path instead bumps dict entries keyed by label tuples (one event loop thread, no lock needed)
and `render()` writes the Prometheus text format. `requests_winkl` keeps the original's labels.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


def _escape(value: object) -> str:
    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(names: tuple[str, ...], values: tuple[object, ...]) -> str:
    return ",".join(f'{n}="{_escape(v)}"' for n, v in zip(names, values, strict=True))


OTHER = b"other"


def bounded_labels(values: str) -> dict[bytes, bytes]:
    """value -> its label, for the known values of a client-chosen label (and the empty one);
    `labels.get(value, OTHER)` maps everything else to "other"."""
    known = [v.strip().encode() for v in values.split(",") if v.strip()]
    return {v: v for v in (b"", *known)}


class GatewayMetrics:
    def __init__(self, clients: str = "", channels: str = "") -> None:
        # Known values of the client-chosen labels (clientId, channel); the rest are "other".
        self.clients = bounded_labels(clients)
        self.channels = bounded_labels(channels)
        # (method, route, channel, clientId, status) -> count: the original's requests_winkl.
        self.winkl: dict[tuple[bytes, str, bytes, bytes, int], int] = {}
        self.requests: dict[tuple[str, int], int] = {}
        # route -> [bucket counts..., +Inf count], and route -> sum of seconds.
        self.latency: dict[str, list[int]] = {}
        self.latency_sum: dict[str, float] = {}
        self.events: dict[str, int] = {}
        # name -> callable giving a current value (L1 cost, breaker state, ...).
        self.gauges: dict[str, tuple[str, Callable[[], float]]] = {}

    def observe_latency(self, route: str, seconds: float) -> None:
        buckets = self.latency.get(route)
        if buckets is None:
            buckets = self.latency[route] = [0] * (len(LATENCY_BUCKETS) + 1)
            self.latency_sum[route] = 0.0
        buckets[bisect_left(LATENCY_BUCKETS, seconds)] += 1
        self.latency_sum[route] += seconds

    def count(self, event: str, n: int = 1) -> None:
        self.events[event] = self.events.get(event, 0) + n

    def gauge(self, name: str, help_: str, read: Callable[[], float]) -> None:
        self.gauges[name] = (help_, read)

    def render(self) -> bytes:
        out = [
            "# HELP requests_winkl Requests by method, path, channel, client and status.",
            "# TYPE requests_winkl counter",
        ]
        names = ("method", "path", "channel", "clientId", "responseStatus")
        out += [f"requests_winkl{{{_labels(names, k)}}} {v}" for k, v in self.winkl.items()]
        out += [
            "# HELP gateway_requests_total Requests by route and status.",
            "# TYPE gateway_requests_total counter",
        ]
        out += [
            f"gateway_requests_total{{{_labels(('route', 'status'), k)}}} {v}"
            for k, v in self.requests.items()
        ]
        out += [
            "# HELP gateway_request_seconds Time from request head to response end.",
            "# TYPE gateway_request_seconds histogram",
        ]
        for route, buckets in self.latency.items():
            running = 0
            for bound, n in zip((*LATENCY_BUCKETS, "+Inf"), buckets, strict=True):
                running += n
                out.append(
                    f'gateway_request_seconds_bucket{{route="{_escape(route)}",le="{bound}"}}'
                    f" {running}"
                )
            out.append(f'gateway_request_seconds_count{{route="{_escape(route)}"}} {running}')
            out.append(
                f'gateway_request_seconds_sum{{route="{_escape(route)}"}} {self.latency_sum[route]}'
            )
        out += [
            "# HELP gateway_events_total Auth, cache, Redis, identity and upstream events.",
            "# TYPE gateway_events_total counter",
        ]
        out += [f'gateway_events_total{{event="{_escape(k)}"}} {v}' for k, v in self.events.items()]
        for name, (help_, read) in self.gauges.items():
            out += [f"# HELP {name} {help_}", f"# TYPE {name} gauge", f"{name} {read()}"]
        return ("\n".join(out) + "\n").encode()
