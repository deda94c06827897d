"""What tests and benchmarks leave on the shared servers, deleted: on RabbitMQ every kind's
queue, wait queues and dead-letter queue, the exchanges and their `.unrouted` fallbacks; a
PostgreSQL database. Tests that start consumers call it in their teardown: leftover quorum
queues each keep a Raft server running on the shared broker, and a few hundred of them were
seen to starve it."""

from __future__ import annotations

import aio_pika
from coffee.events.consumers.settings import DEFAULT_TOPOLOGY, ConsumerSettings
from coffee.events.consumers.topology import Kind, error_queue, load_topology, retry_queue
from coffee.infra.event_exchange import unrouted_name


def default_kinds(prefix: str) -> list[Kind]:
    return load_topology(str(DEFAULT_TOPOLOGY), ConsumerSettings(name_prefix=prefix))


async def delete_topology(
    amqp_url: str, kinds: list[Kind], prefix: str, retry_limit: int = 2, extra_exchanges=()
) -> None:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        for kind in kinds:
            retries = [retry_queue(kind, n) for n in range(1, retry_limit + 1)]
            for name in (kind.queue, error_queue(kind), *retries):
                await channel.queue_delete(name)
        exchanges = {k.exchange for k in kinds} | set(extra_exchanges)
        exchanges |= {k.error_exchange for k in kinds if k.error_exchange}
        for exchange in exchanges:
            await channel.queue_delete(unrouted_name(exchange))
            for name in (exchange, unrouted_name(exchange)):
                await channel.exchange_delete(name)
        await channel.queue_delete(prefix + "coffee.discarded")
        for name in ("coffee.retry", "coffee.error", "coffee.discarded"):
            await channel.exchange_delete(prefix + name)


async def delete_api_listener_queues(amqp_url: str, exchange: str) -> None:
    """The api's listener queues (`<exchange>___<name>` and their error queues) and exchanges."""
    from coffee.api.listeners import LISTENERS
    from coffee.infra.amqp import error_exchange, queue_name

    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        for name in LISTENERS:
            queue = queue_name(exchange, name)
            for each in (queue, f"{queue}.error"):
                await channel.queue_delete(each)
        for name in (exchange, error_exchange(exchange)):
            await channel.exchange_delete(name)


async def drop_pg_database(name: str, host: str = "127.0.0.1", port: int = 5432) -> None:
    import asyncpg

    conn = await asyncpg.connect(host=host, port=port, user="postgres", database="postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
