"""Per-database health: every second each database the topology names is checked through its
own client (`EXISTS DATABASE`, with a short deadline). A database that fails its check pauses
only the sinkers writing to it (their consumers stop taking messages, RabbitMQ keeps them);
the other databases' sinkers keep writing. When it answers again, they resume by themselves."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from coffee.events.consumers import metrics
from coffee.infra.clickhouse import ClickHouse

log = logging.getLogger(__name__)


class DatabaseHealth:
    def __init__(
        self, clients: dict[str, ClickHouse], interval: float = 1.0, timeout: float = 2.0
    ) -> None:
        self.clients = clients
        self.interval = interval
        self.timeout = timeout
        self._healthy = dict.fromkeys(clients, True)
        self._task: asyncio.Task[None] | None = None

    def healthy(self, database: str) -> bool:
        return self._healthy.get(database, True)

    async def check_once(self) -> None:
        for database, client in self.clients.items():
            try:
                rows = await asyncio.wait_for(
                    client.query(f"EXISTS DATABASE `{database}`"), self.timeout
                )
                ok = bool(rows and int(rows[0][0]) == 1)
            except Exception:  # unreachable, timed out, refused: all mean "do not write now"
                ok = False
            if ok != self._healthy[database]:
                log.warning("ClickHouse database %s is %s", database, "back" if ok else "down")
            self._healthy[database] = ok
            metrics.DATABASE_HEALTHY.labels(database).set(int(ok))

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="clickhouse-health")

    async def _run(self) -> None:
        while True:
            await self.check_once()
            await asyncio.sleep(self.interval)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
