"""`coffee gateway`: build the gateway from its settings and serve it on uvloop.

    coffee gateway [--host H] [--port P] [--workers N]

Each worker is a process with its own event loop, L1 and upstream pools, all bound to the
same port (SO_REUSEPORT). SIGTERM/SIGINT stop accepting, let in-flight requests finish (up
to `--drain` seconds) and exit.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Mapping

import uvloop

from coffee._native import Cache, JwtVerifier
from coffee.config import CommonSettings, SettingsError, load
from coffee.gateway.app import Gateway
from coffee.gateway.auth import TokenAuthorizer
from coffee.gateway.jwks import JwksKeys, StaticKeys
from coffee.gateway.metrics import GatewayMetrics
from coffee.gateway.partners import PartnerContracts
from coffee.gateway.ratelimit import RateLimiter
from coffee.gateway.server import ClientConnection
from coffee.gateway.service_client import ServiceClient
from coffee.gateway.sessions import SessionChain, listen_invalidations
from coffee.gateway.settings import (
    GatewaySettings,
    PlanLimit,
    RouteTable,
    load_route_table,
    load_settings,
)
from coffee.infra import redis_connect
from coffee.infra.admin_http import AdminServer
from coffee.infra.breaker import CircuitBreaker
from coffee.infra.gc_tuning import freeze_startup_objects

log = logging.getLogger("coffee.gateway")


def make_verifier(settings: GatewaySettings, fetched: bytes | None = None) -> JwtVerifier:
    """The verifier for the settings' keys, or for a fetched JWKS document."""
    algorithms = [a.strip() for a in settings.jwt_algorithms.split(",") if a.strip()]
    audience = [a.strip() for a in settings.jwt_audience.split(",") if a.strip()]
    if fetched is not None:
        keys: str | bytes = fetched
    elif settings.jwt_keys:
        keys = settings.jwt_keys
    else:
        if not settings.hmac_secret:
            raise SettingsError("HMAC_SECRET is required (base64 of the JWT HMAC key)")
        try:
            keys = base64.b64decode(settings.hmac_secret, validate=True)
        except (binascii.Error, ValueError):
            raise SettingsError("HMAC_SECRET is not valid base64") from None
    try:
        return JwtVerifier(
            keys,
            algorithms,
            audience=audience or None,
            issuer=settings.jwt_issuer or None,
            leeway=settings.jwt_leeway,
            required=("exp",) if settings.jwt_require_exp else (),
        )
    except ValueError as exc:
        if fetched is not None:
            raise  # a bad JWKS document: the fetcher keeps the last good set
        raise SettingsError(f"JWT settings: {exc}") from None


def service_clients(
    settings: GatewaySettings, pool_size: int
) -> tuple[ServiceClient, ServiceClient]:
    """The identity and partner services' clients (http:// or https://)."""
    try:
        return tuple(  # type: ignore[return-value]
            ServiceClient(
                url,
                timeout=timeout,
                connect_timeout=settings.upstream_connect_timeout,
                pool_size=pool_size,
                ca_file=settings.service_ca_file,
            )
            for url, timeout in (
                (settings.identity_url, settings.identity_timeout),
                (settings.partner_url, settings.partner_timeout),
            )
        )
    except (ValueError, OSError) as exc:  # a bad URL, an unreadable SERVICE_CA_FILE
        raise SettingsError(f"identity / partner settings: {exc}") from None


def check_keys(settings: GatewaySettings) -> None:
    """Refuses bad JWT settings at start, not on the first request."""
    if not settings.jwks_url:
        make_verifier(settings)
        return
    if not settings.jwks_url.startswith(("http://", "https://")):
        raise SettingsError("JWKS_URL must be an http:// or https:// URL")
    if settings.service_ca_file and not os.path.isfile(settings.service_ca_file):
        raise SettingsError(f"SERVICE_CA_FILE {settings.service_ca_file!r} is not a file")


