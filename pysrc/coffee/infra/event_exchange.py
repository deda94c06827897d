"""The one way an event exchange is declared, shared by the intake (which publishes to it) and
the consumers (which bind to it), so both declare it alike (RabbitMQ refuses a redeclaration
with other arguments).

Each event exchange has an alternate exchange, `<name>.unrouted`, with a durable queue of the
same name: a message no queue is bound for yet (consumers not started, a kind not configured)
is kept there instead of being dropped by the broker after it was confirmed. The queue is bounded
(`UNROUTED_MAX_LENGTH`, the oldest dropped past it) so a kind nobody consumes cannot fill the
broker's disk; ops/alerts.yml raises an alert as soon as it holds anything for a while, and
another well before it is full.
"""

from __future__ import annotations

import logging

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractQueue
from aiormq.exceptions import ChannelPreconditionFailed

log = logging.getLogger(__name__)

# Messages an `.unrouted` queue keeps (ops/alerts.yml's UnroutedQueueNearlyFull uses 80% of it).
UNROUTED_MAX_LENGTH = 100_000


def unrouted_name(exchange: str) -> str:
    return f"{exchange}.unrouted"


async def queue_as_it_is(
    channel: AbstractChannel, name: str, arguments: dict, why: str
) -> AbstractQueue:
    """A durable queue declared with `arguments`; one that already exists with others (the
    original's classic queues, an older version's) is used as it is, with a warning saying
    `why` that matters, instead of refusing to start. The broker closes the channel on the
    refusal, so it is reopened first."""
    try:
        return await channel.declare_queue(name, durable=True, arguments=arguments)
    except ChannelPreconditionFailed:
        log.warning("queue %s exists with other arguments: used as it is; %s", name, why)
        await channel.reopen()
        return await channel.declare_queue(name, passive=True)


async def exchange_as_it_is(
    channel: AbstractChannel,
    name: str,
    kind: aio_pika.ExchangeType,
    why: str,
    arguments: dict | None = None,
) -> AbstractExchange:
    """A durable exchange of `kind`; one that exists with another type or arguments is used as
    it is (see queue_as_it_is)."""
    try:
        return await channel.declare_exchange(name, kind, durable=True, arguments=arguments)
    except ChannelPreconditionFailed:
        log.warning(
            "exchange %s exists with another type or arguments: used as it is; %s", name, why
        )
        await channel.reopen()
        return await channel.declare_exchange(name, passive=True)


async def declare_event_exchange(channel: AbstractChannel, name: str) -> AbstractExchange:
    unrouted = unrouted_name(name)
    fallback = await channel.declare_exchange(unrouted, aio_pika.ExchangeType.FANOUT, durable=True)
    # Declared unbounded by an older version: kept as it is (docs/migrating.md).
    queue = await queue_as_it_is(
        channel, unrouted, {"x-max-length": UNROUTED_MAX_LENGTH}, "it stays unbounded"
    )
    await queue.bind(fallback)
    # An exchange made before (by the original services, or an older version) without the
    # alternate exchange is used as it is rather than refusing to start.
    return await exchange_as_it_is(
        channel,
        name,
        aio_pika.ExchangeType.TOPIC,
        f"unroutable messages are dropped by the broker, not kept in {unrouted}, until it is "
        "redeclared (see docs/migrating.md)",
        arguments={"alternate-exchange": unrouted},
    )
