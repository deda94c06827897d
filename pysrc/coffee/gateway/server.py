"""The gateway's HTTP/1.1 front: one asyncio protocol per client connection, on uvloop.

The hot path (token, session and contract all in L1) runs synchronously inside the parser's
callbacks: no coroutine, no task, no per-request timer. Only a miss somewhere in the chain
(Redis, identity, partner, rate-limit lease, new upstream connection) starts a task.
Requests on one connection are answered in order (pipelining is queued, not interleaved).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from typing import TYPE_CHECKING

import httptools

from coffee.gateway import framing
from coffee.gateway.framing import (
    AUTHORIZATION,
    BODY,
    CHANNEL,
    CLIENT_ID,
    CLIENT_TYPE,
    CONNECTION,
    CONTENT_LENGTH,
    DEVICE,
    EXPECT,
    FORWARDED_FOR,
    FORWARDED_HOST,
    FORWARDED_PROTO,
    HEAD,
    HEADER_ACTIONS,
    IDLE,
    KEEP_AND_READ_OPERATION,
    KEEP_AND_READ_ORIGIN,
    TENANT_PREFIXES,
    TRANSFER_ENCODING,
)

if TYPE_CHECKING:
    from coffee.gateway.app import Gateway
    from coffee.gateway.upstream import UpstreamConnection

log = logging.getLogger("coffee.gateway")

_IDEMPOTENT = frozenset({b"GET", b"HEAD", b"OPTIONS", b"PUT", b"DELETE", b"TRACE"})


class Exchange:
    """One request and its response. Only the first exchange of a connection's queue runs."""

    __slots__ = (
        "auth_value",
        "awaiting_body",
        "body_seen",
        "channel",
        "chunked",
        "client",
        "client_id",
        "client_type",
        "close_after",
        "connection_names",
        "content_length",
        "device_id",
        "expect",
        "forwarded_for",
        "forwarded_host",
        "forwarded_proto",
        "head",
        "kept",
        "method",
        "operation",
        "origin",
        "partner_id",
        "pending",
        "plan",
        "principal",
        "req_done",
        "request_id",
        "resp_done",
        "resp_started",
        "retried",
        "route",
        "route_name",
        "started",
        "status",
        "tenant",
        "token",
        "upstream",
        "url",
    )

    def __init__(self, client: ClientConnection) -> None:
        self.client = client
        self.url = b""
        self.expect = False
        self.awaiting_body = False
        self.pending: list[bytes] | None = []  # request body waiting for an upstream
        self.upstream: UpstreamConnection | None = None
        self.req_done = False
        self.resp_done = False
        self.resp_started = False
        self.retried = False
        self.body_seen = 0
        self.status = 0
        self.route = None
        self.route_name = "-"
        self.plan = b"FREE"
        self.partner_id = b""
        self.tenant = b""
        self.auth_value = b""
        self.principal = None
        self.close_after = False
        self.kept: list[bytes] = []
        self.token: bytes | None = None
        self.client_id = b""
        self.client_type = b"CUSTOMER"
        self.channel = b""
        self.device_id = b""
        self.operation = b""
        self.origin = b""
        self.forwarded_for = b""
        self.forwarded_proto = b""
        self.forwarded_host = b""
        self.connection_names: set[bytes] | None = None
        self.content_length = -1
        self.chunked = False

    # -- request side (called by the client connection) -------------------------------------
    def start(self) -> None:
        self.started = time.perf_counter()
        self.client.gateway.dispatch(self)

    def request_body(self, data: bytes) -> None:
        self.body_seen += len(data)
        limit = self.client.gateway.max_request_bytes
        if self.body_seen > limit:
            if not self.resp_started:
                self.abandon_upstream()
                self.close_after = True
                self.respond(413, b'{"error":"request body too large"}')
            return
        if self.resp_done:
            return  # answered early (401, 404, ...): the rest of the body is read and dropped
        # The whole body is held until it ends: the signature covers its digest.
        self.pending.append(data)  # type: ignore[union-attr]
        self.client.buffer(len(data))

    def request_complete(self) -> None:
        self.req_done = True
        if self.awaiting_body and not self.resp_done:
            self.awaiting_body = False
            self.client.gateway.forward(self)
        if self.resp_done:
            self.client.exchange_done(self)

    # -- gateway-made answers -----------------------------------------------------------------
    def respond(
        self,
        status: int,
        body: bytes,
        extra: bytes = b"",
        content_type: bytes = b"application/json",
    ) -> None:
        if self.resp_started:
            return
        self.status = status
        self.resp_started = True
        rid = self.request_id
        extra = (b"x-bb-requestid: " + rid + b"\r\n" if rid else b"") + self.cors() + extra
        head = framing.answer_head(status, content_type, len(body), extra, self.close_after)
        self.client.write(head + body)
        self.response_done()

    def response_done(self) -> None:
        self.resp_done = True
        self.client.gateway.observe(self)
        if self.req_done:
            self.client.exchange_done(self)

    # -- upstream side -----------------------------------------------------------------------
    def attach(self, conn: UpstreamConnection) -> None:
        client = self.client
        if self.resp_done or client.closed:
            conn.pool.release(conn)
            return
        self.upstream = conn
        pending = self.pending
        self.pending = None
        if pending:
            client.unbuffer(sum(map(len, pending)))
            data = self.head + b"".join(pending)  # type: ignore[operator]
        else:
            data = self.head  # type: ignore[assignment]
        conn.send(self, data, time.monotonic() + client.gateway.upstream_first_byte_timeout)

    def cors(self) -> bytes:
        origin = self.origin
        if origin and self.client.gateway.origin_allowed(origin):
            return (
                b"access-control-allow-origin: "
                + origin
                + b"\r\naccess-control-allow-credentials: true\r\nvary: Origin\r\n"
            )
        return b""

    def upstream_head(self, head: bytes, body: bytes) -> int:
        try:
            status, length, lines = framing.parse_response_head(head)
        except framing.BadFraming:
            # Ambiguous framing could desynchronize the client connection: refuse it whole.
            self.upstream = None
            self.client.gateway.metrics.count("upstream_bad_framing")
            self.close_after = True
            self.respond(502, b'{"error":"upstream sent a malformed response"}')
            return framing.REFUSED
        if length == framing.UNTIL_CLOSE:  # read until the upstream closes: the client too
            self.close_after = True
        lines.append(b"x-bb-requestid: " + self.request_id)
        out = (
            b"\r\n".join(lines)
            + b"\r\n"
            + self.cors()
            + (b"connection: close\r\n\r\n" if self.close_after else b"\r\n")
        )
        self.resp_started = True
        self.status = status
        if self.method == b"HEAD" or status in (204, 304) or status < 200:
            length = 0
        client = self.client
        if not client.closed:
            if body:
                if 0 <= length < len(body):
                    body = body[:length]
                client.transport.write(out + body)  # type: ignore[union-attr]
            else:
                client.transport.write(out)  # type: ignore[union-attr]
        return length

    def upstream_body(self, data: bytes) -> None:
        client = self.client
        if not client.closed:
            client.transport.write(data)  # type: ignore[union-attr]

    def upstream_done(self, reusable: bool) -> None:
        self.upstream = None
        if not reusable:
            self.close_after = True
        self.response_done()

    def upstream_failed(self, started: bool) -> None:
        conn = self.upstream
        self.upstream = None
        gateway = self.client.gateway
        if started or self.resp_started:
            gateway.metrics.count("upstream_broken_response")
            self.client.abort()  # mid-response: the client must see a broken response
            return
        if (
            not self.retried
            and self.method in _IDEMPOTENT
            and self.body_seen == 0
            and not self.client.closed
        ):
            # A reused keep-alive connection that the upstream had closed, or a reset: retry once.
            self.retried = True
            self.pending = []
            gateway.metrics.count("upstream_retry")
            if conn is not None and not conn.reused:
                gateway.metrics.count("upstream_error")
            gateway.send_upstream(self)  # the same head: the same signature and nonce
            return
        gateway.metrics.count("upstream_error")
        self.close_after = True
        self.respond(502, b'{"error":"upstream unavailable"}')

    def upstream_timeout(self) -> None:
        self.upstream = None
        self.client.gateway.metrics.count("upstream_timeout")
        if self.resp_started:
            self.client.abort()
        else:
            self.close_after = True
            self.respond(504, b'{"error":"upstream timeout"}')

    def pause_source(self) -> None:
        if not self.client.closed:
            self.client.transport.pause_reading()  # type: ignore[union-attr]

    def resume_source(self) -> None:
        if not self.client.closed:
            self.client.transport.resume_reading()  # type: ignore[union-attr]

    def abandon_upstream(self) -> None:
        conn = self.upstream
        self.upstream = None
        if conn is not None:
            conn.abort()


