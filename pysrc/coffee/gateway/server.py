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

from coffee.gateway import wire

if TYPE_CHECKING:
    from coffee.gateway.app import Gateway
    from coffee.gateway.upstream import UpstreamConnection

(
    _DROP,
    _AUTHORIZATION,
    _CLIENT_ID,
    _CLIENT_TYPE,
    _CHANNEL,
    _DEVICE,
    _CONTENT_LENGTH,
    _TRANSFER_ENCODING,
    _FORWARDED_FOR,
    _KEEP_AND_READ_ORIGIN,
    _KEEP_AND_READ_OPERATION,
    _EXPECT,
) = range(12)
_HEADER_ACTIONS: dict[bytes, int] = {
    b"authorization": _AUTHORIZATION,
    b"x-bb-clientid": _CLIENT_ID,
    b"x-bb-clienttype": _CLIENT_TYPE,
    b"x-bb-channelid": _CHANNEL,
    b"x-bb-deviceid": _DEVICE,
    b"content-length": _CONTENT_LENGTH,
    b"transfer-encoding": _TRANSFER_ENCODING,
    b"x-forwarded-for": _FORWARDED_FOR,
    b"origin": _KEEP_AND_READ_ORIGIN,
    b"x-apollo-operation-name": _KEEP_AND_READ_OPERATION,
    b"expect": _EXPECT,
    # hop-by-hop (RFC 9110 7.6.1), and what the gateway sets itself
    b"connection": _DROP,
    b"keep-alive": _DROP,
    b"proxy-connection": _DROP,
    b"proxy-authorization": _DROP,
    b"te": _DROP,
    b"trailer": _DROP,
    b"upgrade": _DROP,
    b"host": _DROP,
    b"accept-encoding": _DROP,
    b"x-forwarded-proto": _DROP,
    b"x-forwarded-host": _DROP,
    b"forwarded": _DROP,
}
# `x-bb-*` in any case (lowered above) and with underscores for dashes.
_TENANT_PREFIXES = frozenset({b"x-bb-", b"x_bb_", b"x-bb_", b"x_bb-"})

log = logging.getLogger("coffee.gateway")

# The largest request head (request line and headers) accepted; larger gets 431.
MAX_REQUEST_HEAD = 64 * 1024

_IDEMPOTENT = frozenset({b"GET", b"HEAD", b"OPTIONS", b"PUT", b"DELETE", b"TRACE"})


