"""Byte-level HTTP/1.1 heads: the gateway's own answers, and the upstream's rewritten head.

Heads are built with one join of ready byte strings; the per-connection parts (CORS, request
id, connection) are decided once per response.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coffee.gateway.server import Exchange

_REASONS = {s.value: s.phrase.encode() for s in HTTPStatus}
# Response headers the gateway owns: hop-by-hop, and the CORS answer (the original removed the
# upstream's Access-Control-Allow-Origin so the gateway's is the only one).
_DROP_RESPONSE = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-connection",
        b"trailer",
        b"upgrade",
        b"access-control-allow-origin",
        b"access-control-allow-credentials",
    }
)
_CORS_METHODS = b"HEAD, GET, POST, OPTIONS, PUT, PATCH, DELETE"


def cors_headers(ex: Exchange) -> bytes:
    origin = ex.origin
    if origin and ex.client.gateway.origin_allowed(origin):
        return (
            b"access-control-allow-origin: "
            + origin
            + b"\r\naccess-control-allow-credentials: true\r\nvary: Origin\r\n"
        )
    return b""


def response_head(
    ex: Exchange, status: int, extra: bytes, content_type: bytes, length: int
) -> bytes:
    """The head of an answer the gateway makes itself (errors, heartbeat, metrics)."""
    rid = ex.request_id
    return b"".join(
        (
            b"HTTP/1.1 %d %b\r\ncontent-type: %b\r\ncontent-length: %d\r\n"
            % (status, _REASONS.get(status, b"Unknown"), content_type, length),
            b"x-bb-requestid: " + rid + b"\r\n" if rid else b"",
            cors_headers(ex),
            extra,
            b"connection: close\r\n\r\n" if ex.close_after else b"\r\n",
        )
    )


def rewrite_response_head(ex: Exchange, head: bytes) -> tuple[bytes, int, int]:
    """(head for the client, body length or -1 chunked / -2 until close, status).

    Raises ValueError for a head that is not HTTP/1.x (the exchange then fails with 502)."""
    lines = head[:-4].split(b"\r\n")
    status_line = lines[0]
    if not status_line.startswith(b"HTTP/1.") or not status_line[9:12].isdigit():
        raise ValueError(f"the upstream answered a bad status line {status_line[:40]!r}")
    status = int(status_line[9:12])
    out = [b"HTTP/1.1" + status_line[8:]]
    length = -2
    for line in lines[1:]:
        colon = line.find(b":")
        name = line[:colon].lower()
        if name == b"content-length":
            value = line[colon + 1 :].strip()
            length = int(value) if value.isdigit() else -2
        elif name == b"transfer-encoding":
            if b"chunked" in line.lower():
                length = -1
        elif name in _DROP_RESPONSE:
            continue
        out.append(line)
    if length == -2:  # read until the upstream closes: the client connection closes too
        ex.close_after = True
    out.append(b"x-bb-requestid: " + ex.request_id)
    tail = cors_headers(ex) + (b"connection: close\r\n\r\n" if ex.close_after else b"\r\n")
    return b"\r\n".join(out) + b"\r\n" + tail, length, status
