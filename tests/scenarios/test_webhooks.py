"""The HTTP intake of third-party webhooks in `coffee events` (original-interfaces.md, GIN_PORT):
real HTTP over loopback into a real `coffee events` process, real RabbitMQ, and the broker cut
for real by a TCP proxy. A webhook answered 200 is durable: in its queue, or in the source's
write-ahead log until the broker is back."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import aio_pika
import grpc
import pytest
from coffee.events.settings import EventSettings
from coffee.events.webhooks.sources import SOURCES
from coffee.infra.event_exchange import declare_event_exchange, unrouted_name
from grpc_health.v1 import health_pb2, health_pb2_grpc

from bench._net import free_port
from tests.conftest import require_port
from tests.support.events_harness import AMQP, unique
from tests.support.faultproxy import FaultProxy

ROUTES = [  # path, body, routing key
    ("/branch/event/", b'{"name": "install", "id": 1}', "INSTALL"),
    ("/vidooly/event/", b'{"name": "video_view", "video": "v1"}', "VIDEO_VIEW"),
    ("/webengage/event/", b'{"eventName": "open"}', "EVENT"),
    ("/webengage/event/users", b'{"userId": "u1"}', "USER_EVENT"),
    ("/shopify/event", b'{"order": 7}', "shopify_events"),
    ("/graphy/event/", b'{"name": "course_bought", "course": "c"}', "COURSE_BOUGHT"),
]


class WebhookIntake:
    """A `coffee events` process whose sources publish to `<prefix><source>` exchanges."""

    def __init__(self, prefix: str, wal_dir: str, amqp: str = AMQP, **settings: str) -> None:
        self.prefix = prefix
        self.port = free_port()
        self.admin_port = free_port()
        self.grpc_port = free_port()
        env = {
            **os.environ, "HOST": "127.0.0.1", "PORT": str(self.grpc_port),
            "GIN_PORT": str(self.port), "AMQP_URI": amqp, "EVENT_EXCHANGE": prefix + "grpc",
            "EVENT_WAL_DIR": wal_dir, "EVENTS_ADMIN_PORT": str(self.admin_port),
            "EVENT_PUBLISH_TIMEOUT": "1", **settings,
        }  # fmt: skip
        for source in SOURCES:
            env[f"{source.name.upper()}_EVENT_EXCHANGE"] = prefix + source.name
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "coffee.cli", "events"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while self.call("/heartbeat/", method="GET")[0] != 200:
            assert self.proc.poll() is None, self.proc.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "the HTTP intake did not start"
            time.sleep(0.1)

    def call(
        self, path: str, body: bytes | None = None, method: str = "POST", admin: bool = False
    ) -> tuple[int, bytes, dict[str, str]]:
        port = self.admin_port if admin else self.port
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", body, method=method)
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), dict(exc.headers)
        except OSError:
            return 0, b"", {}

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)


async def _bind_queues(prefix: str) -> None:
    """One queue per source, bound to every routing key, declared as the consumers would."""
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel()
        for source in SOURCES:
            exchange = await declare_event_exchange(channel, prefix + source.name)
            queue = await channel.declare_queue(prefix + source.name + ".q", durable=True)
            await queue.bind(exchange, "#")


async def _drain(prefix: str) -> dict[str, list[aio_pika.abc.AbstractIncomingMessage]]:
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel()
        out = {}
        for source in SOURCES:
            queue = await channel.declare_queue(prefix + source.name + ".q", passive=True)
            messages = []
            while (message := await queue.get(no_ack=True, fail=False)) is not None:
                messages.append(message)
            out[source.name] = messages
        return out


async def _delete(prefix: str) -> None:
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel()
        for name in [prefix + s.name for s in SOURCES] + [prefix + "grpc"]:
            for queue in (name + ".q", unrouted_name(name)):
                await channel.queue_delete(queue)
            for exchange in (name, unrouted_name(name)):
                await channel.exchange_delete(exchange)


@pytest.fixture
def prefix():
    require_port("RabbitMQ", "127.0.0.1", 5672)
    prefix = unique("coffee_test_webhooks") + "."
    asyncio.run(_bind_queues(prefix))
    yield prefix
    asyncio.run(_delete(prefix))


def test_every_route_publishes_its_body_with_the_contract_routing_key_and_headers(prefix, tmp_path):
    intake = WebhookIntake(prefix, str(tmp_path))
    try:
        for path, body, _ in ROUTES:
            status, answer, _ = intake.call(path, body)
            assert (status, answer) == (200, b'{"status":"SUCCESS"}'), path
        metrics = intake.call("/metrics", method="GET", admin=True)[1].decode()
        assert 'coffee_webhooks_accepted_total{outcome="confirmed",source="branch"} 1.0' in metrics
        intake.proc.send_signal(signal.SIGTERM)
        assert intake.proc.wait(30) == 0
    finally:
        intake.stop()
    received = asyncio.run(_drain(prefix))
    for path, body, routing_key in ROUTES:
        source = path.split("/")[1]
        matching = [m for m in received[source] if m.body == body]
        assert len(matching) == 1, (path, received[source])
        message = matching[0]
        assert message.routing_key == routing_key
        assert message.headers["x-source"] == source
        assert isinstance(message.headers["x-received-at"], int)
        assert len(message.message_id or "") == 32
        assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT


def test_bad_requests_get_clear_errors_and_the_intake_keeps_serving(prefix, tmp_path):
    intake = WebhookIntake(prefix, str(tmp_path), WEBHOOK_MAX_BODY_BYTES="1024")
    try:
        cases = [
            ("/shopify/event/", b"{not json", "POST", 400),
            ("/shopify/event/", b"[1, 2]", "POST", 400),
            ("/branch/event/", b'{"id": 1}', "POST", 400),  # branch routes by `name`
            ("/graphy/event/", b'{"pad": "' + b"x" * 2000 + b'"}', "POST", 413),
            ("/nowhere/event/", b"{}", "POST", 404),
            ("/vidooly/event/", None, "GET", 405),
        ]
        for path, body, method, expected in cases:
            status, answer, _ = intake.call(path, body, method)
            assert status == expected, (path, answer)
            assert b'"status":"ERROR"' in answer and b'"message"' in answer
        assert intake.call("/vidooly/event/", b'{"name": "ok"}')[0] == 200
        assert intake.proc.poll() is None
    finally:
        intake.stop()
    received = asyncio.run(_drain(prefix))
    assert sum(len(m) for m in received.values()) == 1, "only the good webhook was published"


def test_accepted_webhooks_survive_a_broker_outage_and_a_full_log_pushes_back(prefix, tmp_path):
    with FaultProxy(("127.0.0.1", 5672)) as proxy:
        amqp = f"amqp://guest:guest@127.0.0.1:{proxy.port}/"
        intake = WebhookIntake(prefix, str(tmp_path), amqp, WEBHOOK_WAL_MAX_BYTES=str(1 << 20))
        try:
            proxy.cut()
            big = b'{"name": "bulk", "pad": "' + b"x" * 400_000 + b'"}'
            answers = [intake.call("/branch/event/", big) for _ in range(4)]
            statuses = [a[0] for a in answers]
            # The log (1 MiB) takes two of these; then the source pushes back, explicitly.
            assert statuses[:2] == [200, 200], statuses
            assert 503 in statuses, statuses
            refused = answers[statuses.index(503)]
            assert refused[2].get("retry-after", refused[2].get("Retry-After")), refused
            small = [intake.call("/shopify/event/", b'{"n": %d}' % i)[0] for i in range(3)]
            assert small == [200, 200, 200], "another source's log is its own"
            proxy.restore()
            deadline = time.monotonic() + 30
            while intake.call("/branch/event/", b'{"name": "after"}')[0] != 200:
                assert time.monotonic() < deadline, "the source did not recover"
                time.sleep(0.5)
            time.sleep(2)  # the replay of what the logs held
            intake.proc.send_signal(signal.SIGTERM)
            assert intake.proc.wait(30) == 0
        finally:
            proxy.restore()
            intake.stop()
    received = asyncio.run(_drain(prefix))
    accepted_big = statuses.count(200)
    branch_bodies = [m.body for m in received["branch"]]
    assert branch_bodies.count(big) == accepted_big, "every accepted webhook, once"
    # Published at once or replayed from the log, each has its message id (issue 19).
    messages = [m for source in received.values() for m in source]
    assert all(m.message_id and m.message_id == m.headers["x-message-id"] for m in messages)
    assert sorted(m.body for m in received["shopify"]) == [b'{"n": %d}' % i for i in range(3)]


def test_a_named_source_without_a_name_is_refused_before_it_is_published(prefix, tmp_path):
    """vidooly and graphy route by the event's `name` (the original's rule); a body without one
    has no routing key: 400, and nothing reaches the broker."""
    intake = WebhookIntake(prefix, str(tmp_path))
    try:
        for path in ("/vidooly/event/", "/graphy/event/"):
            status, answer, _ = intake.call(path, b'{"video": "v1"}')
            assert status == 400 and b"name" in answer, (path, answer)
    finally:
        intake.stop()
    assert sum(len(m) for m in asyncio.run(_drain(prefix)).values()) == 0


def test_heartbeat_changes_and_metrics_only_on_the_admin_listener(prefix, tmp_path):
    """Issue 19 (as the api and the gateway): GIN_PORT keeps GET /heartbeat/ for the load
    balancer, but a PUT there is refused and /metrics is not served; EVENTS_ADMIN_PORT (loopback
    by default) changes the heartbeat, which the gRPC health follows, and serves /metrics."""
    assert EventSettings().events_admin_host == "127.0.0.1"
    intake = WebhookIntake(prefix, str(tmp_path))
    health = health_pb2_grpc.HealthStub(grpc.insecure_channel(f"127.0.0.1:{intake.grpc_port}"))

    def serving() -> bool:
        status = health.Check(health_pb2.HealthCheckRequest(), timeout=5).status
        return status == health_pb2.HealthCheckResponse.SERVING

    def until(predicate) -> bool:
        deadline = time.monotonic() + 10
        while not predicate() and time.monotonic() < deadline:
            time.sleep(0.05)
        return predicate()

    try:
        status, body, _ = intake.call("/heartbeat/?beat=false", method="PUT")
        assert status == 403 and b"EVENTS_ADMIN_PORT" in body
        assert intake.call("/heartbeat/", method="GET")[0] == 200 and serving()
        assert intake.call("/metrics", method="GET")[0] == 404
        assert intake.call("/heartbeat/?beat=false", method="PUT", admin=True)[0] == 200
        assert intake.call("/heartbeat/", method="GET")[0] == 410
        assert until(lambda: not serving()), "the gRPC health follows the heartbeat"
        assert intake.call("/heartbeat/?beat=true", method="PUT", admin=True)[0] == 200
        assert intake.call("/heartbeat/", method="GET")[0] == 200
        assert until(serving)
        status, body, _ = intake.call("/metrics", method="GET", admin=True)
        assert status == 200 and b"coffee_events_" in body
    finally:
        intake.stop()
