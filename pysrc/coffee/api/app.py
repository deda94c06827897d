"""The ASGI application: Litestar (OpenAPI at /schema, msgspec models) inside RequestLifecycle."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from litestar import Litestar, Request, Response
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from coffee.api import metrics, observability
from coffee.api.deps import request_context
from coffee.api.envelope import ApiError, error_body
from coffee.api.lifecycle import CTX_KEY, RequestLifecycle, RuntimeHolder
from coffee.api.runtime import Runtime
from coffee.api.settings import ApiSettings
from coffee.infra.admin_http import AdminServer
from coffee.infra.gc_tuning import freeze_startup_objects

log = logging.getLogger("coffee.api")


def _error(status: int, message: str) -> Response[bytes]:
    return Response(error_body(message), status_code=status, media_type="application/json")


def _api_error(_: Request, exc: ApiError) -> Response[bytes]:
    return _error(exc.status, exc.message)


def _http_error(_: Request, exc: HTTPException) -> Response[bytes]:
    detail = exc.detail
    extra = getattr(exc, "extra", None)
    if extra:
        detail = f"{detail}: {extra}"
    return _error(exc.status_code, str(detail))


def _unexpected(request: Request, exc: Exception) -> Response[bytes]:
    ctx = request.scope.get(CTX_KEY)  # type: ignore[call-overload]
    observability.report(
        exc,
        "unhandled error",
        request.method,
        request.url.path,
        ctx.tenant.describe() if ctx else None,
        ctx.body if ctx else b"",
    )
    log.exception("unhandled error in %s %s", request.method, request.url.path, exc_info=exc)
    return _error(500, "internal error: nothing was saved")


def _metrics_text() -> tuple[bytes, str]:
    return generate_latest(metrics.REGISTRY), CONTENT_TYPE_LATEST


def module_routes(settings: ApiSettings) -> list[Any]:
    from coffee.api.modules.discovery import routes as discovery

    out: list[Any] = []
    out += discovery.routes(settings)
    for name in ("identity", "partner"):
        try:
            module = __import__(f"coffee.api.modules.{name}.routes", fromlist=["routes"])
        except ModuleNotFoundError:
            continue
        out += module.routes(settings)
    return out


def build(
    settings: ApiSettings,
    extra_routes: Sequence[Any] = (),
    runtime_factory: Any = None,
) -> RequestLifecycle:
    """The app for one worker; the runtime (pools, clients) opens at startup, closes at shutdown."""
    holder = RuntimeHolder()
    admin = AdminServer(lambda: holder.runtime.heartbeat if holder.runtime else None, _metrics_text)

    async def startup() -> None:
        factory = runtime_factory or Runtime.open
        holder.runtime = await factory(settings)
        # Workers share the admin port as granian makes them share the public one.
        await admin.start(
            settings.api_admin_host, settings.api_admin_port, reuse_port=settings.workers > 1
        )
        freeze_startup_objects()

    async def shutdown() -> None:
        await admin.close()
        if holder.runtime is not None:
            await holder.runtime.close()
            holder.runtime = None

    app = Litestar(
        route_handlers=[*module_routes(settings), *extra_routes],
        dependencies={"ctx": Provide(request_context, sync_to_thread=False)},
        exception_handlers={
            ApiError: _api_error,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
        on_startup=[startup],
        on_shutdown=[shutdown],
        openapi_config=OpenAPIConfig(title="Coffee api", version="1.0.0"),
        debug=False,
    )
    lifecycle = RequestLifecycle(app, holder)
    lifecycle.litestar = app  # type: ignore[attr-defined]
    return lifecycle
