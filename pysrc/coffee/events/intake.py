"""Dispatch: validate and correct a batch in the native core, queue it for the publishing
workers (bounded: a full queue is an explicit, retryable refusal), and answer OK only once
every message of the batch is durable (confirmed by RabbitMQ or in the write-ahead log)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from dataclasses import dataclass, field

import grpc

from coffee._native import EventRules
from coffee.events import metrics, original_wire
from coffee.events.proto import events_pb2
from coffee.events.settings import EventSettings
from coffee.infra.bounded_queue import ByteBudget, put_within
from coffee.infra.durable_publisher import DurablePublisher, WalFull

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
GENERIC_ROUTING_KEY = "GenericEvent"


class WorkerStopped(Exception):
    """The worker publishing a batch was stopped (cancelled) before the batch was durable."""


@dataclass
class Job:
    groups: list[tuple[str, bytes, int]]
    done: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    size: int = 0  # the bytes it holds in the queue (its bodies)


def in_original_format(groups: list[tuple[str, bytes, int]]) -> list[tuple[str, bytes, int]]:
    """The groups as the original producer published them. What the original format cannot
    carry stays in ours, never lost: our generic events (`GenericEvent`), and a group with a
    payload whose bytes do not decode as its message (counted)."""
    out = []
    for key, body, count in groups:
        if key != GENERIC_ROUTING_KEY:
            try:
                body = original_wire.to_original(body)
            except original_wire.NoOriginalForm:
                metrics.KEPT_IN_CURRENT_FORMAT.labels(key).inc()
        out.append((key, body, count))
    return out


def coalesce(jobs: list[Job]) -> list[tuple[str, bytes, int]]:
    """The jobs' groups, one per routing key, in the order the jobs came: a key that only one
    job has keeps that job's envelope as it is; several envelopes of one key become a JSON array
    of them (the consumers read either)."""
    if len(jobs) == 1:
        return jobs[0].groups
    merged: dict[str, tuple[list[bytes], list[int]]] = {}
    for job in jobs:
        for routing_key, body, count in job.groups:
            bodies, counts = merged.setdefault(routing_key, ([], []))
            bodies.append(body)
            counts.append(count)
    return [
        (key, bodies[0] if len(bodies) == 1 else b"[" + b",".join(bodies) + b"]", sum(counts))
        for key, (bodies, counts) in merged.items()
    ]


@functools.lru_cache(maxsize=256)
def _all_accepted(accepted: int) -> bytes:
    """The answer to a batch without rejections: the same bytes for every batch of one size,
    so they are made once (clients send batches of a few usual sizes)."""
    return events_pb2.Response(
        status="SUCCESS", message=f"accepted {accepted}", accepted=accepted
    ).SerializeToString()


def _with_rejections(prepared) -> bytes:
    """The answer to a batch with rejections: SUCCESS while any event was accepted."""
    rejections = [
        events_pb2.Rejection(index=index, eventId=event_id, reason=reason)
        for index, event_id, reason in prepared.rejected
    ]
    if prepared.accepted:
        status = "SUCCESS"
        message = f"accepted {prepared.accepted}, rejected {len(rejections)}"
    else:
        status, message = "ERROR", f"all {len(rejections)} events rejected"
    return events_pb2.Response(
        status=status, message=message, rejections=rejections, accepted=prepared.accepted
    ).SerializeToString()


class Intake:
    def __init__(self, settings: EventSettings, publisher: DurablePublisher) -> None:
        self.settings = settings
        self.publisher = publisher
        self.rules = EventRules(
            future_tolerance_ms=settings.event_future_tolerance_ms,
            skew_threshold_ms=settings.event_skew_threshold_ms,
            max_events=settings.event_max_batch,
        )
        self.queue: asyncio.Queue[Job] = asyncio.Queue(settings.event_buffered_channel_size)
        self.queued_bytes = ByteBudget(settings.event_queue_max_bytes)
        self.accepting = True
        self._workers: set[asyncio.Task[None]] = set()
        self.replaced = 0  # workers that died (a bug, a cancel) and were replaced
        self._draining = False
        self.original_format = settings.event_message_format == "original"

    def start(self) -> None:
        # Read when scraped, not set per batch: nothing on the hot path, and never stale while
        # the workers are stuck on a slow broker (when the depth matters most).
        metrics.QUEUE_DEPTH.set_function(self.queue.qsize)
        metrics.QUEUE_BYTES.set_function(lambda: self.queued_bytes.used)
        metrics.WAL_BYTES.set_function(lambda: self.publisher.wal.size)
        for _ in range(self.settings.event_worker_pool_size):
            self._spawn()

    def _spawn(self) -> None:
        task = asyncio.create_task(self._work(), name="event-worker")
        self._workers.add(task)
        task.add_done_callback(self._on_worker_exit)

    def _on_worker_exit(self, task: asyncio.Task[None]) -> None:
        """A worker that ends while the intake runs (any exception, or a cancel: both are
        BaseException, which the worker lets through) is replaced at once: the pool never
        shrinks, as the webhooks' never does."""
        self._workers.discard(task)
        if self._draining:
            return
        if not task.cancelled() and task.exception() is not None:
            log.error("event worker died", exc_info=task.exception())
        else:
            log.error("event worker was cancelled while the intake runs")
        self.replaced += 1
        self._spawn()

    async def dispatch(self, request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        if not self.accepting:
            await context.abort(grpc.StatusCode.UNAVAILABLE, "shutting down; retry on another node")
        received_ms = time.time_ns() // 1_000_000
        try:
            prepared = self.rules.prepare(request, received_ms)
        except ValueError as exc:
            metrics.BATCHES_REFUSED.labels("invalid").inc()
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        metrics.EVENTS_RECEIVED.inc(prepared.accepted + len(prepared.rejected))
        for _, _, reason in prepared.rejected:
            metrics.EVENTS_REJECTED.labels(reason).inc()
        if prepared.groups:
            groups = prepared.groups
            if self.original_format:
                groups = in_original_format(groups)
            await self._make_durable(groups, context)
        metrics.EVENTS_ACCEPTED.inc(prepared.accepted)
        if prepared.corrected:
            metrics.EVENTS_CORRECTED.inc(prepared.corrected)
        if not prepared.rejected:
            return _all_accepted(prepared.accepted)
        return _with_rejections(prepared)

    async def _make_durable(self, groups: list[tuple[str, bytes, int]], context) -> None:
        job = Job(groups, size=sum(len(body) for _, body, _ in groups))
        try:
            await self.queued_bytes.take_within(job.size, self.settings.event_put_timeout)
        except TimeoutError:
            metrics.BATCHES_REFUSED.labels("queue_bytes_full").inc()
            await self._push_back(context, "event queue full (bytes)")
        try:
            await put_within(self.queue, job, self.settings.event_put_timeout)
        except TimeoutError:
            self.queued_bytes.give_back(job.size)
            metrics.BATCHES_REFUSED.labels("queue_full").inc()
            await self._push_back(context, "event queue full")
        except BaseException:  # the client gave up while waiting for room: not queued
            self.queued_bytes.give_back(job.size)
            raise
        try:
            # A cancelled RPC cancels only this wait; the worker publishes the batch regardless.
            await job.done
        except WalFull as exc:  # at its bound, disk full or a write error: all retryable
            metrics.BATCHES_REFUSED.labels("wal_full").inc()
            await self._push_back(context, f"broker away and {exc}")
        except WorkerStopped as exc:
            metrics.BATCHES_REFUSED.labels("worker_stopped").inc()
            await self._push_back(context, f"publishing worker {exc}")

    async def _push_back(self, context, why: str) -> None:
        pushback_ms = int(self.settings.event_put_timeout * 1000)
        context.set_trailing_metadata((("grpc-retry-pushback-ms", str(pushback_ms)),))
        await context.abort(grpc.StatusCode.UNAVAILABLE, f"{why}; retry in {pushback_ms} ms")

    async def _work(self) -> None:
        while True:
            jobs = [await self.queue.get()]
            # Batches already waiting go out with this one, one message per routing key: the
            # broker's and the publisher's work is mostly per message, not per byte.
            while len(jobs) < self.settings.event_coalesce_batches and not self.queue.empty():
                jobs.append(self.queue.get_nowait())
            try:
                # The original format is one batch per message: its consumers read no arrays.
                groups = (
                    [group for job in jobs for group in job.groups]
                    if self.original_format
                    else coalesce(jobs)
                )
                for routing_key, body, count in groups:
                    headers = {"x-schema-version": SCHEMA_VERSION, "x-event-count": count}
                    outcome = await self.publisher.publish(routing_key, body, headers)
                    metrics.PUBLISHED.labels(outcome).inc()
                for job in jobs:
                    if not job.done.done():
                        job.done.set_result(None)
            except Exception as exc:  # WalFull, or a bug: the clients must not get OK
                for job in jobs:
                    if not job.done.done():
                        job.done.set_exception(exc)
                if not isinstance(exc, WalFull):
                    log.exception("publishing a batch failed")
            except BaseException:  # cancelled mid-publish: answer the clients, then go
                for job in jobs:
                    if not job.done.done():
                        job.done.set_exception(WorkerStopped("stopped before it was durable"))
                raise
            finally:
                for job in jobs:
                    self.queued_bytes.give_back(job.size)
                    self.queue.task_done()

    async def drain(self, timeout: float) -> None:
        """Stops accepting and waits for queued batches to become durable."""
        self.accepting = False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.queue.join(), timeout)
        self._draining = True
        for worker in list(self._workers):
            worker.cancel()
        for worker in list(self._workers):
            with contextlib.suppress(asyncio.CancelledError):
                await worker
