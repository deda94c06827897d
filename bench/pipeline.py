"""The whole event path: gRPC clients (separate processes) -> `coffee events` -> RabbitMQ ->
`coffee consumers` (a buffered sinker) -> ClickHouse (embedded chdb), for a fixed time; then
the rows are counted once the consumers have drained and stopped. In the same run, the raw
clickhouse-connect insert rate of the same rows into the same engine is the sink's ceiling.

Budget (issue 7): lost == 0, duplicates == 0, events_per_s_end_to_end >= 50,000.
Then typed payloads (PageOpenedEvent) end to end in each message format, `current` and
`original` (EVENT_MESSAGE_FORMAT; issue 18): reported beside it, no budget for `original`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from typing import Any

import aio_pika
import clickhouse_connect
import grpc
from coffee._native import EventRules, RowBatch
from coffee.events.consumers.schema import COLUMNS, create_database, create_events_table

from bench._net import free_port
from bench.ingest import AMQP, run_clients
from tests.support.events_harness import queue_depth

TOPOLOGY = """
[[kind]]
queue = "bench_events_q"
exchange = "grpc_event.tx"
routing_key = "#"
sinker = "buffered"
database = "bench"
table = "events"
consumers = 2
prefetch = 200
flush_rows = 5000
flush_seconds = 1
"""


async def _delete(prefix: str) -> None:
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel()
        queue = prefix + "bench_events_q"
        for name in (queue, f"error.{queue}", f"{queue}.retry.1", f"{queue}.retry.2",
                     prefix + "grpc_event.tx.unrouted", prefix + "coffee.discarded"):  # fmt: skip
            await channel.queue_delete(name)
        for name in ("grpc_event.tx", "grpc_event.tx.unrouted", "coffee.retry", "coffee.error",
                     "coffee.discarded"):  # fmt: skip
            await channel.exchange_delete(prefix + name)


def _sink_ceiling(client: Any, rows_body: bytes, rows_per_body: int, seconds: float) -> float:
    client.command(create_database("ceiling"))
    client.command(create_events_table("ceiling", "events")[0])
    inserted, start = 0, time.monotonic()
    while time.monotonic() - start < seconds:
        client.raw_insert("ceiling.events", COLUMNS, rows_body, fmt="JSONEachRow")
        inserted += rows_per_body
    return inserted / (time.monotonic() - start)


def _end_to_end(
    seconds: float, progress: Callable[[str], None], typed: bool = False, message_format: str = ""
) -> tuple[dict[str, Any], dict[str, str]]:
    """One run of the whole path; (figures, the environment it ran with)."""
    clients, in_flight = 2, 8
    prefix = f"bench_{uuid.uuid4().hex[:8]}."
    work = tempfile.mkdtemp(prefix="coffee-bench-pipeline-")
    topology = os.path.join(work, "topology.toml")
    with open(topology, "w") as f:
        f.write(TOPOLOGY)
    port = free_port()
    env = {
        **os.environ,
        "HOST": "127.0.0.1", "PORT": str(port), "GIN_PORT": str(free_port()),
        "EVENTS_ADMIN_PORT": str(free_port()),
        "AMQP_URI": AMQP, "EVENT_EXCHANGE": prefix + "grpc_event.tx",
        "EVENT_WAL_DIR": os.path.join(work, "wal"),
        "NAME_PREFIX": prefix, "TOPOLOGY_FILE": topology, "CLICKHOUSE_DB_NAMES": "bench",
        "CLICKHOUSE_URL": f"chdb://{os.path.join(work, 'chdb')}",
        "CONSUMER_METRICS_PORT": str(free_port()), "QUORUM_QUEUES": "true",
        **({"EVENT_MESSAGE_FORMAT": message_format} if message_format else {}),
    }  # fmt: skip
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    progress("starting coffee consumers and coffee events")
    consumers = subprocess.Popen(
        [sys.executable, "-m", "coffee.cli", "consumers"], env=env, **quiet
    )
    events = subprocess.Popen(
        [sys.executable, "-m", "coffee.cli", "events", "--no-http"], env=env, **quiet
    )
    try:
        grpc.channel_ready_future(grpc.insecure_channel(f"127.0.0.1:{port}")).result(timeout=30)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the consumers' queue exists once they are ready
            try:
                asyncio.run(queue_depth(prefix + "bench_events_q"))
                break
            except Exception:
                time.sleep(0.5)
        progress(f"{clients} client processes x {in_flight} in flight, {seconds:.0f} s")
        start = time.monotonic()
        results = run_clients(port, seconds, in_flight, clients, unique_ids=True, typed=typed)
        progress("waiting for the consumers to drain the queue")
        while (
            asyncio.run(queue_depth(prefix + "bench_events_q")) > 0
            and time.monotonic() - start < 600
        ):
            time.sleep(0.5)
        time.sleep(2.0)  # the last buffered flush
        # From the first event sent, as bench ingest's rate: not the client processes' start-up
        # (about a second of importing grpc).
        drained = time.monotonic() - min(r.started for r in results)
    finally:
        events.send_signal(signal.SIGTERM)
        events.wait(60)
        consumers.send_signal(signal.SIGTERM)  # flushes its buffer before exiting
        consumers.wait(60)
        asyncio.run(_delete(prefix))
    accepted = sum(r.accepted for r in results)
    progress("counting rows in ClickHouse")
    rows, unique = _count_rows(env["CLICKHOUSE_URL"])
    figures = {
        "events_per_s_end_to_end": round(unique / drained),
        "accepted": accepted,
        "rows": rows,
        "dead_lettered": 0,
        "lost": max(0, accepted - unique),
        "duplicates": rows - unique,
        "seconds_to_drain": round(drained, 1),
    }
    return figures, env


def _count_rows(dsn: str) -> tuple[int, int]:
    """Rows and distinct event ids, read in a process of its own: chdb is one engine per
    process and data directory, and each run has its own directory."""
    script = (
        "import sys, clickhouse_connect\n"
        "c = clickhouse_connect.get_client(dsn=sys.argv[1])\n"
        "print(c.command('SELECT count() FROM bench.events'),"
        " c.command('SELECT uniqExact(event_id) FROM bench.events'))\n"
    )
    out = subprocess.run([sys.executable, "-c", script, dsn], check=True, capture_output=True)
    rows, unique = out.stdout.split()
    return int(rows), int(unique)


def run(quick: bool, progress: Callable[[str], None]) -> dict[str, Any]:
    seconds = 5.0 if quick else 20.0
    result, env = _end_to_end(seconds, progress)
    client = clickhouse_connect.get_client(dsn=env["CLICKHOUSE_URL"])
    try:
        progress("sink ceiling: raw inserts of the same rows, 5,000 per insert")
        batch = RowBatch(flush_rows=5000, capacity_rows=5000)
        now = time.time_ns() // 1_000_000
        from bench.ingest import _batch_bytes

        for i in range(50):
            body = EventRules().prepare(_batch_bytes(0, f"c{i}"), now).groups[0][1]
            batch.add(body, "GenericEvent", now)
        ceiling = _sink_ceiling(client, batch.body(), len(batch), min(seconds, 10.0))
    finally:
        client.close()
        shutil.rmtree(os.path.dirname(env["TOPOLOGY_FILE"]), ignore_errors=True)
    result["sink_limit_rows_per_s"] = round(ceiling)
    # Typed payloads (the original format carries only those) in each message format (issue 18).
    by_format = {}
    for message_format in ("current", "original"):
        progress(f"typed payloads, {message_format} message format")
        figures, env = _end_to_end(seconds, progress, True, message_format)
        shutil.rmtree(os.path.dirname(env["TOPOLOGY_FILE"]), ignore_errors=True)
        by_format[message_format] = figures
    result["typed_payloads_by_format"] = by_format
    return result


def summary(r: dict[str, Any]) -> str:
    return "\n".join(
        [
            "Event pipeline (gRPC -> coffee events -> RabbitMQ -> coffee consumers -> ClickHouse)",
            f"  end to end {r['events_per_s_end_to_end']:,} events/s (budget >= 50,000),"
            f" {r['seconds_to_drain']} s until every row was in",
            f"  accepted {r['accepted']:,}  rows {r['rows']:,}  lost {r['lost']}"
            f"  duplicates {r['duplicates']}",
            f"  sink ceiling (raw inserts, same rows) {r['sink_limit_rows_per_s']:,} rows/s",
            *(
                f"  typed payloads, {fmt} format: {f['events_per_s_end_to_end']:,} events/s"
                f"  lost {f['lost']}  duplicates {f['duplicates']}"
                for fmt, f in r["typed_payloads_by_format"].items()
            ),
        ]
    )
