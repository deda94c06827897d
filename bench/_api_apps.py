"""Two tiny apps for bench/api.py: the framework's cost over raw ASGI on the same granian."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar, get

BODY = b'{"status":{"status":"SUCCESS","message":""},"pong":true}'


class Pong(msgspec.Struct):
    status: dict[str, str]
    pong: bool


def raw() -> Any:
    async def app(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": BODY})

    return app


def litestar() -> Any:
    @get("/ping")
    async def ping() -> Pong:  # a msgspec model, serialised by the framework
        return Pong({"status": "SUCCESS", "message": ""}, True)

    return Litestar([ping], debug=False)
