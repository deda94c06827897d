"""`coffee consumers`: declares the topology, makes the tables, and runs every kind's consumers
until SIGTERM (then stops consuming, flushes buffers, and exits 0)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal

import aio_pika
import uvloop
from prometheus_client import start_http_server

from coffee.config import SettingsError, setup_logging
from coffee.events.consumers import schema
from coffee.events.consumers.consumer import KindConsumer
from coffee.events.consumers.discards import DiscardCounter
from coffee.events.consumers.health import DatabaseHealth
from coffee.events.consumers.settings import ConsumerSettings, load_settings
from coffee.events.consumers.sinkers import TableWriter
from coffee.events.consumers.topology import Kind, declare, discard_queue, load_topology
from coffee.infra import amqp
from coffee.infra.clickhouse import ClickHouse
from coffee.infra.gc_tuning import freeze_startup_objects

log = logging.getLogger(__name__)


class ConsumerService:
    def __init__(
        self, settings: ConsumerSettings, kinds: list[Kind], clickhouse: ClickHouse
    ) -> None:
        self.settings = settings
        self.kinds = kinds
        self.clickhouse = clickhouse
        self.consumers: list[KindConsumer] = []
        self.connection: aio_pika.abc.AbstractRobustConnection | None = None
        # One client per database, so that one database's slow or failing writes do not queue
        # the others' behind them; embedded chdb is one engine per process, so there they share.
        self.clients = {
            database: clickhouse
            if clickhouse.dsn.startswith("chdb:")
            else ClickHouse(clickhouse.dsn)
            for database in settings.databases
        }
        self.health = DatabaseHealth(self.clients, settings.health_interval_seconds)
        self.discards = DiscardCounter(discard_queue(settings))

    async def start(self) -> None:
        for kind in self.kinds:
            cluster = self.settings.clickhouse_cluster
            await self.clickhouse.command(schema.create_database(kind.database, cluster))
            for ddl in schema.create_events_table(kind.database, kind.table, cluster):
                await self.clickhouse.command(ddl)
        self.connection = await amqp.connect(self.settings.amqp_url, timeout=10.0)
        setup = await self.connection.channel()
        for kind in self.kinds:
            await declare(setup, kind, self.settings)
        await setup.close()
        if self.kinds:  # the discard queue is declared with the kinds' dead-letter queues
            await self.discards.start(self.connection)
        self.health.start()
        for kind in self.kinds:
            writer = TableWriter(self.clients[kind.database], kind, self.settings)
            consumer = KindConsumer(kind, writer, self.settings, self.health)
            await consumer.start(self.connection)
            self.consumers.append(consumer)
        log.info("consumers: %d kinds running", len(self.consumers))

    async def stop(self) -> None:
        await self.health.close()
        # Every kind at once, each within the same deadline: one kind's stuck flush does not
        # hold the others' (nor the exit) behind it.
        seconds = self.settings.shutdown_seconds
        await asyncio.gather(*(consumer.close(seconds) for consumer in self.consumers))
        await self.discards.close()
        if self.connection is not None:
            await self.connection.close()
        for client in set(self.clients.values()) - {self.clickhouse}:
            client.close()


async def _serve(settings: ConsumerSettings) -> None:
    kinds = load_topology(settings.topology_path, settings)
    service = ConsumerService(settings, kinds, ClickHouse(settings.clickhouse_dsn))
    await service.start()
    freeze_startup_objects()
    # /metrics opens once the topology is declared: `coffee up` takes the open port as ready.
    if settings.consumer_metrics_port:
        start_http_server(settings.consumer_metrics_port)
    # After start: chdb's engine installs its own signal handlers on its first query, and ours
    # must win so that SIGTERM flushes the buffers instead of killing the process.
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    await stopping.wait()
    await service.stop()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="coffee consumers", description=__doc__)
    parser.parse_args(argv)
    try:
        setup_logging()
        settings = load_settings()
    except SettingsError as exc:
        print(f"coffee consumers: {exc}")
        return 2
    uvloop.run(_serve(settings))
    return 0
