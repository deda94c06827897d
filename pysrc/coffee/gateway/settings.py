"""The gateway's settings: environment variables (the original's names) plus the route table file.

Scalar settings come from the environment through `coffee.config.load`; the route table and
the per-plan limits come from a TOML file (`routes.toml` beside this module by default) with
environment overrides, so adding a service is one line in either place.
"""

from __future__ import annotations

import os
import pathlib
import tomllib
from collections.abc import Mapping
from typing import Annotated

import msgspec
from msgspec import Meta

from coffee.config import GiB, SettingsError, load

DEFAULT_ROUTES_FILE = pathlib.Path(__file__).with_name("routes.toml")
ROUTE_ENV_PREFIX = "GATEWAY_ROUTE__"


class GatewaySettings(msgspec.Struct, frozen=True, kw_only=True):
    port: Annotated[int, Meta(ge=0, le=65535)] = 8080
    host: str = "0.0.0.0"
    # The original's JWT secret, base64 encoded; the HMAC key is its decoded bytes.
    hmac_secret: str = ""
    # Comma-separated allow-list of JWT algorithms.
    jwt_algorithms: str = "HS256,HS384,HS512"
    # A JWKS / JWK (JSON) or PEM public key; when set it replaces the HMAC secret.
    jwt_keys: str = ""
    # Seconds of clock skew allowed on exp, nbf and iat (also how long past exp claims stay cached).
    jwt_leeway: Annotated[float, Meta(ge=0)] = 0.0
    # A token without `exp` is refused unless this is false (it would then be valid forever).
    jwt_require_exp: bool = True
    # When set, a token must carry this audience (comma-separated: any of them) / this issuer.
    jwt_audience: str = ""
    jwt_issuer: str = ""
    # A JWKS URL (http:// or https://) instead of JWT_KEYS / HMAC_SECRET: fetched at start, every
    # JWKS_REFRESH_INTERVAL s, and on a token with an unknown kid at most once per
    # JWKS_MIN_REFETCH_INTERVAL s. A failed fetch keeps the last good key set.
    jwks_url: str = ""
    jwks_refresh_interval: Annotated[float, Meta(gt=0)] = 300.0
    jwks_min_refetch_interval: Annotated[float, Meta(ge=0)] = 30.0
    jwks_timeout: Annotated[float, Meta(gt=0)] = 2.0
    # A CA bundle (PEM) trusted besides the system's for https:// IDENTITY_URL, PARTNER_URL and
    # JWKS_URL (a private CA); empty = the system's only.
    service_ca_file: str = ""
    saas_url: str = "http://127.0.0.1:8000"
    saas_data_url: str = "http://127.0.0.1:8000"
    identity_url: str = "http://127.0.0.1:8000"
    partner_url: str = "http://127.0.0.1:8000"
    redis_cluster_addresses: str = "127.0.0.1:6379"
    redis_cluster_password: str = ""
    # A Sentinel master name: REDIS_CLUSTER_ADDRESSES then lists the Sentinels.
    redis_sentinel_master: str = ""
    # A Redis call slower than this counts as a failure (the identity fallback takes over).
    redis_timeout: Annotated[float, Meta(gt=0)] = 0.05
    breaker_failures: Annotated[int, Meta(ge=1)] = 5
    breaker_reset: Annotated[float, Meta(gt=0)] = 2.0
    identity_timeout: Annotated[float, Meta(gt=0)] = 2.0
    partner_timeout: Annotated[float, Meta(gt=0)] = 2.0
    l1_max_cost: Annotated[int, Meta(ge=1)] = GiB
    # Bounds staleness: a session revoked while an invalidation message was lost lives at most this.
    l1_session_ttl: Annotated[float, Meta(gt=0)] = 60.0
    # A contract is re-read from the partner service after this; served stale if that fails.
    partner_ttl: Annotated[float, Meta(gt=0)] = 30.0
    upstream_connect_timeout: Annotated[float, Meta(gt=0)] = 2.0
    # The wait for the first byte of the upstream's answer (after the request is sent).
    upstream_timeout: Annotated[float, Meta(gt=0)] = 30.0
    # The longest silence inside an answer (or a request body being sent): a stream that
    # keeps flowing is never cut.
    upstream_idle_timeout: Annotated[float, Meta(gt=0)] = 30.0
    # Client side: a whole request head must arrive within this; a body may pause this long
    # between reads; an idle keep-alive connection is closed after this.
    header_read_timeout: Annotated[float, Meta(gt=0)] = 10.0
    body_read_timeout: Annotated[float, Meta(gt=0)] = 30.0
    keepalive_timeout: Annotated[float, Meta(gt=0)] = 75.0
    # Open client connections per worker; one more is answered 503 and closed.
    max_client_connections: Annotated[int, Meta(ge=1)] = 10_000
    # Request bytes one connection may hold while waiting for an upstream (pipelined requests,
    # bodies during authorization); above it the gateway stops reading that connection.
    max_connection_buffer: Annotated[int, Meta(ge=1024)] = 2 << 20
    # Comma-separated peer addresses whose X-Forwarded-Proto / X-Forwarded-Host are believed.
    trusted_proxies: str = ""
    upstream_pool_size: Annotated[int, Meta(ge=1)] = 256
    # The admin listener: PUT /heartbeat/ (drains the node) and GET /metrics. Loopback by default;
    # the public port answers GET /heartbeat/ only (where the original's load balancer reads it).
    gateway_admin_host: str = "127.0.0.1"
    gateway_admin_port: Annotated[int, Meta(ge=0, le=65535)] = 9080
    # requests_winkl's clientId / channel labels: these values as sent, any other as "other"
    # (a label per client-chosen value would grow without bound). Comma-separated.
    gateway_metric_clients: str = "web,android,ios"
    gateway_metric_channels: str = "web,android,ios"
    # The largest request body forwarded (413 above): the api's limit. The gateway holds a
    # body whole before forwarding it (its signature covers the body's digest).
    max_request_bytes: Annotated[int, Meta(ge=0)] = 1 << 20
    # A node starts NOT beating (as the original) until `PUT /heartbeat/?beat=true`.
    heartbeat_start: bool = False
    # Comma-separated origins allowed by CORS (the original hard-coded its list).
    cors_origins: str = ""
    gateway_signature_secret: str = ""
    session_invalidation_channel: str = "session-invalidation"
    rate_limit_enabled: bool = True
    # The unauthenticated device-init route (POST /{service}/api/auth/init): token buckets
    # per device id and per client address, requests per second and burst.
    device_init_rate: Annotated[float, Meta(gt=0)] = 1.0
    device_init_burst: Annotated[int, Meta(ge=1)] = 5
    device_init_address_rate: Annotated[float, Meta(gt=0)] = 5.0
    device_init_address_burst: Annotated[int, Meta(ge=1)] = 30
    # The route table (TOML); empty = routes.toml beside this module. Env: GATEWAY_ROUTES_FILE.
    gateway_routes_file: str = ""


