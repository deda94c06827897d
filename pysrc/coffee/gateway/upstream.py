"""Keep-alive connections to one upstream, on asyncio protocols.

Response bytes are forwarded to the client as they arrive, unchanged after the head: the
framing is only tracked (a byte count for Content-Length, framing.ChunkedBody for chunked
bodies) to know where the response ends. A byte past that end is never forwarded: the
connection is closed instead of pooled. No per-chunk copies, no re-chunking.

Timeouts are a deadline the gateway's sweeper checks: the first byte of the answer must come
within UPSTREAM_TIMEOUT of the request, then each read moves the deadline UPSTREAM_IDLE_TIMEOUT
ahead, so a long stream is never cut while it keeps flowing.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from typing import TYPE_CHECKING, Protocol

from coffee.gateway import framing

if TYPE_CHECKING:
    from collections.abc import Callable


class ResponseSink(Protocol):
    """What a connection reports to: the exchange it is currently serving."""

    def upstream_head(self, head: bytes, body: bytes) -> int:
        """Send the rewritten head and the first body bytes; the body length (-1 chunked,
        -2 until close, -3 refused: the connection is dropped); a body longer than the length
        is cut by the sink. For a chunked body the sink gets `body` through upstream_body."""

    def upstream_body(self, data: bytes) -> None: ...
    def upstream_done(self, reusable: bool) -> None: ...
    def upstream_failed(self, started: bool) -> None: ...
    def pause_source(self) -> None: ...
    def resume_source(self) -> None: ...


log = logging.getLogger("coffee.gateway.upstream")

_MAX_HEAD = framing.MAX_RESPONSE_HEAD
_INFINITY = float("inf")
# Where a connection is in the current response.
_HEAD, _BODY_LENGTH, _BODY_CHUNKED, _BODY_UNTIL_CLOSE = 0, 1, 2, 3


class UpstreamConnection(asyncio.Protocol):
    __slots__ = (
        "_chunked",
        "_head_buf",
        "_remaining",
        "_state",
        "closed",
        "deadline",
        "idle_timeout",
        "pool",
        "reused",
        "sink",
        "transport",
    )

    def __init__(self, pool: UpstreamPool) -> None:
        self.pool = pool
        self.transport: asyncio.Transport | None = None
        self.sink: ResponseSink | None = None
        self.closed = False
        self.reused = False
        self.deadline = 0.0
        self._head_buf = b""
        self._state = _HEAD
        self._remaining = 0
        self._chunked: framing.ChunkedBody | None = None
        self.idle_timeout = pool.idle_timeout

    # -- used by the exchange -----------------------------------------------------------------
    def send(self, sink: ResponseSink, data: bytes, deadline: float) -> None:
        self.sink = sink
        self.deadline = deadline
        self._state = _HEAD
        self.pool.busy.add(self)
        self.transport.write(data)  # type: ignore[union-attr]

    def write(self, data: bytes) -> None:
        # A request body still flowing: the answer's first byte is not due before it ends.
        self.deadline = max(self.deadline, time.monotonic() + self.idle_timeout)
        self.transport.write(data)  # type: ignore[union-attr]

    def abort(self) -> None:
        self.closed = True
        self.sink = None
        self.pool.busy.discard(self)
        if self.transport is not None:
            self.transport.abort()

    # -- protocol -----------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        try:
            self._received(data)
        except Exception:  # a bug must cost one exchange, not the process (reported)
            log.exception("gateway failed on an upstream response")
            self._fail(self._state != _HEAD)

    def _received(self, data: bytes) -> None:
        sink = self.sink
        if sink is None:  # bytes with no request: the connection is not usable any more
            self.abort()
            return
        if self.deadline != _INFINITY:
            self.deadline = time.monotonic() + self.idle_timeout
        state = self._state
        if state == _BODY_LENGTH:
            self._by_length(sink, data)
        elif state == _HEAD:
            self._head(sink, data)
        elif state == _BODY_CHUNKED:
            self._by_chunks(sink, data)
        else:  # until close
            sink.upstream_body(data)

    def _head(self, sink: ResponseSink, data: bytes) -> None:
        buf = self._head_buf + data if self._head_buf else data
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            if len(buf) > _MAX_HEAD:
                self._fail(False)
            else:
                self._head_buf = buf
            return
        self._head_buf = b""
        rest = buf[end + 4 :]
        # The head and the body bytes that came with it go to the client in one write.
        # A hint only (the sink decides below), found without copying the head.
        chunked = buf.find(b"hunked", 0, end) >= 0 or buf.find(b"HUNKED", 0, end) >= 0
        if chunked and rest:
            # Chunks that came with the head are checked before the head goes out, so that a
            # malformed body is still a clean 502 rather than a cut response.
            try:
                framing.ChunkedBody().feed(rest)
            except framing.BadFraming:
                self._fail(False)
                return
        length = sink.upstream_head(buf[: end + 4], b"" if chunked else rest)
        if self.sink is None:  # the exchange gave up (client gone)
            return
        if length == framing.REFUSED:
            self.sink = None
            self.abort()
            return
        if length >= 0:
            self._state = _BODY_LENGTH
            n = len(rest)
            if chunked and rest:  # the sink did not get the bytes: send what belongs
                sink.upstream_body(rest[:length])
            if n >= length:
                self._finish(n == length)
            else:
                self._remaining = length - n
        elif length == framing.CHUNKED:
            self._state = _BODY_CHUNKED
            self._chunked = framing.ChunkedBody()
            if not chunked:  # the sink already sent `rest`: cannot happen for a checked head
                self._fail(True)
                return
            if rest:
                self._by_chunks(sink, rest)
        else:
            if chunked and rest:
                sink.upstream_body(rest)
            self._state = _BODY_UNTIL_CLOSE

    def _by_length(self, sink: ResponseSink, data: bytes) -> None:
        remaining = self._remaining
        n = len(data)
        if n > remaining:  # more than the response: the upstream broke framing
            sink.upstream_body(data[:remaining])
            self._finish(False)
            return
        sink.upstream_body(data)
        self._remaining = remaining - n
        if n == remaining:
            self._finish(True)

    def _by_chunks(self, sink: ResponseSink, data: bytes) -> None:
        body = self._chunked
        try:
            used = body.feed(data)  # type: ignore[union-attr]
        except framing.BadFraming:
            self._fail(True)
            return
        if used:
            sink.upstream_body(data if used == len(data) else data[:used])
        if body.done:  # type: ignore[union-attr]
            self._finish(used == len(data))  # bytes past the end: closed, never pooled

    def _finish(self, reusable: bool) -> None:
        sink = self.sink
        self.sink = None
        self._state = _HEAD
        self._chunked = None
        self.pool.busy.discard(self)
        if reusable:
            self.reused = True
            self.pool.release(self)
        else:
            self.abort()
        if sink is not None:
            sink.upstream_done(reusable)

    def _fail(self, started: bool) -> None:
        sink = self.sink
        self.abort()
        if sink is not None:
            sink.upstream_failed(started)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.pool.busy.discard(self)
        sink = self.sink
        self.sink = None
        if sink is None:
            return
        if self._state == _BODY_UNTIL_CLOSE:
            sink.upstream_done(False)
        else:
            sink.upstream_failed(self._state != _HEAD)

    # Back-pressure towards the client: an upstream slow to read a request body pauses the
    # client connection that sends it.
    def pause_writing(self) -> None:
        sink = self.sink
        if sink is not None:
            sink.pause_source()

    def resume_writing(self) -> None:
        sink = self.sink
        if sink is not None:
            sink.resume_source()

    # Back-pressure from the client side.
    def pause(self) -> None:
        if self.transport is not None:
            self.transport.pause_reading()
            self.deadline = _INFINITY  # a slow client is not a silent upstream

    def resume(self) -> None:
        if self.transport is not None and not self.closed:
            self.deadline = time.monotonic() + self.idle_timeout
            self.transport.resume_reading()


class UpstreamPool:
    """Idle keep-alive connections to one upstream, most recently used first."""

    def __init__(
        self,
        url: str,
        max_idle: int,
        connect_timeout: float,
        on_timeout: Callable[[UpstreamConnection], None] | None = None,
        idle_timeout: float = 30.0,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.idle_timeout = idle_timeout
        # https:// upstreams (the original's httputil proxy took them): TLS with `tls`, or the
        # system's trust store, verifying the upstream's host name.
        secure = url.startswith("https://")
        self.tls = (tls or ssl.create_default_context()) if secure else None
        rest = url.removeprefix("https://") if secure else url.removeprefix("http://")
        hostport, slash, path = rest.partition("/")
        # A base path in the URL (IDENTITY_URL=http://api/identity-service/api) prefixes every
        # request target sent on this pool.
        self.base_path = (slash + path).rstrip("/").encode()
        default_port = "443" if secure else "80"
        host, _, port = (
            hostport.rpartition(":")
            if ":" in hostport.rpartition("]")[2]
            else (hostport, "", default_port)
        )
        self.host = host.strip("[]")
        self.port = int(port)
        self.host_header = hostport.encode()
        self.max_idle = max_idle
        self.connect_timeout = connect_timeout
        self.idle: list[UpstreamConnection] = []
        self.busy: set[UpstreamConnection] = set()
        self.connect_errors = 0

    def take_idle(self) -> UpstreamConnection | None:
        idle = self.idle
        while idle:
            conn = idle.pop()
            if not conn.closed:
                return conn
        return None

    async def connect(self) -> UpstreamConnection:
        loop = asyncio.get_running_loop()
        try:
            _, conn = await asyncio.wait_for(
                loop.create_connection(
                    lambda: UpstreamConnection(self),
                    self.host,
                    self.port,
                    ssl=self.tls,
                    server_hostname=self.host if self.tls is not None else None,
                ),
                self.connect_timeout,
            )
        except (OSError, TimeoutError):
            self.connect_errors += 1
            raise
        return conn

    def release(self, conn: UpstreamConnection) -> None:
        if conn.closed:
            return
        if len(self.idle) < self.max_idle:
            self.idle.append(conn)
        else:
            conn.abort()

    def expire(self, now: float) -> list[UpstreamConnection]:
        """The busy connections whose response is overdue."""
        return [conn for conn in self.busy if conn.deadline <= now]

    def close(self) -> None:
        for conn in [*self.idle, *self.busy]:
            conn.abort()
        self.idle.clear()
        self.busy.clear()
