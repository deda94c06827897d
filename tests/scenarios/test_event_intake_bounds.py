"""The intake's memory bounds (issue 19 item 11): the queue is bounded by the bytes it holds,
not only by its batch count, and the gRPC server caps concurrent calls."""

from __future__ import annotations

import concurrent.futures

import grpc
import pytest
from coffee.config import MiB
from coffee.events.proto import events_pb2

from tests.conftest import require_port
from tests.scenarios.test_event_intake import server_behind
from tests.support.events_harness import HEADER, NOW_MS, unique
from tests.support.faultproxy import FaultProxy


@pytest.fixture(autouse=True)
def rabbitmq():
    require_port("RabbitMQ", "127.0.0.1", 5672)


def big_batch(tag: str, events: int = 700, param_bytes: int = 1000) -> events_pb2.Events:
    params = '{"p": "%s"}' % ("x" * param_bytes)
    return events_pb2.Events(
        header=HEADER,
        events=[
            events_pb2.Event(id=f"{tag}-{i}", timestamp=str(NOW_MS()), name="click", params=params)
            for i in range(events)
        ],
    )


def dispatch_together(proxy: FaultProxy, stub, batches: list[events_pb2.Events]) -> list:
    """Sends every batch at once while the broker link is slow, then heals the link; returns
    each call's answer or its gRPC error."""

    def send(batch: events_pb2.Events):
        try:
            return stub.dispatch(batch, timeout=60)
        except grpc.RpcError as exc:
            return exc

    proxy.slow(0.5)  # the worker is held up publishing: batches wait in the queue
    with concurrent.futures.ThreadPoolExecutor(len(batches)) as pool:
        results = list(pool.map(send, batches))
        proxy.restore()
    return results


def test_the_queue_is_bounded_by_bytes(tmp_path):
    exchange = unique("coffee_test_queue_bytes")
    with (
        FaultProxy(("127.0.0.1", 5672)) as proxy,
        server_behind(
            proxy,
            exchange,
            str(tmp_path),
            event_worker_pool_size=1,
            event_buffered_channel_size=1000,  # the count bound is far away
            event_queue_max_bytes=MiB,
            event_put_timeout=0.3,
            event_publish_timeout=30.0,
        ) as (_queue, srv),
    ):
        results = dispatch_together(proxy, srv.stub(), [big_batch(f"b{i}") for i in range(6)])
        refused = [r for r in results if isinstance(r, grpc.RpcError)]
        assert refused, "batches past the byte bound were pushed back"
        for exc in refused:
            assert exc.code() == grpc.StatusCode.UNAVAILABLE
            assert "event queue full (bytes)" in exc.details()
        assert srv.server.intake.queued_bytes.used == 0


def test_concurrent_calls_are_capped(tmp_path):
    exchange = unique("coffee_test_rpc_cap")
    with (
        FaultProxy(("127.0.0.1", 5672)) as proxy,
        server_behind(
            proxy,
            exchange,
            str(tmp_path),
            event_max_concurrent_rpcs=2,
            event_publish_timeout=30.0,
        ) as (_queue, srv),
    ):
        batches = [big_batch(f"c{i}", events=5, param_bytes=10) for i in range(8)]
        results = dispatch_together(proxy, srv.stub(), batches)
        refused = [r for r in results if isinstance(r, grpc.RpcError)]
        assert refused and all(r.code() == grpc.StatusCode.RESOURCE_EXHAUSTED for r in refused), (
            refused
        )
        assert len(refused) < 8
