"""Event ingestion: gRPC clients in separate processes send batches of 100 events to one
`coffee events` process (publisher confirms on) for a fixed time; then we count what reached
the queue. In the same run, the raw aio-pika publish-with-confirms rate of the same message to
the same broker is the ceiling (measured half before and half after the service's runs, and
averaged).

Two loads, one after the other, on the same server: h2load (nghttp2's HTTP/2 load generator, in
C, sending the gRPC frames of Dispatch: 2 connections x 8 streams) gives the headline figures;
then the grpcio clients of `run_clients` (2 processes x 8 threads) give `python_clients`. The
two cores are shared by clients, service and broker, and the Python clients spend about 0.45
of a core on their side of the calls, so they measure the load generator as much as the
service, as wrk rather than a Python client drives bench api. h2load does not read gRPC
trailers: a refused batch would count as answered, then as lost, so the check errs against the
service. Rates are over each load's own send window.

Budget (issue 6): lost == 0, events_per_s >= 100,000 and >= 0.4 of the broker ceiling.
Then typed payloads (PageOpenedEvent) in each message format, `current` and `original`
(EVENT_MESSAGE_FORMAT; issue 18), under h2load: reported side by side, no budget for `original`.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

import aio_pika
import grpc
from coffee._native import EventRules
from coffee.infra.event_exchange import declare_event_exchange, unrouted_name

from bench._net import free_port

AMQP = os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")
BATCH = 100


def _batch_bytes(client: int, batch_id: str = "0", typed: bool = False) -> bytes:
    """A batch of BATCH events: generic ones (name + params), or, `typed`, the original's
    typed payloads (PageOpenedEvent), which the `original` message format carries."""
    from coffee.events.proto import events_pb2

    now = str(time.time_ns() // 1_000_000)
    header = events_pb2.Header(bbDeviceId=client + 1, deviceId=f"bench-{client}", clientId="bench")
    events = [
        events_pb2.Event(id=f"{client}-{batch_id}-{i}", timestamp=now, currentURL="/home")
        for i in range(BATCH)
    ]
    for event in events:
        if typed:
            event.pageOpenedEvent.pageQueryId = "home"
        else:
            event.name, event.params = "screen_view", "{}"
    return events_pb2.Events(header=header, events=events).SerializeToString()


class ClientReport(NamedTuple):
    """What one client process did. `started`/`finished` bound its send window on the
    machine's monotonic clock, which all processes share."""

    latencies_ms: list[float]
    accepted: int  # events
    refused: int  # batches
    started: float
    finished: float


def _client(
    port: int,
    seconds: float,
    in_flight: int,
    client: int,
    out,
    unique_ids: bool = False,
    typed: bool = False,
) -> None:
    """One client process: `in_flight` concurrent Dispatch calls for `seconds` (with fresh event
    ids per batch when `unique_ids`, so rows can be counted one per event downstream); puts its
    ClientReport on `out`."""
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    dispatch = channel.unary_unary("/event.EventService/dispatch")
    payload = _batch_bytes(client, typed=typed)
    started = time.monotonic()
    deadline = started + seconds
    latencies: list[float] = []
    accepted = refused = 0

    def loop(worker: int) -> tuple[list[float], int, int]:
        lat, ok, no, seq = [], 0, 0, 0
        while time.monotonic() < deadline:
            body = _batch_bytes(client, f"{worker}-{seq}", typed) if unique_ids else payload
            seq += 1
            start = time.perf_counter()
            try:
                dispatch(body, timeout=30)
                ok += BATCH
                lat.append((time.perf_counter() - start) * 1000)
            except grpc.RpcError:
                no += 1
        return lat, ok, no

    with ThreadPoolExecutor(in_flight) as pool:
        for lat, ok, no in pool.map(loop, range(in_flight)):
            latencies += lat
            accepted += ok
            refused += no
    out.put(ClientReport(latencies, accepted, refused, started, time.monotonic()))


