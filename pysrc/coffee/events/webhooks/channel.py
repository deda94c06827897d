"""One webhook source's path to RabbitMQ: a bounded queue, a pool of publishing workers, and its
own durable publisher and write-ahead log (so a source whose exchange is unreachable, or whose
log is full, pushes back on that source only).

A webhook is answered only once its message is durable (confirmed by RabbitMQ or in the log),
as Dispatch does. A worker that dies is replaced at once, so the pool never shrinks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pathlib
from dataclasses import dataclass, field

from coffee.events import metrics
from coffee.events.webhooks.sources import Source, SourceSettings
from coffee.infra.bounded_queue import put_within
from coffee.infra.durable_publisher import DurablePublisher, WalFull
from coffee.infra.wal import WriteAheadLog

log = logging.getLogger(__name__)


class QueueFull(Exception):
    """The source's queue stayed full for the put timeout."""


class NotPublished(Exception):
    """The process stopped before the message became durable."""


@dataclass
class Job:
    routing_key: str
    body: bytes
    headers: dict[str, str | int]
    done: asyncio.Future[str] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class SourceChannel:
    def __init__(
        self,
        source: Source,
        config: SourceSettings,
        *,
        amqp_url: str,
        wal_dir: str,
        wal_max_bytes: int,
        publish_timeout: float,
    ) -> None:
        self.source = source
        self.config = config
        self.wal = WriteAheadLog(pathlib.Path(wal_dir) / source.name, wal_max_bytes)
        self.publisher = DurablePublisher(
            amqp_url, config.exchange, self.wal, publish_timeout=publish_timeout
        )
        self.queue: asyncio.Queue[Job] = asyncio.Queue(config.buffered_channel_size)
        self.workers: set[asyncio.Task[None]] = set()
        self.replaced = 0
        self._closing = False

    async def start(self) -> None:
        # Read when scraped, as the gRPC intake's gauges are (nothing set per webhook).
        metrics.WEBHOOK_QUEUE_DEPTH.labels(self.source.name).set_function(self.queue.qsize)
        metrics.WEBHOOK_WAL_BYTES.labels(self.source.name).set_function(lambda: self.wal.size)
        await self.publisher.start()  # replays a log left by a previous process
        for _ in range(self.config.worker_pool_size):
            self._spawn()

    def _spawn(self) -> None:
        task = asyncio.create_task(self._work(), name=f"webhook-{self.source.name}")
        self.workers.add(task)
        task.add_done_callback(self._on_worker_exit)

    def _on_worker_exit(self, task: asyncio.Task[None]) -> None:
        self.workers.discard(task)
        if self._closing:
            return
        if not task.cancelled() and task.exception() is not None:
            log.error("webhook worker of %s died", self.source.name, exc_info=task.exception())
        self.replaced += 1
        self._spawn()

    async def submit(self, job: Job, put_timeout: float) -> str:
        """ "confirmed" or "logged" once durable; raises QueueFull, WalFull or NotPublished."""
        try:
            await put_within(self.queue, job, put_timeout)
        except TimeoutError:
            raise QueueFull from None
        if self._closing and not job.done.done():  # queued after the workers were stopped
            job.done.set_exception(NotPublished("shut down before it was durable"))
        # A client that hangs up does not cancel its publish: it was accepted into the queue.
        return await asyncio.shield(job.done)

    async def _work(self) -> None:
        while True:
            job = await self.queue.get()
            try:
                outcome = await self.publisher.publish(job.routing_key, job.body, job.headers)
                if not job.done.done():
                    job.done.set_result(outcome)
            except Exception as exc:  # WalFull, or a bug: the client must not get 200
                if not job.done.done():
                    job.done.set_exception(exc)
                if not isinstance(exc, WalFull):
                    log.exception("publishing a %s webhook failed", self.source.name)
            except BaseException:  # cancelled mid-publish: answer the client, then go
                if not job.done.done():
                    job.done.set_exception(NotPublished("stopped before it was durable"))
                raise
            finally:
                self.queue.task_done()

    async def drain(self, timeout: float) -> None:
        """Waits (up to `timeout`) for queued webhooks to become durable, then stops the
        workers; what is still queued then is answered with an error, never silently dropped."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.queue.join(), timeout)
        self._closing = True
        for worker in list(self.workers):
            worker.cancel()
        for worker in list(self.workers):
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        while not self.queue.empty():
            job = self.queue.get_nowait()
            if not job.done.done():
                job.done.set_exception(NotPublished("shut down before it was durable"))

    async def close(self) -> None:
        await self.publisher.close()
        self.wal.close()