def make_keys(settings: GatewaySettings, metrics: GatewayMetrics) -> StaticKeys | JwksKeys:
    if not settings.jwks_url:
        return StaticKeys(make_verifier(settings))
    check_keys(settings)
    client = ServiceClient(
        settings.jwks_url,
        timeout=settings.jwks_timeout,
        connect_timeout=settings.upstream_connect_timeout,
        pool_size=2,
        ca_file=settings.service_ca_file,
    )
    return JwksKeys(
        client,
        lambda document: make_verifier(settings, document),
        metrics,
        refresh_interval=settings.jwks_refresh_interval,
        min_refetch_interval=settings.jwks_min_refetch_interval,
    )


def device_init_limiter(
    settings: GatewaySettings, redis: object, breaker: CircuitBreaker, metrics: GatewayMetrics
) -> RateLimiter | None:
    """Token buckets for the unauthenticated device-init route: per device id, per address."""
    if not settings.rate_limit_enabled:
        return None
    plans = {
        "DEVICE": PlanLimit(settings.device_init_rate, settings.device_init_burst),
        "ADDRESS": PlanLimit(settings.device_init_address_rate, settings.device_init_address_burst),
    }
    return RateLimiter(
        redis, breaker, plans, metrics, settings.redis_timeout, prefix="ratelimit:device-init"
    )


class Built:
    """The gateway and what runs beside it."""

    def __init__(
        self,
        gateway: Gateway,
        l1: Cache,
        redis: object,
        pubsub_redis: object,
        sessions: SessionChain,
        breaker: CircuitBreaker,
        keys: StaticKeys | JwksKeys,
        clients: tuple[ServiceClient, ...] = (),
    ) -> None:
        self.keys = keys
        self.clients = clients
        self.gateway = gateway
        self.l1 = l1
        self.redis = redis
        self.pubsub_redis = pubsub_redis
        self.sessions = sessions
        self.breaker = breaker