def run_clients(
    port: int, seconds: float, in_flight: int, clients: int, unique_ids: bool, typed: bool = False
) -> list[ClientReport]:
    """Runs `clients` client processes to the end; one report each."""
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [
        ctx.Process(target=_client, args=(port, seconds, in_flight, c, out, unique_ids, typed))
        for c in range(clients)
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join(30)
    return results


async def _declare(exchange: str, queue: str) -> None:
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel()
        ex = await declare_event_exchange(channel, exchange)
        q = await channel.declare_queue(queue, durable=True)
        await q.bind(ex, "#")


async def _events_and_delete(queue: str, exchange: str, count: bool = True) -> int:
    """Deletes the queue and the exchange, after counting (when `count`) the events in the
    queue: the sum of its messages' `x-event-count` (a message carries one batch, or several
    that queued together)."""
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=1000)
        q = await channel.declare_queue(queue, durable=True, passive=True)
        remaining = (q.declaration_result.message_count or 0) if count else 0
        events = 0
        if remaining:
            async with q.iterator(no_ack=True) as messages:
                async for message in messages:
                    events += int((message.headers or {}).get("x-event-count", 0))
                    remaining -= 1
                    if not remaining:
                        break
        await channel.queue_delete(queue)
        await channel.queue_delete(unrouted_name(exchange))
        await channel.exchange_delete(exchange)
        await channel.exchange_delete(unrouted_name(exchange))
        return events


async def _broker_ceiling(body: bytes, seconds: float, in_flight: int) -> float:
    """Messages/s of aio-pika publishing `body` with confirms, `in_flight` at a time."""
    exchange_name, queue_name = (
        f"bench.ceiling.{uuid.uuid4().hex[:8]}",
        f"bench.ceiling.q.{uuid.uuid4().hex[:8]}",
    )
    await _declare(exchange_name, queue_name)
    connection = await aio_pika.connect(AMQP)
    published = 0
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(exchange_name)
        deadline = time.monotonic() + seconds

        async def worker() -> None:
            nonlocal published
            while time.monotonic() < deadline:
                message = aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
                await exchange.publish(message, "GenericEvent")
                published += 1

        start = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(in_flight)))
        elapsed = time.monotonic() - start
    await _events_and_delete(queue_name, exchange_name, count=False)
    return published / elapsed


def _h2load(
    port: int, seconds: float, connections: int, streams: int, typed: bool = False
) -> tuple[list[float], int, float]:
    """Dispatch calls from h2load for `seconds`, `streams` in flight on each of `connections`:
    (latencies ms, events answered, send window s). The body is one batch in gRPC's
    length-prefixed framing."""
    batch = _batch_bytes(0, typed=typed)
    first_start, last_end, latencies = float("inf"), 0, []
    with tempfile.TemporaryDirectory(prefix="coffee-bench-h2load-") as work:
        body, log = os.path.join(work, "batch.grpc"), os.path.join(work, "h2load.log")
        with open(body, "wb") as f:
            f.write(b"\0" + len(batch).to_bytes(4, "big") + batch)
        subprocess.run(
            ["h2load", "-t1", f"-c{connections}", f"-m{streams}", f"-D{seconds:.0f}", "-d", body,
             "-H", "content-type: application/grpc", "-H", "te: trailers", f"--log-file={log}",
             f"http://127.0.0.1:{port}/event.EventService/dispatch"],
            check=True, capture_output=True,
        )  # fmt: skip
        with open(log) as f:
            for line in f:  # start (us since the epoch), HTTP status, duration (us)
                start, status, duration = (int(x) for x in line.split())
                if status == 200:
                    first_start = min(first_start, start)
                    last_end = max(last_end, start + duration)
                    latencies.append(duration / 1000)
    window = (last_end - first_start) / 1e6 if latencies else seconds
    return latencies, len(latencies) * BATCH, window


def _rate(latencies: list[float], events: int, window: float) -> dict[str, Any]:
    latencies = sorted(latencies)
    return {
        "events_per_s": round(events / window),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 1) if latencies else None,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "accepted": events,
    }


