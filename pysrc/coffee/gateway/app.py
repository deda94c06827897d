"""The gateway's request dispatch: route, authorize (fast path in L1, slow path as a task),
rewrite the head, and hand the exchange to a pooled upstream connection."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from bisect import bisect_left
from typing import TYPE_CHECKING, Protocol

from coffee.gateway.metrics import LATENCY_BUCKETS, OTHER, GatewayMetrics
from coffee.gateway.requestid import RequestIds
from coffee.gateway.service_client import ssl_context
from coffee.gateway.upstream import UpstreamPool
from coffee.infra import tenant_signature
from coffee.infra.heartbeat import Heartbeat

if TYPE_CHECKING:
    from coffee.gateway.server import ClientConnection, Exchange
    from coffee.gateway.settings import GatewaySettings, RouteTable

log = logging.getLogger("coffee.gateway")

NEEDS_SLOW_PATH = -1
# The signed message's constants come from the one definition the api verifies against; the
# message itself is joined inline here (the hot path), in `tenant_signature.canonical`'s order.
_SIGNATURE_VERSION = tenant_signature.VERSION.encode()
_EMPTY_DIGEST = tenant_signature.EMPTY_BODY_DIGEST.encode()


class Authorizer(Protocol):
    """Sets the exchange's tenant headers and plan, or says why not.

    ``fast`` answers 0 (authorized), an HTTP status to reject with, or NEEDS_SLOW_PATH when a
    level of the chain (claims, session, contract, rate-limit tokens) is not in memory;
    ``slow`` then answers 0 or a status after the network calls.
    """

    def fast(self, ex: Exchange) -> int: ...
    async def slow(self, ex: Exchange) -> int: ...
    def public(self, ex: Exchange) -> int: ...


class RouteEntry:
    __slots__ = ("auth", "name", "pool")

    def __init__(self, name: str, pool: UpstreamPool, auth: bool) -> None:
        self.name = f"/{name}/*any"  # the original's route pattern, a bounded metrics label
        self.pool = pool
        self.auth = auth


_REJECT_BODIES = {
    400: b'{"error":"invalid x-bb-deviceid: 1 to 128 of A-Z a-z 0-9 . _ -"}',
    401: b'{"error":"unauthorized"}',
    403: b'{"error":"forbidden"}',
    429: b'{"error":"rate limit exceeded"}',
    503: b'{"error":"authentication temporarily unavailable"}',
}


class Gateway:
    def __init__(
        self,
        settings: GatewaySettings,
        table: RouteTable,
        authorizer: Authorizer,
        metrics: GatewayMetrics | None = None,
    ) -> None:
        self.settings = settings
        self.auth = authorizer
        self.metrics = metrics or GatewayMetrics()
        self.heartbeat = Heartbeat(settings.heartbeat_start)
        self.ids = RequestIds()
        self.connections: set[ClientConnection] = set()
        self.max_request_bytes = settings.max_request_bytes
        self.upstream_first_byte_timeout = settings.upstream_timeout
        self.header_read_timeout = settings.header_read_timeout
        self.body_read_timeout = settings.body_read_timeout
        self.keepalive_timeout = settings.keepalive_timeout
        self.max_client_connections = settings.max_client_connections
        self.max_connection_buffer = settings.max_connection_buffer
        self.trusted_proxies = frozenset(
            p.strip().encode() for p in settings.trusted_proxies.split(",") if p.strip()
        )
        self.origins = frozenset(
            o.strip().encode() for o in settings.cors_origins.split(",") if o.strip()
        )
        # The keyed HMAC state is prepared once and copied per request (saves the key schedule
        # and the digest lookup of a one-shot hmac.digest).
        secret = settings.gateway_signature_secret.encode()
        self.signer = hmac.new(secret, digestmod=hashlib.sha256) if secret else None
        self.pools: dict[str, UpstreamPool] = {}
        self.routes: dict[bytes, RouteEntry] = {}
        upstream_tls = ssl_context(settings.service_ca_file)  # for https:// upstreams
        for service, route in table.routes.items():
            pool = self.pools.get(route.upstream)
            if pool is None:
                pool = self.pools[route.upstream] = UpstreamPool(
                    route.upstream,
                    settings.upstream_pool_size,
                    settings.upstream_connect_timeout,
                    idle_timeout=settings.upstream_idle_timeout,
                    tls=upstream_tls,
                )
            self.routes[service.encode()] = RouteEntry(service, pool, route.auth)
        self.side_pools: list[UpstreamPool] = []  # identity and partner: timed out by the sweeper
        self._tasks: set[asyncio.Task[None]] = set()
        self._sweeper: asyncio.Task[None] | None = None

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> None:
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep_timeouts())

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
        for task in list(self._tasks):
            task.cancel()
        for conn in list(self.connections):
            conn.close()
        for pool in (*self.pools.values(), *self.side_pools):
            pool.close()

    def busy(self) -> bool:
        """Whether any request is still being answered (for draining on stop)."""
        return any(conn.queue for conn in self.connections)

    async def _sweep_timeouts(self) -> None:
        # One coarse timer for every in-flight upstream call and every client connection
        # instead of a timer per request.
        while True:
            await asyncio.sleep(0.25)
            now = time.monotonic()
            for client in list(self.connections):
                client.timed_out(now)
            for pool in (*self.pools.values(), *self.side_pools):
                for conn in pool.expire(now):
                    sink = conn.sink
                    conn.abort()
                    if sink is not None:
                        sink.upstream_timeout()  # type: ignore[attr-defined]

    def _spawn(self, coro: object) -> None:
        task = asyncio.ensure_future(coro)  # type: ignore[call-overload]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- per request ---------------------------------------------------------------------------
    def origin_allowed(self, origin: bytes) -> bool:
        return origin in self.origins

    def dispatch(self, ex: Exchange) -> None:
        ids = self.ids
        ids.counter = n = (ids.counter + 1) & 0xFFFFFFFFFFFF
        ex.request_id = ids.prefix + b"%012x" % n
        url = ex.url
        q = url.find(b"?")
        path = url if q < 0 else url[:q]
        slash = path.find(b"/", 1)
        entry = self.routes.get(path[1:slash] if slash > 0 else path[1:])
        if entry is None:
            self._local(ex, path, b"" if q < 0 else url[q + 1 :])
            return
        ex.route = entry
        ex.route_name = entry.name
        if ex.method == b"OPTIONS" and ex.origin:
            self._preflight(ex)
            return
        if ex.content_length > self.max_request_bytes or ex.content_length == -2:
            ex.close_after = True
            if ex.content_length == -2:
                ex.respond(400, b'{"error":"bad content-length"}')
            else:
                ex.respond(413, b'{"error":"request body too large"}')
            return
        if entry.auth:
            status = self.auth.fast(ex)
            if status:
                if status == NEEDS_SLOW_PATH:
                    self._spawn(self._slow(ex))
                else:
                    self.reject(ex, status)
                return
        else:
            status = self.auth.public(ex)
            if status:
                self.reject(ex, status)
                return
        self.forward(ex)

    async def _slow(self, ex: Exchange) -> None:
        try:
            status = await self.auth.slow(ex)
        except Exception:
            log.exception("authorization failed unexpectedly")
            status = 503
        if ex.client.closed or ex.resp_started:
            return
        if status:
            self.reject(ex, status)
        else:
            self.forward(ex)

    def reject(self, ex: Exchange, status: int) -> None:
        self.metrics.count(f"rejected_{status}")
        extra = b"retry-after: 1\r\n" if status in (429, 503) else b""
        ex.respond(status, _REJECT_BODIES.get(status, b'{"error":"rejected"}'), extra)

    def forward(self, ex: Exchange) -> None:
        if not ex.req_done:  # the signature covers the body: forward once it is all here
            if ex.expect:  # only now that the auth decision passed
                ex.expect = False
                ex.client.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            ex.awaiting_body = True
            return
        pool = ex.route.pool
        peer = ex.client.peer
        xff = ex.forwarded_for + b", " + peer if ex.forwarded_for else peer
        if peer in self.trusted_proxies:  # a proxy in front of us says what the client used
            proto = ex.forwarded_proto if ex.forwarded_proto in (b"http", b"https") else b"http"
            fhost = (
                b"x-forwarded-host: " + ex.forwarded_host + b"\r\n" if ex.forwarded_host else b""
            )
        else:
            proto, fhost = b"http", b""
        pending = ex.pending
        body = b"".join(pending) if pending else b""
        ex.pending = [body] if body else []
        if body or ex.chunked or ex.content_length >= 0:
            framing = b"content-length: %d\r\n\r\n" % len(body)
        else:
            framing = b"\r\n"
        url = ex.url
        ts = b"%d" % int(time.time())
        signer = self.signer
        if signer is not None:
            q = url.find(b"?")
            path = pool.base_path + (url if q < 0 else url[:q])  # as the upstream sees it
            query = b"" if q < 0 else url[q + 1 :]
            digest = hashlib.sha256(body).hexdigest().encode() if body else _EMPTY_DIGEST
            mac = signer.copy()
            mac.update(b"\n".join((_SIGNATURE_VERSION, ex.method, path, query, ex.partner_id,
                                   ex.plan, ex.auth_value, ts, ex.request_id,
                                   digest)))  # fmt: skip
            signature = mac.hexdigest().encode()
        else:
            signature = b""
        ex.head = b"".join(
            (
                ex.method,
                b" ",
                pool.base_path,
                url,
                b" HTTP/1.1\r\nhost: ",
                pool.host_header,
                b"\r\n",
                *ex.kept,
                b"x-bb-clientid: ",
                ex.client_id,
                b"\r\nx-bb-clienttype: ",
                ex.client_type,
                b"\r\nx-bb-channelid: ",
                ex.channel,
                b"\r\nx-bb-deviceid: ",
                ex.device_id,
                b"\r\n",
                ex.tenant,
                b"x-bb-plan-type: ",
                ex.plan,
                b"\r\nx-bb-requestid: ",
                ex.request_id,
                b"\r\nx-forwarded-for: ",
                xff,
                b"\r\nx-forwarded-proto: ",
                proto,
                b"\r\n",
                fhost,
                b"x-bb-gateway-timestamp: ",
                ts,
                b"\r\nx-bb-gateway-signature: ",
                signature,
                b"\r\n",
                framing,
            )
        )
        self.send_upstream(ex)

    def send_upstream(self, ex: Exchange) -> None:
        pool = ex.route.pool
        conn = pool.take_idle()
        if conn is not None:
            ex.attach(conn)
        else:
            self._spawn(self._connect(ex, pool))

    async def _connect(self, ex: Exchange, pool: UpstreamPool) -> None:
        try:
            conn = await pool.connect()
        except (OSError, TimeoutError):
            ex.upstream_failed(False)
            return
        ex.attach(conn)

    def observe(self, ex: Exchange) -> None:
        # GatewayMetrics.observe, inlined: this runs once per request.
        m = self.metrics
        route = ex.route_name
        status = ex.status
        # Client-chosen label values are bounded: the known ones, else "other".
        channel = m.channels.get(ex.channel, OTHER)
        key = (ex.method, route, channel, m.clients.get(ex.client_id, OTHER), status)
        winkl = m.winkl
        winkl[key] = winkl.get(key, 0) + 1
        rkey = (route, status)
        requests = m.requests
        requests[rkey] = requests.get(rkey, 0) + 1
        buckets = m.latency.get(route)
        if buckets is None:
            m.observe_latency(route, time.perf_counter() - ex.started)
        else:
            seconds = time.perf_counter() - ex.started
            buckets[bisect_left(LATENCY_BUCKETS, seconds)] += 1
            m.latency_sum[route] += seconds

    # -- answers of the gateway itself ---------------------------------------------------------
    def _local(self, ex: Exchange, path: bytes, query: bytes) -> None:
        if path in (b"/heartbeat/", b"/heartbeat"):
            ex.route_name = "/heartbeat/"
            if ex.method not in (b"GET", b"HEAD"):  # changes: the admin listener only
                ex.respond(403, b'{"error":"change the heartbeat on GATEWAY_ADMIN_PORT"}')
                return
            status, body = self.heartbeat.handle(ex.method.decode(), query.decode("latin-1"))
            ex.respond(status, body)
        else:
            ex.respond(404, b'{"error":"no such service"}')

    def _preflight(self, ex: Exchange) -> None:
        if not self.origin_allowed(ex.origin):
            ex.respond(403, b'{"error":"origin not allowed"}')
            return
        requested = b""
        for line in ex.kept:
            if line[:31].lower() == b"access-control-request-headers:":
                requested = line[31:].strip()
        extra = (
            b"access-control-allow-methods: HEAD, GET, POST, OPTIONS, PUT, PATCH, DELETE\r\n"
            b"access-control-allow-headers: "
            + (requested or b"*")
            + b"\r\naccess-control-max-age: 43200\r\n"
        )
        ex.respond(204, b"", extra)
