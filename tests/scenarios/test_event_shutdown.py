"""Scenario 7: a deploy stops `coffee events` mid-load. SIGTERM drains and exits 0; SIGKILL
loses nothing that was answered OK (the write-ahead log is replayed by the next process)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import grpc
import pytest
from coffee.events.proto import events_pb2_grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from bench._net import free_port
from tests.conftest import require_port
from tests.support.events_harness import BoundQueue, event_batch, unique
from tests.support.faultproxy import FaultProxy


class EventsProcess:
    def __init__(self, exchange: str, wal_dir: str, amqp: str, http: bool = False) -> None:
        self.port = free_port()
        env = {
            **os.environ,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "GIN_PORT": str(free_port()),
            "EVENTS_ADMIN_PORT": str(free_port()),
            "AMQP_URI": amqp,
            "EVENT_EXCHANGE": exchange,
            "EVENT_WAL_DIR": wal_dir,
            "EVENT_PUBLISH_TIMEOUT": "1",
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "coffee.cli", "events", *([] if http else ["--no-http"])],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        self._wait_serving()

    def _wait_serving(self, timeout: float = 30) -> None:
        health = health_pb2_grpc.HealthStub(self.channel)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                status = health.Check(health_pb2.HealthCheckRequest(), timeout=1).status
                if status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                pass
            assert self.proc.poll() is None, self.proc.stderr.read().decode()[-2000:]
            time.sleep(0.1)
        raise AssertionError("coffee events did not become healthy")

    def stub(self):
        return events_pb2_grpc.EventServiceStub(self.channel)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)


@pytest.fixture(autouse=True)
def rabbitmq():
    require_port("RabbitMQ", "127.0.0.1", 5672)


def _load(stub, prefix: str, accepted: list[str], stop: threading.Event) -> None:
    i = 0
    while not stop.is_set():
        ids = [f"{prefix}-{i}-{j}" for j in range(10)]
        try:
            if stub.dispatch(event_batch(ids), timeout=10).status == "SUCCESS":
                accepted.extend(ids)
        except grpc.RpcError:
            pass  # refused or cut by the shutdown: the client would retry; not ours to keep
        i += 1


def test_sigterm_mid_load_drains_and_exits_zero(tmp_path):
    exchange = unique("coffee_test_events")
    with BoundQueue(exchange) as queue:
        process = EventsProcess(exchange, str(tmp_path), "amqp://guest:guest@127.0.0.1:5672/")
        try:
            accepted: list[str] = []
            stop = threading.Event()
            loader = threading.Thread(target=_load, args=(process.stub(), "t", accepted, stop))
            loader.start()
            time.sleep(1.0)
            process.proc.send_signal(signal.SIGTERM)
            assert process.proc.wait(30) == 0
            stop.set()
            loader.join(15)
            assert accepted, "load was running when the signal came"
            received = queue.event_ids_until(len(accepted))
            assert set(accepted) <= set(received)
        finally:
            process.stop()


def test_sigkill_loses_nothing_answered_ok(tmp_path):
    exchange = unique("coffee_test_events")
    proxy = FaultProxy(("127.0.0.1", 5672))
    try:
        with BoundQueue(exchange) as queue:
            first = EventsProcess(
                exchange, str(tmp_path), f"amqp://guest:guest@127.0.0.1:{proxy.port}/"
            )
            proxy.cut()  # the broker is away: answers OK come from the write-ahead log
            accepted: list[str] = []
            stub = first.stub()
            for i in range(5):
                ids = [f"k-{i}-{j}" for j in range(10)]
                assert stub.dispatch(event_batch(ids), timeout=10).status == "SUCCESS"
                accepted.extend(ids)
            first.proc.kill()  # SIGKILL: no drain, no goodbye
            first.proc.wait(10)
            second = EventsProcess(exchange, str(tmp_path), "amqp://guest:guest@127.0.0.1:5672/")
            try:
                assert queue.event_ids_until(len(accepted)) == accepted
            finally:
                second.stop()
    finally:
        proxy.close()


def test_sigterm_exits_while_the_broker_accepts_but_never_answers(tmp_path):
    """A starved broker (seen here: out of file descriptors) takes TCP connections and never
    answers the AMQP handshake. Batches go to the write-ahead log, and SIGTERM still stops
    the process (aio-pika's reconnect task of a failed first attempt used to keep it alive)."""
    silent = socket.create_server(("127.0.0.1", 0))  # accepts (backlog), never speaks AMQP
    amqp = f"amqp://guest:guest@127.0.0.1:{silent.getsockname()[1]}/"
    try:
        events = EventsProcess("silent_broker_test", str(tmp_path / "wal"), amqp, http=True)
        try:
            batch = event_batch(["silent-1", "silent-2"])
            assert events.stub().dispatch(batch, timeout=10).accepted == 2  # in the log
            time.sleep(2.5)  # a few reconnect attempts, each left hanging by the broker
            events.proc.send_signal(signal.SIGTERM)
            assert events.proc.wait(30) == 0
        finally:
            events.stop()
    finally:
        silent.close()
