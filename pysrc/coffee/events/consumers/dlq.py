"""`coffee dlq`: look at dead-lettered events and replay them.

    coffee dlq list                      depth of every dead-letter queue in the topology
    coffee dlq replay <queue> [--limit N] move messages back to the kind's exchange

Replay republishes each message (confirmed) to its original exchange and routing key with the
retry count reset, then acks it in the dead-letter queue: nothing is lost if it stops midway.
"""

from __future__ import annotations

import argparse
import asyncio

import aio_pika

from coffee.events.consumers.consumer import RETRY_HEADER
from coffee.events.consumers.settings import ConsumerSettings, load_settings
from coffee.events.consumers.topology import error_queue, load_topology


async def depths(settings: ConsumerSettings) -> dict[str, int]:
    kinds = load_topology(settings.topology_file, settings)
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        out = {}
        for kind in kinds:
            queue = await channel.declare_queue(error_queue(kind), passive=True)
            out[error_queue(kind)] = queue.declaration_result.message_count
        return out


async def replay(settings: ConsumerSettings, dead_letter_queue: str, limit: int | None) -> int:
    connection = await aio_pika.connect(settings.amqp_url)
    moved = 0
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.declare_queue(dead_letter_queue, passive=True)
        while limit is None or moved < limit:
            message = await queue.get(no_ack=False, fail=False)
            if message is None:
                break
            headers = dict(message.headers or {})
            exchange_name = str(headers.pop("x-original-exchange", ""))
            routing_key = str(headers.pop("x-original-routing-key", ""))
            for key in (RETRY_HEADER, "x-death-reason", "x-last-error"):
                headers.pop(key, None)
            exchange = await channel.get_exchange(exchange_name, ensure=False)
            await exchange.publish(
                aio_pika.Message(
                    message.body,
                    headers=headers,
                    content_type=message.content_type,
                    message_id=message.message_id,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key,
            )
            await message.ack()
            moved += 1
    return moved


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="coffee dlq", description=__doc__)
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("list")
    replay_parser = sub.add_parser("replay")
    replay_parser.add_argument("queue")
    replay_parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)
    settings = load_settings()
    if args.action == "list":
        for name, depth in asyncio.run(depths(settings)).items():
            print(f"{name}\t{depth}")
    else:
        moved = asyncio.run(replay(settings, args.queue, args.limit))
        print(f"replayed {moved} messages from {args.queue}")
    return 0
