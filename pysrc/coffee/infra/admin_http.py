"""The operators' listener: heartbeat changes (`PUT /heartbeat/?beat=...`, which drains a node)
and `GET /metrics`, on their own address (loopback by default), never on the public port.

The public port keeps `GET /heartbeat/` (where the originals served it: the load balancer reads
it there). Traffic here is a few requests a minute, so the HTTP/1.1 framing is h11's, on
asyncio streams, with a deadline per read.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import h11

from coffee.infra.heartbeat import Heartbeat

log = logging.getLogger("coffee.admin")

READ_TIMEOUT = 10.0
MAX_REQUEST_BYTES = 16 * 1024

MetricsText = Callable[[], tuple[bytes, str]]  # (body, content type)


class AdminServer:
    def __init__(
        self,
        heartbeat: Callable[[], Heartbeat | None],
        metrics: MetricsText,
        on_heartbeat: Callable[[bool], object] | None = None,
    ) -> None:
        self.heartbeat = heartbeat
        self.metrics = metrics
        self.on_heartbeat = on_heartbeat
        self._server: asyncio.Server | None = None

    async def start(self, host: str, port: int, reuse_port: bool = False) -> int:
        """Listens; returns the bound port."""
        self._server = await asyncio.start_server(
            self._serve, host, port, reuse_port=reuse_port or None
        )
        return self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    def answer(self, method: str, target: str) -> tuple[int, bytes, str]:
        path, _, query = target.partition("?")
        if path in ("/heartbeat/", "/heartbeat"):
            heartbeat = self.heartbeat()
            if heartbeat is None:
                return 503, b'{"error":"starting"}', "application/json"
            was = heartbeat.beating
            status, body = heartbeat.handle(method, query)
            if heartbeat.beating != was and self.on_heartbeat is not None:
                self.on_heartbeat(heartbeat.beating)
            return status, body, "application/json"
        if path == "/metrics":
            if method not in ("GET", "HEAD"):
                return 405, b'{"error":"use GET"}', "application/json"
            body, content_type = self.metrics()
            return 200, body, content_type
        return 404, b'{"error":"here: /heartbeat/ and /metrics"}', "application/json"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_REQUEST_BYTES)
        request: h11.Request | None = None
        try:
            while True:
                event = conn.next_event()
                if event is h11.NEED_DATA:
                    data = await asyncio.wait_for(reader.read(65536), READ_TIMEOUT)
                    conn.receive_data(data)
                elif isinstance(event, h11.Request):
                    request = event
                elif isinstance(event, h11.EndOfMessage) and request is not None:
                    status, body, content_type = self.answer(
                        request.method.decode("ascii", "replace"),
                        request.target.decode("ascii", "replace"),
                    )
                    self._respond(conn, writer, status, body, content_type, request.method)
                    await writer.drain()
                    if conn.our_state is h11.MUST_CLOSE:
                        break
                    conn.start_next_cycle()
                    request = None
                elif isinstance(event, h11.ConnectionClosed):
                    break
        except h11.RemoteProtocolError as exc:
            with contextlib.suppress(Exception):
                if conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
                    body = b'{"error":"bad request"}'
                    self._respond(conn, writer, exc.error_status_hint, body, "application/json")
                    await writer.drain()
        except (TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()

    @staticmethod
    def _respond(
        conn: h11.Connection,
        writer: asyncio.StreamWriter,
        status: int,
        body: bytes,
        content_type: str,
        method: bytes = b"GET",
    ) -> None:
        headers = [("content-type", content_type), ("content-length", str(len(body)))]
        writer.write(conn.send(h11.Response(status_code=status, headers=headers)))
        if method != b"HEAD":
            writer.write(conn.send(h11.Data(data=body)))
        writer.write(conn.send(h11.EndOfMessage()))
