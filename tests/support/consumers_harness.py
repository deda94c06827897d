"""Consumers under test: a ConsumerService on its own event loop thread, writing into the one
chdb engine this test process owns (chdb is one engine per process and data directory)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time

from coffee.events.consumers.main import ConsumerService
from coffee.events.consumers.settings import ConsumerSettings
from coffee.events.consumers.topology import load_topology
from coffee.infra.clickhouse import ClickHouse

TOPOLOGY = """
[[kind]]
queue = "events_q"
exchange = "{exchange}"
routing_key = "#"
sinker = "direct"
database = "{db_events}"
table = "events"
consumers = 2
prefetch = 1

[[kind]]
queue = "launch_q"
exchange = "{exchange}"
routing_key = "LaunchEvent"
sinker = "buffered"
database = "{db_logs}"
table = "launch_log_events"
consumers = 2
prefetch = 50
flush_rows = 20
flush_seconds = 0.5
"""


class ConsumerThread:
    def __init__(self, settings: ConsumerSettings, clickhouse: ClickHouse) -> None:
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self.kinds = load_topology(settings.topology_path, settings)
        self.service = ConsumerService(settings, self.kinds, clickhouse)
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def run(self, coro, timeout: float = 30):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def __enter__(self) -> ConsumerThread:
        self._thread.start()
        self.run(self.service.start())
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            self.run(self.service.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value
