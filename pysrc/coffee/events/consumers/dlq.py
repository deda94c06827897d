"""`coffee dlq`: look at dead-lettered events and replay them.

    coffee dlq list                       depth of every dead-letter queue in the topology
    coffee dlq peek <queue> [--limit N]   the first messages, with reason and error (kept)
    coffee dlq purge <queue> --yes        delete them all (refused without --yes)
    coffee dlq replay <queue> [--limit N] [--to QUEUE] [--transform module:function]
                                          move messages back into the kind's queue only

Replay republishes each message (confirmed) into one queue through the default exchange (so
queues bound with `#` get no second copy) with the retry count reset, optionally rewriting its
body, then acks it in the dead-letter queue: nothing is lost if it stops midway.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
from collections.abc import Callable

import aio_pika

from coffee.events.consumers.consumer import RETRY_HEADER
from coffee.events.consumers.settings import ConsumerSettings, load_settings
from coffee.events.consumers.sinkers import message_key
from coffee.events.consumers.topology import error_queue, load_topology

# Rewrites a dead-lettered message's body before it is replayed (headers may be edited too).
Transform = Callable[[bytes, dict], bytes]


async def depths(settings: ConsumerSettings) -> dict[str, int]:
    kinds = load_topology(settings.topology_path, settings)
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        out = {}
        for kind in kinds:
            queue = await channel.declare_queue(error_queue(kind), passive=True)
            out[error_queue(kind)] = queue.declaration_result.message_count
        return out


def _queue_of(dead_letter_queue: str) -> str:
    """The kind's queue a dead-letter queue belongs to (`error.<queue>`)."""
    return dead_letter_queue.removeprefix("error.")


def load_transform(spec: str) -> Transform:
    """`module:function`, called with (body, headers) and returning the body to replay."""
    module, _, name = spec.partition(":")
    if not module or not name:
        raise ValueError(f"--transform wants module:function, got {spec!r}")
    return getattr(importlib.import_module(module), name)


async def peek(settings: ConsumerSettings, dead_letter_queue: str, limit: int) -> list[dict]:
    """Up to `limit` messages from the head of the queue, left in it (nacked with requeue)."""
    connection = await aio_pika.connect(settings.amqp_url)
    out: list[dict] = []
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(dead_letter_queue, passive=True)
        held = []
        while len(held) < limit:
            message = await queue.get(no_ack=False, fail=False)
            if message is None:
                break
            held.append(message)
            headers = dict(message.headers or {})
            out.append(
                {
                    "message_id": message.message_id,
                    "reason": str(headers.get("x-death-reason", "")),
                    "error": str(headers.get("x-last-error", "")),
                    "routing_key": str(headers.get("x-original-routing-key", "")),
                    "body": message.body[:500].decode("utf-8", "replace"),
                }
            )
        for message in held:  # all held at once, so the same head message is not read twice
            await message.nack(requeue=True)
    return out


async def purge(settings: ConsumerSettings, dead_letter_queue: str) -> int:
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(dead_letter_queue, passive=True)
        result = await queue.purge()
        return int(result.message_count)


async def replay(
    settings: ConsumerSettings,
    dead_letter_queue: str,
    limit: int | None,
    to: str | None = None,
    transform: Transform | None = None,
) -> int:
    """Moves messages back into ONE queue, the kind's (or `to`), through the default exchange:
    queues bound to the original exchange with `#` get no second copy. The original routing
    key stays in `x-original-routing-key`, which the sinker reads the event name from."""
    target = to or _queue_of(dead_letter_queue)
    connection = await aio_pika.connect(settings.amqp_url)
    moved = 0
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.declare_queue(dead_letter_queue, passive=True)
        await channel.declare_queue(target, passive=True)  # fails loudly on a wrong name
        while limit is None or moved < limit:
            message = await queue.get(no_ack=False, fail=False)
            if message is None:
                break
            headers = dict(message.headers or {})
            for key in (RETRY_HEADER, "x-death-reason", "x-last-error"):
                headers.pop(key, None)
            body = message.body if transform is None else transform(message.body, headers)
            await channel.default_exchange.publish(
                aio_pika.Message(
                    body,
                    headers=headers,
                    content_type=message.content_type,
                    # Kept, or (a message sent without one) the id the consumers gave it, so
                    # the replayed rows are the ones a redelivery would have made.
                    message_id=message.message_id or message_key(message),
                    timestamp=message.timestamp,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                target,
            )
            await message.ack()
            moved += 1
    return moved


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="coffee dlq", description=__doc__)
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("list")
    peek_parser = sub.add_parser("peek")
    peek_parser.add_argument("queue")
    peek_parser.add_argument("--limit", type=int, default=10)
    purge_parser = sub.add_parser("purge")
    purge_parser.add_argument("queue")
    purge_parser.add_argument("--yes", action="store_true", help="really delete them")
    replay_parser = sub.add_parser("replay")
    replay_parser.add_argument("queue")
    replay_parser.add_argument("--limit", type=int, default=None)
    replay_parser.add_argument("--to", default=None, help="target queue (default: the kind's)")
    replay_parser.add_argument("--transform", default=None, help="module:function(body, headers)")
    args = parser.parse_args(argv)
    settings = load_settings()
    if args.action == "list":
        for name, depth in asyncio.run(depths(settings)).items():
            print(f"{name}\t{depth}")
    elif args.action == "peek":
        for entry in asyncio.run(peek(settings, args.queue, args.limit)):
            print(json.dumps(entry))
    elif args.action == "purge":
        if not args.yes:
            print(f"coffee dlq purge: this deletes every message in {args.queue}; add --yes")
            return 1
        print(f"purged {asyncio.run(purge(settings, args.queue))} messages from {args.queue}")
    else:
        transform = load_transform(args.transform) if args.transform else None
        moved = asyncio.run(replay(settings, args.queue, args.limit, args.to, transform))
        print(f"replayed {moved} messages from {args.queue}")
    return 0
