"""The consumer topology: which queue feeds which table, read from a TOML file and declared on
the broker at start (idempotently). Retries and dead letters are topology, not loops:

- main queue `<queue>` bound to `<exchange>` with `<routing_key>` (quorum when enabled);
- retry: exchange `coffee.retry` -> wait queue `<queue>.retry.<n>` (TTL = the n-th delay) that
  dead-letters back into `<queue>` through the default exchange (quorum, at-least-once
  dead-lettering, when quorum queues are on);
- dead letters: exchange `coffee.error` -> queue `error.<queue>` (routing key `error.<queue>`,
  as the original), with a TTL and a maximum length; what the broker drops from it (expired,
  or the oldest past the maximum length) is dead-lettered once more, to the fanout exchange
  `coffee.discarded` and its queue of the same name, where the consumers count it
  (discards.py) instead of it vanishing.
"""

from __future__ import annotations

import logging
import tomllib
from typing import Annotated, Literal

import aio_pika
import msgspec
from aio_pika.abc import AbstractChannel
from msgspec import Meta

from coffee.events.consumers.settings import ConsumerSettings
from coffee.infra.event_exchange import declare_event_exchange, exchange_as_it_is, queue_as_it_is

RETRY_EXCHANGE = "coffee.retry"
ERROR_EXCHANGE = "coffee.error"
DISCARD_EXCHANGE = "coffee.discarded"

log = logging.getLogger(__name__)


class Kind(msgspec.Struct, frozen=True, kw_only=True):
    queue: str
    exchange: str
    # "topic": an event exchange (declared with its alternate exchange, as the intake does);
    # "direct": a direct exchange another service declares and publishes to (the api's coffee.dx).
    exchange_type: Literal["topic", "direct"] = "topic"
    routing_key: str
    sinker: Literal["direct", "buffered"] = "direct"
    # "envelope": the event intake's batches (one row per event); "document": a JSON object per
    # message (webhooks, the api's outbox, crawler logs), one row per object.
    format: Literal["envelope", "document"] = "envelope"
    database: str
    table: str
    consumers: Annotated[int, Meta(ge=1, le=20)] = 2
    prefetch: Annotated[int, Meta(ge=1)] = 1
    flush_rows: Annotated[int, Meta(ge=1)] = 100
    flush_seconds: Annotated[float, Meta(gt=0)] = 60.0
    # The original's per-queue error exchange and routing key (RABBIT_TOPOLOGY=original): dead
    # letters go there, and `error.<queue>` is bound to it. Unset: `coffee.error`.
    error_exchange: str = ""
    error_routing_key: str = ""

    def dead_letter_route(self, prefix: str) -> tuple[str, str]:
        """(exchange, routing key) of this kind's dead letters."""
        if self.error_exchange:
            return self.error_exchange, self.error_routing_key or error_queue(self)
        return prefix + ERROR_EXCHANGE, error_queue(self)


class Topology(msgspec.Struct, frozen=True):
    kind: list[Kind]


def load_topology(path: str, settings: ConsumerSettings) -> list[Kind]:
    with open(path, "rb") as f:
        topology = msgspec.convert(tomllib.load(f), Topology)
    for kind in topology.kind:
        if kind.database not in settings.databases:
            raise ValueError(
                f"kind {kind.queue!r} names database {kind.database!r}, "
                f"not in CLICKHOUSE_DB_NAMES={settings.clickhouse_db_names!r}"
            )
    limit = settings.scrape_log_buffer_limit
    kinds = [
        msgspec.structs.replace(k, flush_rows=limit, prefetch=max(k.prefetch, limit))
        if limit and k.sinker == "buffered"
        else k
        for k in topology.kind
    ]
    return [prefixed(k, settings.name_prefix) for k in kinds]


def prefixed(kind: Kind, prefix: str) -> Kind:
    if not prefix:
        return kind
    return msgspec.structs.replace(
        kind,
        queue=prefix + kind.queue,
        exchange=prefix + kind.exchange,
        error_exchange=prefix + kind.error_exchange if kind.error_exchange else "",
    )


def retry_queue(kind: Kind, attempt: int) -> str:
    return f"{kind.queue}.retry.{attempt}"


def error_queue(kind: Kind) -> str:
    return f"error.{kind.queue}"


def discard_queue(settings: ConsumerSettings) -> str:
    """The one queue the broker's discards from every dead-letter queue go to, to be counted."""
    return settings.name_prefix + DISCARD_EXCHANGE


async def declare(channel: AbstractChannel, kind: Kind, settings: ConsumerSettings) -> None:
    prefix = settings.name_prefix
    durable_args = {"x-queue-type": "quorum"} if settings.quorum_queues else {}
    if kind.exchange_type == "direct":
        exchange = await exchange_as_it_is(
            channel, kind.exchange, aio_pika.ExchangeType.DIRECT, "another service declares it"
        )
    else:
        exchange = await declare_event_exchange(channel, kind.exchange)
    # The original's classic queues (declared without arguments) are consumed as they are:
    # never PRECONDITION_FAILED at start. QUORUM_QUEUES=false declares new ones as it did.
    queue = await queue_as_it_is(
        channel, kind.queue, durable_args, "its retries and dead letters are ours all the same"
    )
    await queue.bind(exchange, kind.routing_key)

    retry = await channel.declare_exchange(
        prefix + RETRY_EXCHANGE, aio_pika.ExchangeType.DIRECT, durable=True
    )
    delays = settings.delays
    # Quorum wait queues keep their messages through a broker restart and dead-letter back
    # at least once (a classic queue's dead-lettering is at most once: a message expiring
    # while the main queue is unavailable is lost); at-least-once needs reject-publish.
    wait_args = (
        {
            "x-queue-type": "quorum",
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        }
        if settings.quorum_queues
        else {}
    )
    for attempt in range(1, settings.retry_limit + 1):
        delay = delays[min(attempt, len(delays)) - 1]  # the last delay repeats
        wait = await channel.declare_queue(
            retry_queue(kind, attempt),
            durable=True,
            arguments={
                **wait_args,
                "x-message-ttl": int(delay * 1000),
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": kind.queue,
            },
        )
        await wait.bind(retry, retry_queue(kind, attempt))

    error_exchange, error_key = kind.dead_letter_route(prefix)
    errors = await exchange_as_it_is(
        channel, error_exchange, aio_pika.ExchangeType.DIRECT, "dead letters are routed to it"
    )
    discards = await channel.declare_exchange(
        discard_queue(settings), aio_pika.ExchangeType.FANOUT, durable=True
    )
    counted = await channel.declare_queue(
        discard_queue(settings), durable=True, arguments=durable_args
    )
    await counted.bind(discards)
    # One declared before discards were counted (other arguments) is used as it is;
    # docs/migrating.md says how to redeclare it.
    dead = await queue_as_it_is(
        channel,
        error_queue(kind),
        {
            **durable_args,
            "x-message-ttl": settings.dead_letter_ttl_seconds * 1000,
            "x-max-length": settings.dead_letter_max_length,
            "x-dead-letter-exchange": discard_queue(settings),
        },
        "what it drops is not counted until it is redeclared (see docs/migrating.md)",
    )
    await dead.bind(errors, error_key)
