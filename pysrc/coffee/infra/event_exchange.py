"""The one way an event exchange is declared, shared by the intake (which publishes to it) and
the consumers (which bind to it), so both declare it alike (RabbitMQ refuses a redeclaration
with other arguments).

Each event exchange has an alternate exchange, `<name>.unrouted`, with a durable queue of the
same name: a message no queue is bound for yet (consumers not started, a kind not configured)
is kept there instead of being dropped by the broker after it was confirmed.
"""

from __future__ import annotations

import logging

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange
from aiormq.exceptions import ChannelPreconditionFailed

log = logging.getLogger(__name__)


def unrouted_name(exchange: str) -> str:
    return f"{exchange}.unrouted"


async def declare_event_exchange(channel: AbstractChannel, name: str) -> AbstractExchange:
    unrouted = unrouted_name(name)
    fallback = await channel.declare_exchange(unrouted, aio_pika.ExchangeType.FANOUT, durable=True)
    queue = await channel.declare_queue(unrouted, durable=True)
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