def build(settings: GatewaySettings, table: RouteTable) -> Built:
    metrics = GatewayMetrics(settings.gateway_metric_clients, settings.gateway_metric_channels)
    l1 = Cache(settings.l1_max_cost)
    keys = make_keys(settings, metrics)
    try:
        redis = redis_connect.connect(
            settings.redis_cluster_addresses,
            settings.redis_cluster_password,
            settings.redis_timeout,
            settings.redis_sentinel_master,
        )
        pubsub_redis = redis_connect.connect(
            settings.redis_cluster_addresses,
            settings.redis_cluster_password,
            None,
            settings.redis_sentinel_master,
        )
    except ValueError as exc:
        raise SettingsError(f"REDIS_CLUSTER_ADDRESSES: {exc}") from None
    breaker = CircuitBreaker(settings.breaker_failures, settings.breaker_reset)
    pool_size = max(8, settings.upstream_pool_size // 4)
    identity, partner = service_clients(settings, pool_size)
    sessions = SessionChain(
        l1, redis, breaker, identity, metrics, settings.l1_session_ttl, settings.redis_timeout
    )
    partners = PartnerContracts(l1, partner, metrics, settings.partner_ttl)
    limiter = None
    if settings.rate_limit_enabled and table.plans:
        limiter = RateLimiter(redis, breaker, table.plans, metrics, settings.redis_timeout)
    authorizer = TokenAuthorizer(
        keys,
        l1,
        sessions,
        partners,
        limiter,
        metrics,
        claims_ttl_without_exp=settings.l1_session_ttl,
        init_limiter=device_init_limiter(settings, redis, breaker, metrics),
    )
    gateway = Gateway(settings, table, authorizer, metrics)

    def stat(name: str) -> float:
        return float(l1.stats()[name])

    for name in ("hits", "misses", "cost_used", "max_cost", "evicted", "rejected"):
        metrics.gauge(f"gateway_l1_{name}", f"L1 cache {name}", lambda n=name: stat(n))
    metrics.gauge(
        "gateway_redis_breaker_state", "0 closed, 1 open, 2 half-open", lambda: float(breaker.state)
    )
    metrics.gauge(
        "gateway_redis_breaker_opened",
        "times the Redis breaker opened",
        lambda: float(breaker.opened),
    )
    metrics.gauge("gateway_heartbeat", "1 while beating", lambda: float(gateway.heartbeat.beating))
    if isinstance(keys, JwksKeys):
        metrics.gauge(
            "gateway_jwks_fetched_timestamp_seconds",
            "when the JWKS was last fetched successfully (0: never)",
            lambda: keys.fetched_at,
        )
    return Built(gateway, l1, redis, pubsub_redis, sessions, breaker, keys, (identity, partner))


def _init_sentry(dsn: str, env: str) -> None:
    """Unexpected errors (the original recovered panics) go to Sentry when SENTRY_DSN is set."""
    if dsn:
        import sentry_sdk

        sentry_sdk.init(dsn=dsn, environment=env, traces_sample_rate=0.0)


async def serve(
    settings: GatewaySettings, table: RouteTable, drain: float = 10.0, workers: int = 1
) -> None:
    built = build(settings, table)
    freeze_startup_objects()
    gateway = built.gateway
    await built.keys.start()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: ClientConnection(gateway),
        settings.host,
        settings.port,
        reuse_port=True,
        backlog=4096,
    )
    gateway.start()
    admin = AdminServer(
        lambda: gateway.heartbeat,
        lambda: (gateway.metrics.render(), "text/plain; version=0.0.4"),
    )
    admin_port = await admin.start(
        # Workers share the admin port as they share the public one; a lone process does not,
        # so two gateways given the same admin port fail loudly instead of splitting it.
        settings.gateway_admin_host,
        settings.gateway_admin_port,
        reuse_port=workers > 1,
    )
    listener = loop.create_task(
        listen_invalidations(
            built.pubsub_redis, settings.session_invalidation_channel, built.sessions
        )
    )
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log.info(
        "gateway listening on %s:%s with %d routes", settings.host, settings.port, len(table.routes)
    )
    print(
        f"gateway ready on {settings.host}:{settings.port}"
        f" (admin {settings.gateway_admin_host}:{admin_port})",
        flush=True,
    )
    await stop.wait()
    server.close()
    await admin.close()
    deadline = loop.time() + drain
    while gateway.busy() and loop.time() < deadline:
        await asyncio.sleep(0.05)
    listener.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await listener
    await gateway.close()
    await built.keys.close()
    for service in built.clients:
        await service.close()
    for client in (built.redis, built.pubsub_redis):
        with contextlib.suppress(Exception):
            await client.aclose()  # type: ignore[attr-defined]


def _run_worker(
    settings: GatewaySettings, table: RouteTable, drain: float, workers: int = 1
) -> int:
    uvloop.run(serve(settings, table, drain, workers))
    return 0


def main(argv: list[str], environ: Mapping[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="coffee gateway",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", help="listen address (default: HOST or 0.0.0.0)")
    parser.add_argument("--port", type=int, help="listen port (default: PORT or 8080)")
    parser.add_argument("--workers", type=int, default=1, help="processes (default 1)")
    parser.add_argument("--drain", type=float, default=10.0, help="seconds to finish on stop")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(environ)
        overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
        if overrides:
            settings = GatewaySettings(**{**_as_dict(settings), **overrides})
        table = load_route_table(settings, environ)
        check_keys(settings)
        common = load(CommonSettings, environ)
    except SettingsError as exc:
        print(f"coffee gateway: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=common.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    _init_sentry(common.sentry_dsn, common.env)
    if args.workers <= 1:
        return _run_worker(settings, table, args.drain)
    children = []
    for _ in range(args.workers):
        pid = os.fork()
        if pid == 0:
            os._exit(_run_worker(settings, table, args.drain, args.workers))
        children.append(pid)

    def forward(signum: int, _frame: object) -> None:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    status = 0
    for child in children:
        _, code = os.waitpid(child, 0)
        status = status or os.waitstatus_to_exitcode(code)
    return status


def _as_dict(settings: GatewaySettings) -> dict[str, object]:
    import msgspec

    return msgspec.structs.asdict(settings)
