"""The one way an event exchange is declared, shared by the intake (which publishes to it) and
the consumers (which bind to it), so both declare it alike (RabbitMQ refuses a redeclaration
with other arguments).

Each event exchange has an alternate exchange, `<name>.unrouted`, with a durable queue of the
same name: a message no queue is bound for yet (consumers not started, a kind not configured)
is kept there instead of being dropped by the broker after it was confirmed.
"""

from __future__ import annotations

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange


def unrouted_name(exchange: str) -> str:
    return f"{exchange}.unrouted"


async def declare_event_exchange(channel: AbstractChannel, name: str) -> AbstractExchange:
    unrouted = unrouted_name(name)
    fallback = await channel.declare_exchange(unrouted, aio_pika.ExchangeType.FANOUT, durable=True)
    queue = await channel.declare_queue(unrouted, durable=True)
    await queue.bind(fallback)
    return await channel.declare_exchange(
        name,
        aio_pika.ExchangeType.TOPIC,
        durable=True,
        arguments={"alternate-exchange": unrouted},
    )
