"""Runs a real `coffee gateway` process for a test and talks HTTP to it."""

from __future__ import annotations

import base64
import http.client
import os
import subprocess
import sys
import time
import uuid
from typing import Any

import orjson
from coffee._native import JwtSigner
from coffee.up import stop_process

from bench._net import free_port

HMAC_KEY = b"gateway-test-secret-0123456789abcdef"
HMAC_SECRET = base64.b64encode(HMAC_KEY).decode()


def make_token(
    sid: str, uid: int = 7, partner: int | None = 11, account: int = 70, ttl: float = 3600
) -> str:
    claims: dict[str, Any] = {
        "sid": sid,
        "uid": uid,
        "userAccountId": account,
        "exp": int(time.time() + ttl),
    }
    if partner is not None:
        claims["partnerId"] = partner
    return JwtSigner(HMAC_KEY, "HS256").sign(claims)


class GatewayProcess:
    def __init__(self, env: dict[str, str], workers: int = 1) -> None:
        self.port = free_port()
        self.admin_port = int(env.get("GATEWAY_ADMIN_PORT") or free_port())
        self.prefix = uuid.uuid4().hex[:8]
        full = {
            **os.environ,
            "HMAC_SECRET": HMAC_SECRET,
            "PORT": str(self.port),
            "HOST": "127.0.0.1",
            "LOG_LEVEL": "warning",
            "HEARTBEAT_START": "true",
            **env,
            "GATEWAY_ADMIN_PORT": str(self.admin_port),
        }
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "coffee.cli",
                "gateway",
                "--workers",
                str(workers),
                "--drain",
                "5",
            ],
            env=full,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 20
        lines = []
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()  # type: ignore[union-attr]
            if not line:
                break
            lines.append(line)
            if "gateway ready" in line:
                return
        self.stop()
        raise RuntimeError("gateway did not start:\n" + "".join(lines))

    def __enter__(self) -> GatewayProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        stop_process(self.proc, 10)

    def connection(self, timeout: float = 10, admin: bool = False) -> http.client.HTTPConnection:
        port = self.admin_port if admin else self.port
        return http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def request(
        self,
        method: str,
        path: str,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
        conn: http.client.HTTPConnection | None = None,
        admin: bool = False,
    ) -> tuple[int, dict[str, str], Any]:
        """One request on the public port, or on the admin listener (`admin=True`)."""
        own = conn is None
        c = conn or self.connection(admin=admin)
        try:
            c.request(method, path, body=body, headers=headers or {})
            resp = c.getresponse()
            data = resp.read()
            hdrs = {k.lower(): v for k, v in resp.getheaders()}
            try:
                decoded = orjson.loads(data) if data else None
            except orjson.JSONDecodeError:
                decoded = data
            return resp.status, hdrs, decoded
        finally:
            if own:
                c.close()

    def metrics(self) -> str:
        status, _, body = self.request("GET", "/metrics", admin=True)
        assert status == 200
        return body.decode() if isinstance(body, bytes) else str(body)

    def metric(self, name: str) -> float:
        """The value of one exact sample name (with its labels, if any)."""
        for line in self.metrics().splitlines():
            sample, _, value = line.rpartition(" ")
            if sample == name:
                return float(value)
        return 0.0

    def event(self, event: str) -> float:
        return self.metric(f'gateway_events_total{{event="{event}"}}')
