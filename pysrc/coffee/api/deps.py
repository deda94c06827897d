"""What handlers receive: the request context (and through it the tenant and both sessions)."""

from __future__ import annotations

from typing import Any

import orjson
from litestar import Request, Response

from coffee.api.context import RequestContext
from coffee.api.lifecycle import CTX_KEY


def request_context(request: Request) -> RequestContext:
    return request.scope[CTX_KEY]  # type: ignore[literal-required]


def ok(payload: dict[str, Any], status_code: int = 200) -> Response[bytes]:
    return Response(
        orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS),
        status_code=status_code,
        media_type="application/json",
    )
