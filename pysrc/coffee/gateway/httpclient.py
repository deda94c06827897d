"""A small JSON-over-HTTP/1.1 client for the identity and partner services, on the same
keep-alive pools as the proxy (no extra HTTP library, connections reused)."""

from __future__ import annotations

import asyncio
import contextlib
import time

import orjson

from coffee.gateway.upstream import UpstreamConnection, UpstreamPool


class HttpError(Exception):
    """The service could not be reached, broke the connection or timed out."""


class _Collect:
    """A response sink that keeps the whole (small) answer."""

    __slots__ = ("body", "future", "status")

    def __init__(self, future: asyncio.Future[None]) -> None:
        self.future = future
        self.status = 0
        self.body: list[bytes] = []

    def upstream_head(self, head: bytes, body: bytes) -> int:
        lines = head[:-4].split(b"\r\n")
        self.status = int(lines[0][9:12])
        length = -2
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value.strip())
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                length = -1
        if length == -1:
            raise_later = HttpError("chunked answers are not expected from this service")
            if not self.future.done():
                self.future.set_exception(raise_later)
            return 0
        self.body.append(body[:length] if length >= 0 else body)
        return length

    def upstream_body(self, data: bytes) -> None:
        self.body.append(data)

    def upstream_done(self, reusable: bool) -> None:
        if not self.future.done():
            self.future.set_result(None)

    def upstream_failed(self, started: bool) -> None:
        if not self.future.done():
            self.future.set_exception(HttpError("connection broken"))

    def upstream_timeout(self) -> None:
        self.upstream_failed(False)

    def pause_source(self) -> None:
        return  # the whole (small) request is written at once

    def resume_source(self) -> None:
        return


async def request_json(
    pool: UpstreamPool, method: str, target: str, body: object | None, timeout: float
) -> tuple[int, object]:
    """(status, decoded JSON or None); raises HttpError when the service is unreachable."""
    payload = orjson.dumps(body) if body is not None else b""
    head = (
        f"{method} {pool.base_path.decode()}{target} HTTP/1.1\r\nhost: ".encode()
        + pool.host_header
        + b"\r\naccept: application/json\r\ncontent-type: application/json\r\n"
        + b"content-length: %d\r\n\r\n" % len(payload)
    )
    loop = asyncio.get_running_loop()
    future: asyncio.Future[None] = loop.create_future()
    sink = _Collect(future)
    conn: UpstreamConnection | None = None
    try:
        async with asyncio.timeout(timeout):
            conn = pool.take_idle()
            if conn is None:
                conn = await pool.connect()
            conn.send(sink, head + payload, time.monotonic() + timeout + 1)  # type: ignore[arg-type]
            await future
    except (OSError, TimeoutError, HttpError) as exc:
        if conn is not None:
            conn.abort()
        raise HttpError(f"{method} {pool.host}:{pool.port}{target}: {exc!r}") from None
    data = b"".join(sink.body)
    decoded = None
    if data:
        with contextlib.suppress(orjson.JSONDecodeError):
            decoded = orjson.loads(data)
    return sink.status, decoded
