"""The servers of `coffee events`: gRPC Dispatch (raw bytes in, so the native core decodes the
batch once), the standard health service (SERVING only while the heartbeat beats) and server
reflection; on GIN_PORT the HTTP side (third-party webhooks, GET /heartbeat/); on the admin
listener (EVENTS_ADMIN_HOST:EVENTS_ADMIN_PORT, loopback) PUT /heartbeat/ and GET /metrics.
SIGTERM: heartbeat off (NOT_SERVING, 410), refuse new RPCs and webhooks, finish in-flight ones,
drain every queue into RabbitMQ or its log, exit 0."""

from __future__ import annotations

import asyncio
import logging
import signal

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from coffee.events.intake import Intake
from coffee.events.proto import events_pb2
from coffee.events.settings import EventSettings
from coffee.events.webhooks.http import HttpIntake
from coffee.events.webhooks.intake import Webhooks
from coffee.events.webhooks.sources import SOURCES
from coffee.infra.admin_http import AdminServer
from coffee.infra.durable_publisher import DurablePublisher
from coffee.infra.gc_tuning import freeze_startup_objects
from coffee.infra.heartbeat import Heartbeat
from coffee.infra.wal import WriteAheadLog

log = logging.getLogger(__name__)

SERVICE = "event.EventService"


def _metrics_text() -> tuple[bytes, str]:
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


class EventServer:
    def __init__(self, settings: EventSettings, serve_http: bool = True) -> None:
        self.settings = settings
        self.heartbeat = Heartbeat(settings.heartbeat_start)
        self.wal = WriteAheadLog(settings.event_wal_dir, settings.event_wal_max_bytes)
        self.publisher = DurablePublisher(
            settings.amqp_url,
            settings.event_exchange,
            self.wal,
            publish_timeout=settings.event_publish_timeout,
        )
        self.intake = Intake(settings, self.publisher)
        self.health = health.aio.HealthServicer()
        self.server = grpc.aio.server(
            options=[("grpc.max_receive_message_length", 16 * 1024 * 1024)],
            maximum_concurrent_rpcs=settings.event_max_concurrent_rpcs,
        )
        self.port = 0
        # The webhook sources come with the HTTP side: `--no-http` runs gRPC alone and declares
        # no webhook exchange.
        self.webhooks = Webhooks(settings, SOURCES if serve_http else ())
        self.http: HttpIntake | None = None
        if serve_http:
            self.http = HttpIntake(
                settings.host,
                settings.gin_port,
                self.webhooks,
                self.heartbeat,
                settings.webhook_max_body_bytes,
            )
        self.admin = AdminServer(lambda: self.heartbeat, _metrics_text, self._heartbeat_changed)
        self.admin_port = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopped = asyncio.Event()

    async def start(self) -> int:
        handler = grpc.method_handlers_generic_handler(
            SERVICE,
            {"dispatch": grpc.unary_unary_rpc_method_handler(self.intake.dispatch)},
        )
        self.server.add_generic_rpc_handlers((handler,))
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        reflection.enable_server_reflection(
            (
                events_pb2.DESCRIPTOR.services_by_name["EventService"].full_name,
                health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
                reflection.SERVICE_NAME,
            ),
            self.server,
        )
        self.port = self.server.add_insecure_port(f"{self.settings.host}:{self.settings.port}")
        # Each publisher replays a log left by a previous process.
        await asyncio.gather(self.publisher.start(), self.webhooks.start())
        self.intake.start()
        # Listening before the public ports: `coffee up` changes the heartbeat here once the
        # gRPC port accepts.
        self.admin_port = await self.admin.start(
            self.settings.events_admin_host, self.settings.events_admin_port
        )
        await self.server.start()
        if self.http is not None:
            await self.http.start()
        await self._set_serving(self.heartbeat.beating)
        log.info(
            "events: gRPC on port %d, exchange %s (admin %s:%d)",
            self.port,
            self.settings.event_exchange,
            self.settings.events_admin_host,
            self.admin_port,
        )
        return self.port

    def _heartbeat_changed(self, beating: bool) -> None:
        """The admin listener flipped the heartbeat: the gRPC health follows it."""
        task = asyncio.get_running_loop().create_task(self._set_serving(beating))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _set_serving(self, serving: bool) -> None:
        status = (
            health_pb2.HealthCheckResponse.SERVING
            if serving
            else health_pb2.HealthCheckResponse.NOT_SERVING
        )
        for name in ("", SERVICE):
            await self.health.set(name, status)

    async def stop(self) -> None:
        """Graceful: unhealthy first (load balancers drain), then refuse, finish, drain, close.
        The HTTP side keeps answering while it drains (503 to webhooks, 410 to the heartbeat,
        /metrics as usual) and closes last."""
        grace = self.settings.event_shutdown_grace
        self.heartbeat.beating = False
        await self._set_serving(False)
        self.intake.accepting = False
        self.webhooks.accepting = False
        await asyncio.gather(self._drain_grpc(grace), self.webhooks.drain(grace))
        await asyncio.gather(self.publisher.close(), self.webhooks.close())
        self.wal.close()
        if self.http is not None:
            await self.http.stop(grace)
        await self.admin.close()
        self._stopped.set()

    async def _drain_grpc(self, grace: float) -> None:
        await self.server.stop(grace)  # in-flight RPCs finish queueing first
        await self.intake.drain(grace)

    async def run_until_signalled(self) -> None:
        loop = asyncio.get_running_loop()
        stopping = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopping.set)
        await self.start()
        freeze_startup_objects()
        await stopping.wait()
        log.info("events: signal received, draining")
        await self.stop()
