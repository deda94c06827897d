"""The original's response envelope: ``{"status": {status, message, ...}, ...}``."""

from __future__ import annotations

from typing import Any

import orjson


def success(message: str = "", **status: Any) -> dict[str, Any]:
    return {"status": "SUCCESS", "message": message, **status}


def error_body(message: str) -> bytes:
    return orjson.dumps({"status": {"status": "ERROR", "message": message}})


class ApiError(Exception):
    """Raised by a handler: the request rolls back and the client gets `status` with `message`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
