"""The gateway's calls to its own services (identity, partner, the JWKS URL) through aiohttp:
pooled keep-alive connections, `https://` with the system's CAs plus SERVICE_CA_FILE, chunked
answers (Go's net/http chunks bodies over 2 KB), a deadline per call, and one retry when a
pooled connection turns out to be closed by the service.

aiohttp rather than httpx: on the session-miss path (bench/service_client.py) a call costs
about 0.2 ms with aiohttp and 0.8 ms with httpx, client CPU included.
"""

from __future__ import annotations

import ssl
from typing import Any

import aiohttp
import orjson

# aiohttp itself retries idempotent methods once on a closed pooled connection (RFC 9112
# §9.3.1.1); the others (the identity's POST verify, which changes nothing) are retried here.
# (tests/security/test_service_client.py holds both to it, GET and POST.)
_RETRIED_BY_AIOHTTP = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
_STALE = (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)


class HttpError(Exception):
    """The service could not be reached, broke the connection or timed out."""


def ssl_context(ca_file: str = "") -> ssl.SSLContext:
    """The system's trust store, plus `ca_file` (PEM) when given."""
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


class ServiceClient:
    """JSON over HTTP to one service at `base_url` (its path is kept: targets are appended)."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float,
        connect_timeout: float,
        pool_size: int = 64,
        ca_file: str = "",
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"{base_url!r} is not an http:// or https:// URL")
        self.base_url = base_url.rstrip("/")
        self.timeout = aiohttp.ClientTimeout(total=timeout, sock_connect=connect_timeout)
        self.pool_size = pool_size
        self.ssl = ssl_context(ca_file) if base_url.startswith("https://") else None
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        # Made on first use: an aiohttp session belongs to the running event loop.
        connector = aiohttp.TCPConnector(
            limit=self.pool_size, ssl=self.ssl if self.ssl is not None else True
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=self.timeout,
            json_serialize=lambda obj: orjson.dumps(obj).decode(),
            raise_for_status=False,
            auto_decompress=True,
        )
        return self._session

    async def request(
        self, method: str, target: str, body: object | None = None
    ) -> tuple[int, bytes]:
        """(status, body bytes); raises HttpError when the service cannot answer."""
        session = self._session or self._open()
        url = self.base_url + target
        payload = orjson.dumps(body) if body is not None else None
        headers = {"accept": "application/json"}
        if payload is not None:
            headers["content-type"] = "application/json"
        attempts = 1 if method in _RETRIED_BY_AIOHTTP else 2
        for attempt in range(attempts):
            try:
                async with session.request(method, url, data=payload, headers=headers) as resp:
                    return resp.status, await resp.read()
            except aiohttp.ClientConnectorError as exc:  # nothing listens: no retry
                raise HttpError(f"{method} {url}: {exc!r}") from None
            except _STALE as exc:
                if attempt + 1 < attempts:
                    continue  # a pooled connection the service had closed: once more, fresh
                raise HttpError(f"{method} {url}: {exc!r}") from None
            except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                raise HttpError(f"{method} {url}: {exc!r}") from None
        raise AssertionError("unreachable")

    async def request_json(
        self, method: str, target: str, body: object | None = None
    ) -> tuple[int, Any]:
        """(status, decoded JSON or None when the body is not JSON)."""
        status, data = await self.request(method, target, body)
        try:
            return status, orjson.loads(data) if data else None
        except orjson.JSONDecodeError:
            return status, None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
