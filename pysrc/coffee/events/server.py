"""The gRPC server of `coffee events`: Dispatch (raw bytes in, so the native core decodes the
batch once), the standard health service (SERVING only while the heartbeat beats) and server
reflection. SIGTERM: NOT_SERVING, refuse new RPCs, finish in-flight ones, drain the queue into
RabbitMQ or the log, exit 0."""

from __future__ import annotations

import asyncio
import logging
import signal

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from coffee.events.intake import Intake
from coffee.events.proto import events_pb2
from coffee.events.settings import EventSettings
from coffee.infra.durable_publisher import DurablePublisher
from coffee.infra.wal import WriteAheadLog

log = logging.getLogger(__name__)

SERVICE = "event.EventService"


class EventServer:
    def __init__(self, settings: EventSettings) -> None:
        self.settings = settings
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
            options=[("grpc.max_receive_message_length", 16 * 1024 * 1024)]
        )
        self.port = 0
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
        await self.publisher.start()  # replays a log left by a previous process
        self.intake.start()
        await self.server.start()
        await self._set_serving(True)
        log.info("events: gRPC on port %d, exchange %s", self.port, self.settings.event_exchange)
        return self.port

    async def _set_serving(self, serving: bool) -> None:
        status = (
            health_pb2.HealthCheckResponse.SERVING
            if serving
            else health_pb2.HealthCheckResponse.NOT_SERVING
        )
        for name in ("", SERVICE):
            await self.health.set(name, status)

    async def stop(self) -> None:
        """Graceful: unhealthy first (load balancers drain), then refuse, finish, drain, close."""
        await self._set_serving(False)
        self.intake.accepting = False
        await self.server.stop(self.settings.event_shutdown_grace)
        await self.intake.drain(self.settings.event_shutdown_grace)
        await self.publisher.close()
        self.wal.close()
        self._stopped.set()

    async def run_until_signalled(self) -> None:
        loop = asyncio.get_running_loop()
        stopping = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopping.set)
        await self.start()
        await stopping.wait()
        log.info("events: signal received, draining")
        await self.stop()
