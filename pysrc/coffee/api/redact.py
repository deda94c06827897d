"""Request bodies for Sentry and the slow log, with secrets and personal data masked."""

from __future__ import annotations

import re
from typing import Any

import orjson

SECRET_KEY = re.compile(r"pass|secret|token|authori[sz]ation|api[-_]?key|otp|email|phone", re.I)
SECRET_PAIR = re.compile(
    r"((?:pass\w*|secret|token|api[-_]?key|email|phone)\s*[=:]\s*)[^&\s,]+", re.I
)
MASK = "[redacted]"
LIMIT = 4096


def _walk(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: (MASK if isinstance(k, str) and SECRET_KEY.search(k) else _walk(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_walk(v) for v in value]
    return value


def redact_body(body: bytes) -> Any:
    """JSON bodies with secret-looking keys masked; other bodies as text, pairs masked."""
    if not body:
        return None
    try:
        return _walk(orjson.loads(body))
    except orjson.JSONDecodeError:
        text = body[:LIMIT].decode("utf-8", "replace")
        return SECRET_PAIR.sub(lambda m: m.group(1) + MASK, text)