class Exchange:
    """One request and its response. Only the first exchange of a connection's queue runs."""

    __slots__ = (
        "auth_value",
        "body_seen",
        "channel",
        "chunked",
        "client",
        "client_id",
        "client_type",
        "close_after",
        "content_length",
        "device_id",
        "expect",
        "forwarded_for",
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
        framed = b"%x\r\n%b\r\n" % (len(data), data) if self.chunked else data
        if self.pending is None:
            self.upstream.write(framed)  # type: ignore[union-attr]
        else:
            self.pending.append(framed)

    def request_complete(self) -> None:
        self.req_done = True
        if not self.resp_done and self.chunked:
            if self.pending is None:
                self.upstream.write(b"0\r\n\r\n")  # type: ignore[union-attr]
            else:
                self.pending.append(b"0\r\n\r\n")
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
        head = wire.response_head(self, status, extra, content_type, len(body))
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
        data = self.head + b"".join(pending) if pending else self.head  # type: ignore[operator]
        conn.send(self, data, time.monotonic() + client.gateway.upstream_timeout)

    def upstream_head(self, head: bytes, body: bytes) -> int:
        out, length, status = wire.rewrite_response_head(self, head)
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
            and not self.chunked
            and not self.client.closed
        ):
            # A reused keep-alive connection that the upstream had closed, or a reset: retry once.
            self.retried = True
            self.pending = []
            gateway.metrics.count("upstream_retry")
            if conn is not None and not conn.reused:
                gateway.metrics.count("upstream_error")
            gateway.forward(self)
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
        "closed", "gateway", "head_bytes", "parser", "parsing", "peer", "queue", "transport",
    )  # fmt: skip

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpRequestParser(self)
        self.queue: deque[Exchange] = deque()
        self.parsing: Exchange | None = None
        self.closed = False
        self.peer = b""
        self.head_bytes = -1  # bytes received while a request head is incomplete, else -1

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        peer = transport.get_extra_info("peername")
        self.peer = peer[0].encode() if isinstance(peer, tuple) else b""
        self.gateway.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.gateway.connections.discard(self)
        for ex in self.queue:
            ex.abandon_upstream()
        self.queue.clear()

    def data_received(self, data: bytes) -> None:
        if self.closed:
            return  # a rejected connection in its lingering close
        if self.head_bytes >= 0:
            # llhttp sets no limit on a head: a client sending headers forever is cut here.
            self.head_bytes += len(data)
            if self.head_bytes > MAX_REQUEST_HEAD:
                self._bad_request(
                    b'{"error":"request head too large"}', b"431 Request Header Fields Too Large"
                )
                return
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._bad_request(b'{"error":"protocol upgrade is not supported"}')
        except httptools.HttpParserError:
            self._bad_request(b'{"error":"malformed HTTP request"}')
        except Exception:  # a bug must cost one connection, not the process (reported)
            log.exception("gateway failed on a request")
            self.gateway.metrics.count("internal_error")
            self._internal_error()

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
        self.head_bytes = 0

    def on_url(self, url: bytes) -> None:
        self.parsing.url += url  # type: ignore[union-attr]

    def on_header(self, name: bytes, value: bytes) -> None:
        # Every header is sorted here, once: read (and dropped or kept), or kept as raw bytes.
        ex = self.parsing
        lname = name.lower()
        action = _HEADER_ACTIONS.get(lname)
        if action is None:
            if lname[:5] not in _TENANT_PREFIXES:  # client-sent tenant headers never pass
                ex.kept.append(name + b": " + value + b"\r\n")  # type: ignore[union-attr]
        elif action == _AUTHORIZATION:
            ex.token = value[7:] if value[:7].lower() == b"bearer " else b""  # type: ignore[union-attr]
        elif action == _CLIENT_ID:
            ex.client_id = value  # type: ignore[union-attr]
        elif action == _CLIENT_TYPE:
            ex.client_type = value or b"CUSTOMER"  # type: ignore[union-attr]
        elif action == _CHANNEL:
            ex.channel = value  # type: ignore[union-attr]
        elif action == _DEVICE:
            ex.device_id = value  # type: ignore[union-attr]
        elif action == _CONTENT_LENGTH:
            ex.content_length = int(value) if value.isdigit() else -2  # type: ignore[union-attr]
        elif action == _TRANSFER_ENCODING:
            ex.chunked = True  # type: ignore[union-attr]
        elif action == _FORWARDED_FOR:
            ex.forwarded_for = value  # type: ignore[union-attr]
        elif action == _KEEP_AND_READ_ORIGIN:
            ex.origin = value  # type: ignore[union-attr]
            ex.kept.append(name + b": " + value + b"\r\n")  # type: ignore[union-attr]
        elif action == _KEEP_AND_READ_OPERATION:
            ex.operation = value  # type: ignore[union-attr]
            ex.kept.append(name + b": " + value + b"\r\n")  # type: ignore[union-attr]
        elif action == _EXPECT:
            ex.expect = value.lower() == b"100-continue"  # type: ignore[union-attr]
        # _DROP: hop-by-hop and gateway-owned headers

    def on_headers_complete(self) -> None:
        self.head_bytes = -1
        ex = self.parsing
        parser = self.parser
        ex.method = parser.get_method()  # type: ignore[union-attr]
        ex.close_after = not parser.should_keep_alive()  # type: ignore[union-attr]
        self.queue.append(ex)  # type: ignore[arg-type]
        if len(self.queue) == 1:
            ex.started = time.perf_counter()  # type: ignore[union-attr]
            self.gateway.dispatch(ex)  # type: ignore[arg-type]
        elif len(self.queue) > 8:
            self.transport.pause_reading()  # type: ignore[union-attr]

    def on_body(self, body: bytes) -> None:
        self.parsing.request_body(body)  # type: ignore[union-attr]

    def on_message_complete(self) -> None:
        ex = self.parsing
        self.parsing = None
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
        if queue:
            if len(queue) == 8:
                self.transport.resume_reading()  # type: ignore[union-attr]
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
