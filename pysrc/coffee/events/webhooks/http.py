"""The HTTP side of `coffee events` on GIN_PORT: the webhooks and `GET /heartbeat/` (the load
balancer's check), served by granian's embedded server (RSGI) on the process's own event loop,
beside gRPC. Heartbeat changes and `/metrics` are on the admin listener (EVENTS_ADMIN_PORT).

On stop the caller first drains the webhooks (new ones get 503, the heartbeat 410), then
`stop()` waits for requests still being answered and closes the listener."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket

import msgspec
from granian.constants import HTTPModes, Interfaces
from granian.log import LogLevels
from granian.server.embed import Server

from coffee.events import metrics
from coffee.events.webhooks.intake import Refusal, Webhooks
from coffee.infra.heartbeat import Heartbeat

log = logging.getLogger(__name__)

JSON = ("content-type", "application/json")
SUCCESS = b'{"status":"SUCCESS"}'


def _error(message: str) -> bytes:
    return msgspec.json.encode({"status": "ERROR", "message": message})


class HttpIntake:
    def __init__(
        self,
        host: str,
        port: int,
        webhooks: Webhooks,
        heartbeat: Heartbeat,
        max_body_bytes: int,
    ) -> None:
        self.host = host
        self.port = port or _free_port(host)  # granian cannot report a port it picked itself
        self.webhooks = webhooks
        self.heartbeat = heartbeat
        self.max_body_bytes = max_body_bytes
        self._server: Server | None = None
        self._serving: asyncio.Task[None] | None = None
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self, timeout: float = 10.0) -> int:
        self._server = Server(
            self,
            address=self.host,
            port=self.port,
            interface=Interfaces.RSGI,
            http=HTTPModes.http1,
            websockets=False,
            log_level=LogLevels.error,
            # granian's messages go through the process's own logging setup.
            log_dictconfig={"loggers": {"_granian": {"propagate": True}}},
        )
        self._serving = asyncio.create_task(self._server.serve(), name="http-intake")
        await self._wait_listening(timeout)
        log.info("events: HTTP (webhooks, /heartbeat/) on port %d", self.port)
        return self.port

    async def _wait_listening(self, timeout: float) -> None:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._serving is not None and self._serving.done():
                raise RuntimeError(f"the HTTP intake could not serve on port {self.port}")
            try:
                _, writer = await asyncio.open_connection(host, self.port)
                writer.close()
                return
            except OSError:
                if loop.time() > deadline:
                    raise RuntimeError(f"the HTTP intake did not listen on {self.port}") from None
                await asyncio.sleep(0.05)

    async def stop(self, grace: float) -> None:
        """Waits (up to `grace`) for answers still being written, then closes the listener."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), grace)
        if self._server is not None and self._serving is not None:
            self._server.stop()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._serving, grace + 5)

    # -- RSGI ---------------------------------------------------------------------------------
    async def __rsgi__(self, scope, proto) -> None:
        self._in_flight += 1
        self._idle.clear()
        try:
            await self._handle(scope, proto)
        except Exception:  # a bug answers 500; it never takes the server down
            log.exception("HTTP intake: %s %s failed", scope.method, scope.path)
            with contextlib.suppress(Exception):
                proto.response_bytes(500, [JSON], _error("internal error"))
        finally:
            self._in_flight -= 1
            if not self._in_flight:
                self._idle.set()

    async def _handle(self, scope, proto) -> None:
        path, method = scope.path, scope.method
        if path == "/metrics":
            return _respond(proto, 404, _error("metrics are on EVENTS_ADMIN_PORT"))
        if path in ("/heartbeat/", "/heartbeat"):
            if method not in ("GET", "HEAD"):  # changes: the admin listener only
                return _respond(proto, 403, _error("change the heartbeat on EVENTS_ADMIN_PORT"))
            return _respond(proto, *self.heartbeat.handle(method, scope.query_string))
        route = self.webhooks.route(path)
        if route is None:
            metrics.WEBHOOKS_REJECTED.labels("", "not_found").inc()
            return _respond(proto, 404, _error(f"no route {path}"))
        if method != "POST":
            metrics.WEBHOOKS_REJECTED.labels(route.channel.source.name, "method").inc()
            return _respond(proto, 405, _error("use POST"), [("allow", "POST")])
        body = await self._read_body(scope, proto)
        if body is None:
            metrics.WEBHOOKS_REJECTED.labels(route.channel.source.name, "too_large").inc()
            message = _error(f"body over {self.max_body_bytes} bytes")
            return _respond(proto, 413, message, [("connection", "close")])
        try:
            await self.webhooks.accept(route, body)
        except Refusal as refusal:
            extra = []
            if refusal.retry_after is not None:
                extra.append(("retry-after", str(refusal.retry_after)))
            return _respond(proto, refusal.status, _error(str(refusal)), extra)
        _respond(proto, 200, SUCCESS)

    async def _read_body(self, scope, proto) -> bytes | None:
        """The body, or None when it is over the limit (refused before reading it all)."""
        declared = scope.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            return None
        chunks, size = [], 0
        async for chunk in proto:
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
        return b"".join(chunks)


def _respond(proto, status: int, body: bytes, extra: list[tuple[str, str]] | None = None) -> None:
    # A client that hung up meanwhile cannot be answered; its webhook (if accepted) stays durable.
    with contextlib.suppress(Exception):
        proto.response_bytes(status, [JSON, *(extra or [])], body)


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]
