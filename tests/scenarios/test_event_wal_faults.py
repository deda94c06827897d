"""Event intake when the write-ahead log's disk fills up while the broker is away (issue 19
item 2): clients get the retryable UNAVAILABLE with a clear message, never UNKNOWN; nothing
accepted is lost; once the broker is back the log drains, space frees and batches flow again."""

from __future__ import annotations

import time

import grpc
import pytest

from tests.conftest import require_port
from tests.scenarios.test_event_intake import server_behind
from tests.support.events_harness import event_batch, unique
from tests.support.faultproxy import FaultProxy
from tests.support.tmpfs import small_tmpfs


@pytest.fixture(autouse=True)
def rabbitmq():
    require_port("RabbitMQ", "127.0.0.1", 5672)


def test_a_full_disk_under_the_log_is_a_retryable_refusal_and_recovers():
    exchange = unique("coffee_test_wal_full")
    with (
        small_tmpfs("256k") as wal_dir,
        FaultProxy(("127.0.0.1", 5672)) as proxy,
        server_behind(proxy, exchange, wal_dir) as (queue, srv),
    ):
        stub = srv.stub()
        assert stub.dispatch(event_batch(["warm"]), timeout=10).status == "SUCCESS"
        proxy.cut()
        accepted = ["warm"]
        refusal = None
        for round_ in range(200):
            ids = [f"r{round_}-{i}-{'p' * 40}" for i in range(100)]
            try:
                stub.dispatch(event_batch(ids), timeout=15)
            except grpc.RpcError as exc:
                refusal = exc
                break
            accepted.extend(ids)
        assert refusal is not None, "the small disk filled up"
        assert refusal.code() == grpc.StatusCode.UNAVAILABLE, refusal
        assert "No space left on device" in refusal.details()
        assert int(dict(refusal.trailing_metadata())["grpc-retry-pushback-ms"]) > 0
        wal = srv.server.wal
        assert wal.size == wal.path.stat().st_size
        assert len(accepted) > 1 and len(list(wal.records())) == srv.server.publisher.logged
        proxy.restore()
        deadline = time.monotonic() + 30
        while wal.size and time.monotonic() < deadline:
            time.sleep(0.05)
        assert wal.size == 0, "the log drained once the broker came back"
        assert stub.dispatch(event_batch(["after"]), timeout=10).status == "SUCCESS"
        received = queue.event_ids_until(len(accepted) + 1, timeout=30)
        assert received == [*accepted, "after"], "every accepted event, once, in order"


def test_new_batches_do_not_wait_behind_a_long_replay(tmp_path):
    # Issue 19 item 5: the replay held the order lock for its whole pass, so a batch arriving
    # meanwhile waited until the log was empty. Now it is appended behind the replay's reading
    # point and answered at once; the replay then reaches it, in order.
    exchange = unique("coffee_test_wal_replay")
    with (
        FaultProxy(("127.0.0.1", 5672)) as proxy,
        server_behind(proxy, exchange, str(tmp_path), event_publish_timeout=5.0) as (queue, srv),
    ):
        stub = srv.stub()
        assert stub.dispatch(event_batch(["warm"]), timeout=10).status == "SUCCESS"
        proxy.cut()
        sent = ["warm"]
        for round_ in range(12):
            ids = [f"r{round_}"]
            assert stub.dispatch(event_batch(ids), timeout=15).status == "SUCCESS"
            sent.extend(ids)
        logged = srv.server.publisher.logged
        assert logged == 12
        proxy.restore()
        proxy.slow(0.2)  # every confirm now takes a while: the replay pass is long
        publisher = srv.server.publisher
        while publisher.replayed == 0:
            time.sleep(0.01)
        assert stub.dispatch(event_batch(["during"]), timeout=60).status == "SUCCESS"
        assert publisher.replayed < logged, "answered while the replay was still going"
        sent.append("during")
        proxy.restore()
        assert queue.event_ids_until(len(sent), timeout=60) == sent
