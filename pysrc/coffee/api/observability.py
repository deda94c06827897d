"""Sentry reports and the slow-request log, both with the request body redacted."""

from __future__ import annotations

import logging
import sys
from typing import Any

import orjson
import sentry_sdk

from coffee.api.redact import redact_body

slow_log = logging.getLogger("coffee.api.slow")


def init_sentry(dsn: str, env: str) -> None:
    """Enabled only when SENTRY_DSN is set. The request body reaches Sentry only through
    `report`, redacted: stack-frame locals (which hold the raw body) and the integrations' own
    body capture are off, and headers that carry credentials are dropped."""
    if dsn:
        sentry_sdk.init(
            dsn=dsn,
            environment=env,
            send_default_pii=False,
            include_local_variables=False,
            max_request_body_size="never",
            traces_sample_rate=0,
            before_send=_scrub,
        )


def _scrub(event: dict[str, Any], _hint: dict[str, Any]) -> dict[str, Any]:
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("data", None)
        request.pop("cookies", None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            for name in list(headers):
                if name.lower() in ("authorization", "cookie", "x-bb-gateway-signature"):
                    headers[name] = "[redacted]"
    return event


def report(
    exc: BaseException | None,
    message: str,
    method: str,
    path: str,
    tenant: dict[str, Any] | None,
    body: bytes,
) -> None:
    """Sends an error to Sentry (a no-op when Sentry is not enabled)."""
    if not sentry_sdk.get_client().is_active():
        return
    with sentry_sdk.new_scope() as scope:
        scope.set_tag("method", method)
        scope.set_tag("path", path)
        if tenant:
            scope.set_tag("partner_id", tenant.get("partnerId") or "")
            scope.set_tag("plan", tenant.get("plan") or "")
        scope.set_context(
            "request", {"method": method, "path": path, "tenant": tenant, "body": redact_body(body)}
        )
        if exc is not None:
            sentry_sdk.capture_exception(exc)
        else:
            sentry_sdk.capture_message(message, level="error")


def setup_logging(level: str) -> None:
    """One JSON object per line on stderr for the slow log; plain text for the rest."""
    logging.basicConfig(
        level=level.upper(), stream=sys.stderr, format="%(levelname)s %(name)s %(message)s"
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    slow_log.handlers[:] = [handler]
    slow_log.propagate = False
    slow_log.setLevel(logging.WARNING)


def log_slow(
    method: str,
    path: str,
    tenant: dict[str, Any] | None,
    duration: float,
    status: int,
    body: bytes,
) -> None:
    slow_log.warning(
        orjson.dumps(
            {
                "event": "slow_request",
                "method": method,
                "path": path,
                "tenant": tenant,
                "duration_ms": round(duration * 1000, 1),
                "status": status,
                "body": redact_body(body),
            }
        ).decode()
    )