class ClientConnection(asyncio.Protocol):
    __slots__ = (
        "buffered", "closed", "gateway", "head_bytes", "header_count", "last_io", "parser",
        "parsing", "paused", "peer", "queue", "started_head", "state", "transport",
    )  # fmt: skip

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpRequestParser(self)
        self.queue: deque[Exchange] = deque()
        self.parsing: Exchange | None = None
        self.closed = False
        self.peer = b""
        self.state = IDLE  # framing.IDLE / HEAD / BODY (trailers are part of BODY)
        self.head_bytes = 0  # head bytes of the request being read, counted by the parser
        self.header_count = 0
        self.started_head = 0.0  # when the current head began (monotonic)
        self.last_io = time.monotonic()
        self.buffered = 0  # request bytes held for exchanges that have no upstream yet
        self.paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        peer = transport.get_extra_info("peername")
        self.peer = peer[0].encode() if isinstance(peer, tuple) else b""
        gateway = self.gateway
        if len(gateway.connections) >= gateway.max_client_connections:
            gateway.metrics.count("connection_refused_cap")
            self._bad_request(b'{"error":"too many connections"}', b"503 Service Unavailable")
            return
        gateway.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.gateway.connections.discard(self)
        for ex in self.queue:
            ex.abandon_upstream()
        self.queue.clear()

    def data_received(self, data: bytes) -> None:
        if self.closed:
            return  # a rejected connection in its lingering close
        self.last_io = time.monotonic()
        if self.state == HEAD:
            # A header still arriving is not counted by the parser until it ends: bound the
            # raw bytes too (a head may share a read with the previous body, hence the slack).
            self.head_bytes += len(data)
            if self.head_bytes > 2 * framing.MAX_REQUEST_HEAD:
                self._head_too_large()
                return
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._bad_request(b'{"error":"protocol upgrade is not supported"}')
        except httptools.HttpParserCallbackError as exc:
            if isinstance(exc.__context__, framing.HeadTooLarge):
                self._head_too_large()
            elif isinstance(exc.__context__, framing.BadRequestFraming):
                self._bad_request(b'{"error":"malformed HTTP request"}')
            else:
                self._callback_failed(exc)
        except httptools.HttpParserError:
            self._bad_request(b'{"error":"malformed HTTP request"}')
        except Exception as exc:  # a bug must cost one connection, not the process (reported)
            self._callback_failed(exc)

    def _callback_failed(self, exc: BaseException) -> None:
        log.error("gateway failed on a request", exc_info=exc.__context__ or exc)
        self.gateway.metrics.count("internal_error")
        self._internal_error()

    def _head_too_large(self) -> None:
        self.gateway.metrics.count("request_head_too_large")
        self._bad_request(
            b'{"error":"request head too large"}', b"431 Request Header Fields Too Large"
        )

    def timed_out(self, now: float) -> None:
        """Called by the gateway's sweeper: closes a connection that stalls the gateway."""
        if self.closed:
            return
        gateway = self.gateway
        state = self.state
        if state == HEAD:
            if now - self.started_head > gateway.header_read_timeout:
                gateway.metrics.count("client_header_timeout")
                self._bad_request(b'{"error":"request head timeout"}', b"408 Request Timeout")
        elif state == BODY:
            if not self.paused and now - self.last_io > gateway.body_read_timeout:
                gateway.metrics.count("client_body_timeout")
                if self.queue and self.queue[-1].resp_started:
                    self.abort()
                else:
                    self._bad_request(b'{"error":"request body timeout"}', b"408 Request Timeout")
        elif not self.queue and now - self.last_io > gateway.keepalive_timeout:
            self.closed = True
            self.transport.close()  # type: ignore[union-attr]

    # -- per-connection memory: pipelined requests and bodies waiting for an upstream ----------
    def buffer(self, n: int) -> None:
        self.buffered += n
        if (
            self.buffered > self.gateway.max_connection_buffer
            and not self.paused
            and not (self.queue and self.queue[0] is self.parsing)  # its body is due now
        ):
            self.paused = True
            self.transport.pause_reading()  # type: ignore[union-attr]

    def unbuffer(self, n: int) -> None:
        self.buffered -= n
        self._maybe_resume()

    def _maybe_resume(self) -> None:
        queue = self.queue
        if (
            self.paused
            and not self.closed
            and (
                (len(queue) <= 8 and self.buffered <= self.gateway.max_connection_buffer)
                or (queue and queue[0] is self.parsing)  # the first in line waits for its body
            )
        ):
            self.paused = False
            self.last_io = time.monotonic()
            self.transport.resume_reading()  # type: ignore[union-attr]

    def _internal_error(self) -> None:
        started = bool(self.queue) and self.queue[0].resp_started
        for ex in self.queue:
            ex.abandon_upstream()
        self.queue.clear()
        if self.closed or self.transport is None:
            return
        self.closed = True
        if started:
            self.transport.abort()
            return
        body = b'{"error":"internal error"}'
        self.transport.write(
            b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: "
            b"application/json\r\ncontent-length: %d\r\nconnection: close"
            b"\r\n\r\n%b" % (len(body), body)
        )
        self.transport.close()

    def _bad_request(self, body: bytes, status: bytes = b"400 Bad Request") -> None:
        if self.transport is not None and not self.closed:
            self.transport.write(
                b"HTTP/1.1 %b\r\ncontent-type: application/json\r\ncontent-length: %d\r\n"
                b"connection: close\r\n\r\n%b" % (status, len(body), body)
            )
            # Lingering close: send FIN after the answer and drop what the client still sends
            # for a moment, so it reads the answer instead of a reset.
            self.transport.write_eof()
            asyncio.get_running_loop().call_later(1.0, self.transport.close)
        for ex in self.queue:
            ex.abandon_upstream()
        self.queue.clear()
        self.closed = True

    # -- httptools callbacks ------------------------------------------------------------------
    def on_message_begin(self) -> None:
        self.parsing = Exchange(self)
        self.state = HEAD
        self.head_bytes = 0
        self.header_count = 0
        self.started_head = time.monotonic()

    def on_url(self, url: bytes) -> None:
        self.head_bytes += len(url)
        if self.head_bytes > framing.MAX_REQUEST_HEAD:
            raise framing.HeadTooLarge
        self.parsing.url += url  # type: ignore[union-attr]

    def on_header(self, name: bytes, value: bytes) -> None:
        if self.state != HEAD:
            return  # a trailer: never adds or changes a request header (read and dropped)
        # The limits hold however the bytes arrived: counted per parsed field, not per read.
        self.head_bytes += len(name) + len(value) + 4
        self.header_count += 1
        if (
            self.head_bytes > framing.MAX_REQUEST_HEAD
            or self.header_count > framing.MAX_HEADER_COUNT
        ):
            raise framing.HeadTooLarge
        # Every header is sorted here, once: read (and dropped or kept), or kept as raw bytes.
        ex = self.parsing
        lname = name.lower()
        action = HEADER_ACTIONS.get(lname)
        if action is None:
            if lname[:5] not in TENANT_PREFIXES:  # client-sent tenant headers never pass
                ex.kept.append(name + b": " + value + b"\r\n")  # type: ignore[union-attr]
        elif action == AUTHORIZATION:
            ex.token = value[7:] if value[:7].lower() == b"bearer " else b""  # type: ignore[union-attr]
        elif action == CLIENT_ID:
            ex.client_id = value  # type: ignore[union-attr]
        elif action == CLIENT_TYPE:
            ex.client_type = value or b"CUSTOMER"  # type: ignore[union-attr]
        elif action == CHANNEL:
            ex.channel = value  # type: ignore[union-attr]
        elif action == DEVICE:
            ex.device_id = value  # type: ignore[union-attr]
        elif action == CONTENT_LENGTH:
            ex.content_length = int(value) if value.isdigit() else -2  # type: ignore[union-attr]
        elif action == TRANSFER_ENCODING:
            ex.chunked = True  # type: ignore[union-attr]
        elif action == FORWARDED_FOR:  # every hop of every X-Forwarded-For field, in order
            prior = ex.forwarded_for  # type: ignore[union-attr]
            ex.forwarded_for = prior + b", " + value if prior else value  # type: ignore[union-attr]
        elif action == KEEP_AND_READ_ORIGIN:
            ex.origin = value  # type: ignore[union-attr]
            ex.kept.append(name + b": " + value + b"\r\n")  # type: ignore[union-attr]
        elif action == KEEP_AND_READ_OPERATION:
            ex.operation = value  # type: ignore[union-attr]
            ex.kept.append(name + b": " + value + b"\r\n")  # type: ignore[union-attr]
        elif action == EXPECT:
            ex.expect = value.lower() == b"100-continue"  # type: ignore[union-attr]
        elif action == CONNECTION:
            names = framing.connection_tokens(value)
            if ex.connection_names is None:  # type: ignore[union-attr]
                ex.connection_names = names  # type: ignore[union-attr]
            else:
                ex.connection_names |= names  # type: ignore[union-attr]
        elif action == FORWARDED_PROTO:
            ex.forwarded_proto = value.strip().lower()  # type: ignore[union-attr]
        elif action == FORWARDED_HOST:
            ex.forwarded_host = value.strip()  # type: ignore[union-attr]
        # DROP: hop-by-hop and gateway-owned headers

    def on_headers_complete(self) -> None:
        self.state = BODY
        ex = self.parsing
        parser = self.parser
        ex.method = parser.get_method()  # type: ignore[union-attr]
        ex.close_after = not parser.should_keep_alive()  # type: ignore[union-attr]
        ex.url = framing.strip_fragment(ex.url)  # type: ignore[union-attr]
        version = parser.get_http_version()
        if parser.should_upgrade():  # refused before it is dispatched, never forwarded
            raise framing.BadRequestFraming
        if version != "1.1" and (version != "1.0" or ex.chunked):  # type: ignore[union-attr]
            # Only HTTP/1.x is spoken here; RFC 9112 6.1: chunked from HTTP/1.0 is not trusted.
            raise framing.BadRequestFraming
        names = ex.connection_names  # type: ignore[union-attr]
        if names:
            ex.kept = framing.drop_named(ex.kept, names)  # type: ignore[union-attr]
            if b"x-forwarded-for" in names:
                ex.forwarded_for = b""  # type: ignore[union-attr]
        self.queue.append(ex)  # type: ignore[arg-type]
        if len(self.queue) == 1:
            ex.started = time.perf_counter()  # type: ignore[union-attr]
            self.gateway.dispatch(ex)  # type: ignore[arg-type]
        elif len(self.queue) > 8 and not self.paused:
            self.paused = True
            self.transport.pause_reading()  # type: ignore[union-attr]

    def on_body(self, body: bytes) -> None:
        self.parsing.request_body(body)  # type: ignore[union-attr]

    def on_message_complete(self) -> None:
        ex = self.parsing
        self.parsing = None
        self.state = IDLE
        ex.request_complete()  # type: ignore[union-attr]

    # -- used by exchanges --------------------------------------------------------------------
    def write(self, data: bytes) -> None:
        if not self.closed:
            self.transport.write(data)  # type: ignore[union-attr]

    def abort(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()

    def exchange_done(self, ex: Exchange) -> None:
        queue = self.queue
        if not queue or queue[0] is not ex:
            return
        queue.popleft()
        if ex.close_after:
            self.closed = True
            self.transport.close()  # type: ignore[union-attr]
            for other in queue:
                other.abandon_upstream()
            queue.clear()
            return
        self._maybe_resume()
        if queue:
            queue[0].start()

    # Back-pressure: a slow client pauses the upstream that feeds it.
    def pause_writing(self) -> None:
        if self.queue and self.queue[0].upstream is not None:
            self.queue[0].upstream.pause()

    def resume_writing(self) -> None:
        if self.queue and self.queue[0].upstream is not None:
            self.queue[0].upstream.resume()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.transport.close()  # type: ignore[union-attr]
