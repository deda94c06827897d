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
from aio_pika.abc import AbstractChannel, AbstractExchange
from aiormq.exceptions import ChannelPreconditionFailed

log = logging.getLogger(__name__)

# Messages an `.unrouted` queue keeps (ops/alerts.yml's UnroutedQueueNearlyFull uses 80% of it).
UNROUTED_MAX_LENGTH = 100_000


def unrouted_name(exchange: str) -> str:
    return f"{exchange}.unrouted"


async def declare_event_exchange(channel: AbstractChannel, name: str) -> AbstractExchange:
    unrouted = unrouted_name(name)
    fallback = await channel.declare_exchange(unrouted, aio_pika.ExchangeType.FANOUT, durable=True)
    try:
        queue = await channel.declare_queue(
            unrouted, durable=True, arguments={"x-max-length": UNROUTED_MAX_LENGTH}
        )
    except ChannelPreconditionFailed:
        # Declared unbounded by an older version: kept as it is (docs/migrating.md).
        log.warning("queue %s exists unbounded; see docs/migrating.md", unrouted)
        await channel.reopen()
        queue = await channel.declare_queue(unrouted, passive=True)
    await queue.bind(fallback)
    try:
        return await channel.declare_exchange(
            name,
            aio_pika.ExchangeType.TOPIC,
            durable=True,
            arguments={"alternate-exchange": unrouted},
        )
    except ChannelPreconditionFailed:
        # An exchange made before (by the original services, or an older version) without the
        # alternate exchange: use it as it is rather than refuse to start, and say so. The
        # broker closed the channel on the refusal; reopen it first.
        log.warning(
            "exchange %s exists without alternate-exchange %s: unroutable messages will be "
            "dropped by the broker until it is redeclared (see docs/migrating.md)",
            name,
            unrouted,
        )
        await channel.reopen()
        return await channel.declare_exchange(name, passive=True)