class Route(msgspec.Struct, frozen=True):
    service: str
    upstream: str  # scheme://host:port
    auth: bool = True


class PlanLimit(msgspec.Struct, frozen=True):
    rate: Annotated[float, Meta(gt=0)]
    burst: Annotated[int, Meta(ge=1)]


class RouteTable(msgspec.Struct, frozen=True):
    routes: dict[str, Route]
    plans: dict[str, PlanLimit]


def _resolve_upstream(name: str, settings: GatewaySettings) -> str:
    named = {"saas": settings.saas_url, "saas_data": settings.saas_data_url}
    url = named.get(name, name).rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise SettingsError(
            f"upstream {name!r} is neither 'saas', 'saas_data' nor an http:// or https:// URL"
        )
    return url


def load_route_table(
    settings: GatewaySettings, environ: Mapping[str, str] | None = None
) -> RouteTable:
    """The route table and plan limits: the TOML file, then GATEWAY_ROUTE__* overrides."""
    environ = os.environ if environ is None else environ
    path = pathlib.Path(settings.gateway_routes_file or DEFAULT_ROUTES_FILE)
    try:
        doc = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"route table {path}: {exc}") from None
    routes: dict[str, Route] = {}
    for service, spec in doc.get("services", {}).items():
        if not isinstance(spec, dict) or "upstream" not in spec:
            raise SettingsError(f"route table {path}: service {service!r} needs an upstream")
        upstream = _resolve_upstream(str(spec["upstream"]), settings)
        routes[service] = Route(service, upstream, bool(spec.get("auth", True)))
    for name, value in environ.items():
        if not name.startswith(ROUTE_ENV_PREFIX):
            continue
        service = name[len(ROUTE_ENV_PREFIX) :].lower().replace("_", "-")
        target, _, flag = value.partition(";")
        if flag not in ("", "noauth"):
            raise SettingsError(f"{name}={value!r}: the only flag is ';noauth'")
        routes[service] = Route(service, _resolve_upstream(target, settings), flag != "noauth")
    try:
        plans = msgspec.convert(doc.get("plans", {}), dict[str, PlanLimit])
    except msgspec.ValidationError as exc:
        raise SettingsError(f"route table {path}: plans: {exc}") from None
    return RouteTable(routes=routes, plans=plans)


def load_settings(environ: Mapping[str, str] | None = None) -> GatewaySettings:
    return load(GatewaySettings, environ)