@contextlib.contextmanager
def _events_server(exchange: str, progress: Callable[[str], None], **env_extra: str):
    """A `coffee events` process publishing to `exchange`; yields its gRPC port. Its write-ahead
    log is removed after it stops: anything still there never reached the queue, so it
    already counts as lost."""
    port = free_port()
    wal = tempfile.mkdtemp(prefix="coffee-bench-wal-")
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "GIN_PORT": str(free_port()),
        "EVENTS_ADMIN_PORT": str(free_port()),
        "AMQP_URI": AMQP,
        "EVENT_EXCHANGE": exchange,
        "EVENT_WAL_DIR": wal,
        **env_extra,
    }
    progress(f"starting coffee events on port {port} {env_extra or ''}")
    server = subprocess.Popen([sys.executable, "-m", "coffee.cli", "events", "--no-http"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(channel).result(timeout=30)
        time.sleep(0.5)
        yield port
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
        shutil.rmtree(wal, ignore_errors=True)


def _fresh_names() -> tuple[str, str]:
    tag = uuid.uuid4().hex[:8]
    return f"bench.events.{tag}", f"bench.events.q.{tag}"


def _typed_formats(seconds: float, clients: int, in_flight: int, progress) -> dict[str, Any]:
    """Typed payloads (the only events the original format can carry) under h2load, published
    in each message format: our envelope, and the original's protojson."""
    out = {}
    for message_format in ("current", "original"):
        exchange, queue = _fresh_names()
        asyncio.run(_declare(exchange, queue))
        with _events_server(exchange, progress, EVENT_MESSAGE_FORMAT=message_format) as port:
            progress(f"h2load, typed payloads, {message_format} format, {seconds:.0f} s")
            rate = _rate(*_h2load(port, seconds, clients, in_flight, typed=True))
        time.sleep(1.0)
        in_queues = asyncio.run(_events_and_delete(queue, exchange))
        out[message_format] = {**rate, "lost": max(0, rate["accepted"] - in_queues)}
    return out


def run(quick: bool, progress: Callable[[str], None]) -> dict[str, Any]:
    seconds = 5.0 if quick else 20.0
    clients, in_flight = 2, 8
    exchange, queue = _fresh_names()
    # The ceiling is measured in two halves, before and after the service's run, and averaged:
    # this machine's speed drifts by 10-20% within a minute, and one sample on one side of the
    # run made the share swing with it.
    group = EventRules().prepare(_batch_bytes(0), time.time_ns() // 1_000_000).groups[0]
    ceiling_seconds = min(seconds, 10.0) / 2
    progress("broker ceiling (1/2): aio-pika publish with confirms, 64 in flight, same message")
    ceiling_before = asyncio.run(_broker_ceiling(group[1], ceiling_seconds, 64))
    asyncio.run(_declare(exchange, queue))
    with _events_server(exchange, progress) as port:
        # The same concurrency as the grpcio clients: connections x streams = processes x calls.
        progress(f"h2load: {clients} connections x {in_flight} streams, {seconds:.0f} s")
        h2 = _rate(*_h2load(port, seconds, clients, in_flight))
        progress(f"{clients} grpcio client processes x {in_flight} in flight, {seconds:.0f} s")
        results = run_clients(port, seconds, in_flight, clients, unique_ids=False)
        # The rate over the clients' send window, not their processes' start-up (about a second
        # of importing grpc) and exit.
        elapsed = max(r.finished for r in results) - min(r.started for r in results)
        latencies = [lat for r in results for lat in r.latencies_ms]
        py = _rate(latencies, sum(r.accepted for r in results), elapsed)
    accepted = h2["accepted"] + py["accepted"]
    time.sleep(1.0)
    in_queues = asyncio.run(_events_and_delete(queue, exchange))
    progress("broker ceiling (2/2)")
    ceiling_after = asyncio.run(_broker_ceiling(group[1], ceiling_seconds, 64))
    ceiling = (ceiling_before + ceiling_after) / 2 * BATCH
    py["share_of_ceiling"] = round(py["events_per_s"] / ceiling, 3)
    py["refused_batches"] = sum(r.refused for r in results)
    return {
        **h2,
        "accepted": accepted,  # both loads; every one of them must be in the queue
        "in_queues": in_queues,
        "lost": max(0, accepted - in_queues),
        "broker_limit_events_per_s": round(ceiling),
        "share_of_ceiling": round(h2["events_per_s"] / ceiling, 3),
        "message_bytes": len(group[1]),
        "python_clients": py,
        "typed_payloads_by_format": _typed_formats(seconds, clients, in_flight, progress),
    }


def summary(r: dict[str, Any]) -> str:
    py = r["python_clients"]
    return "\n".join(
        [
            "Event ingestion (gRPC load -> coffee events -> RabbitMQ, confirms on)",
            f"  h2load:         events/s {r['events_per_s']:,}  (budget >= 100,000)"
            f"   p50 {r['p50_ms']} ms  p99 {r['p99_ms']} ms  share {r['share_of_ceiling']:.2f}"
            " (budget >= 0.4)",
            f"  grpcio clients: events/s {py['events_per_s']:,}   p50 {py['p50_ms']} ms"
            f"  p99 {py['p99_ms']} ms  share {py['share_of_ceiling']:.2f}"
            f"  refused batches {py['refused_batches']}",
            f"  accepted {r['accepted']:,}  in queues {r['in_queues']:,}  lost {r['lost']}",
            f"  broker ceiling {r['broker_limit_events_per_s']:,} events/s"
            f" ({r['message_bytes']:,}-byte messages)",
            *(
                f"  typed payloads, {fmt} format: events/s {f['events_per_s']:,}"
                f"   p50 {f['p50_ms']} ms  p99 {f['p99_ms']} ms  lost {f['lost']}"
                for fmt, f in r["typed_payloads_by_format"].items()
            ),
        ]
    )
