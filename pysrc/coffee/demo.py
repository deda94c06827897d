"""The demo `coffee up` runs once the platform is ready: a burst of client events, good and
bad, through `coffee events` into ClickHouse by way of `coffee consumers`, and what happened.

With the api and the gateway running it also logs in and searches through the gateway on a
paid and on an expired contract (`demo_http.py`).
"""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Callable

import grpc

from coffee.events.consumers.settings import load_settings
from coffee.events.consumers.topology import load_topology
from coffee.events.proto import events_pb2, events_pb2_grpc
from coffee.events.webhooks.sources import SOURCES

DEVICE = events_pb2.Header(bbDeviceId=1001, deviceId="demo-device", userId=1, clientId="demo")


def _scrape(url: str, metric: str) -> float:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            text = response.read().decode()
    except OSError:
        return 0.0
    total = 0.0
    for line in text.splitlines():
        if line.startswith(metric) and not line.startswith("#"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def _events_burst(port: int, say: Callable[[str], None]) -> tuple[int, int, int]:
    stub = events_pb2_grpc.EventServiceStub(grpc.insecure_channel(f"127.0.0.1:{port}"))
    now = time.time_ns() // 1_000_000
    accepted = rejected = corrected = 0
    for round_ in range(20):
        events = [
            events_pb2.Event(id=f"demo-{round_}-{i}", timestamp=str(now), name="screen_view",
                             params='{"screen": "home"}')
            for i in range(45)
        ]  # fmt: skip
        launch = events_pb2.LaunchEvent(dynamicLink="demo")
        events.append(events_pb2.Event(id=f"demo-{round_}-launch", timestamp=str(now),
                                       launchEvent=launch))  # fmt: skip
        events.append(events_pb2.Event(id=f"demo-{round_}-abc", timestamp="abc", name="x"))
        events.append(events_pb2.Event(id=f"demo-{round_}-1e3", timestamp="1e3", name="x"))
        future = str(now + 24 * 3600 * 1000)  # a client clock one day ahead
        events.append(events_pb2.Event(id=f"demo-{round_}-future", timestamp=future, name="x"))
        response = stub.dispatch(events_pb2.Events(header=DEVICE, events=events), timeout=15)
        accepted += response.accepted
        rejected += len(response.rejections)
        say(
            f"events: batch {round_ + 1}/20 {response.status},"
            f" accepted {accepted}, rejected {rejected}"
        )
    corrected = 20  # one future event per batch, clamped by the intake (see its metrics too)
    return accepted, rejected, corrected


WEBHOOKS = [  # path, body: one webhook per route of the HTTP intake
    ("/branch/event/", b'{"name": "install", "demo": true}'),
    ("/vidooly/event/", b'{"name": "video_view", "video": "demo"}'),
    ("/webengage/event/", b'{"eventName": "demo"}'),
    ("/webengage/event/users", b'{"userId": "demo"}'),
    ("/shopify/event/", b'{"order": "demo"}'),
    ("/graphy/event/", b'{"name": "course_view", "course": "demo"}'),
]


def _direct_webhook_queues(env: dict[str, str]) -> list[str]:
    """The consumers' queues that write webhooks at once (the others buffer until their flush
    interval), read from the topology the consumers run."""
    settings = load_settings(env)
    exchanges = {env.get(f"{s.name.upper()}_EVENT_EXCHANGE", s.default_exchange) for s in SOURCES}
    kinds = load_topology(settings.topology_path, settings)
    return [k.queue for k in kinds if k.exchange in exchanges and k.sinker == "direct"]


def _wait_for_rows(
    url: str, queues: list[str], target: float, timeout: float,
    say: Callable[[str], None] | None = None,
) -> float:  # fmt: skip
    """Rows the consumers wrote for `queues` once they reach `target`, or after `timeout`."""
    deadline = time.monotonic() + timeout
    rows = last = 0.0
    while True:
        rows = sum(
            _scrape(url, f'coffee_consumer_rows_written_total{{queue="{q}"}}') for q in queues
        )
        if say is not None and rows != last:
            say(f"consumers: {int(rows)} rows written to ClickHouse so far")
            last = rows
        if rows >= target or time.monotonic() > deadline:
            return rows
        time.sleep(1)


def _webhooks(env: dict[str, str], roles: list[str], say: Callable[[str], None]) -> None:
    gin = f"http://127.0.0.1:{env.get('GIN_PORT', '8018')}"
    accepted = 0
    for path, body in WEBHOOKS:
        request = urllib.request.Request(gin + path, data=body, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                accepted += response.status == 200
        except OSError as exc:
            say(f"webhooks: {path} answered {exc}")
    say(f"webhooks: {accepted} of {len(WEBHOOKS)} accepted")
    if "consumers" not in roles:
        return
    url = f"http://127.0.0.1:{env['CONSUMER_METRICS_PORT']}/metrics"
    queues = _direct_webhook_queues(env)
    rows = _wait_for_rows(url, queues, len(queues), timeout=30)
    say(f"webhooks: {int(rows)} rows in the direct webhook tables (the buffered kinds' rows"
        " arrive when their buffers flush)")  # fmt: skip


def run_demo(env: dict[str, str], roles: list[str], say: Callable[[str], None]) -> None:
    if "events" in roles:
        accepted, rejected, corrected = _events_burst(int(env["PORT"]), say)
        metrics = f"http://127.0.0.1:{env.get('EVENTS_ADMIN_PORT', '9018')}/metrics"
        clamped = _scrape(metrics, "coffee_events_timestamp_corrected_total")
        say(f"events: accepted {accepted}, rejected {rejected} (bad timestamps),"
            f" timestamp-corrected {int(clamped)} (expected {corrected})")  # fmt: skip
        if "consumers" in roles:
            url = f"http://127.0.0.1:{env['CONSUMER_METRICS_PORT']}/metrics"
            # Rows of the events table only: the other kinds (the generic and launch logs) take
            # copies of the same events into their own tables.
            events_queue = env.get("NAME_PREFIX", "") + "grpc_clickhouse_event_q"
            rows = _wait_for_rows(url, [events_queue], accepted, timeout=60, say=say)
            say(
                f"ClickHouse: {int(rows)} rows for {accepted} accepted events in events.events"
                " (copies reach the logs tables of their kinds as those buffers flush, every"
                " 60 s, and on shutdown)"
            )
        _webhooks(env, roles, say)
    if "api" in roles and "gateway" in roles:
        from coffee import demo_http

        api = f"http://127.0.0.1:{env.get('SERVER_PORT', '8000')}"
        gateway = f"http://127.0.0.1:{env.get('PORT_GATEWAY', '8080')}"
        try:
            demo_http.run(api, gateway, env["GATEWAY_SIGNATURE_SECRET"], say)
        except (OSError, RuntimeError, KeyError) as exc:
            say(f"http: demo failed: {exc}")
    for role in ("api", "gateway"):
        if role in roles:
            port = (
                env.get("SERVER_PORT", "8000") if role == "api" else env.get("PORT_GATEWAY", "8080")
            )
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/heartbeat/", timeout=3) as r:
                    say(f"{role}: heartbeat {r.status}")
            except OSError as exc:
                say(f"{role}: heartbeat answered {exc}")
