"""A real `coffee gateway` in front of a capturing upstream, with small timeouts and limits."""

from __future__ import annotations

import re
import socket
import time
import uuid

import pytest

from tests.conftest import require_port
from tests.gateway.conftest import services_env
from tests.support.capture_upstream import CaptureUpstream
from tests.support.gateway_process import GatewayProcess, make_token
from tests.support.services import IdentityService, PartnerService

SIGNATURE_SECRET = b"test-signature-secret"
TRUSTED_PROXY = "127.0.0.2"
MAX_CONNECTIONS = 40
_STATUS = re.compile(rb"HTTP/1\.1 (\d{3}) ")


class Front:
    def __init__(self, upstream: CaptureUpstream, identity: IdentityService, gw) -> None:
        self.upstream = upstream
        self.identity = identity
        self.gw = gw

    def token(self) -> str:
        token = make_token(f"sec-{uuid.uuid4().hex}")
        with self.identity.lock:
            self.identity.valid.add(token)
        return token

    def connect(self, source: str = "127.0.0.1") -> socket.socket:
        s = socket.create_connection(
            ("127.0.0.1", self.gw.port), timeout=10, source_address=(source, 0)
        )
        return s

    def exchange(
        self, *parts: bytes, source: str = "127.0.0.1", pause: float = 0.0, idle: float = 1.5
    ) -> bytes:
        """Sends the parts (pausing between them), then reads until close or `idle` s of quiet."""
        with self.connect(source) as s:
            for part in parts:
                s.sendall(part)
                if pause:
                    time.sleep(pause)
            return read_all(s, idle)


def read_all(s: socket.socket, idle: float = 1.5) -> bytes:
    s.settimeout(idle)
    out = b""
    while True:
        try:
            data = s.recv(65536)
        except TimeoutError:
            return out
        except ConnectionResetError:
            return out
        if not data:
            return out
        out += data


def statuses(raw: bytes) -> list[int]:
    return [int(m) for m in _STATUS.findall(raw)]


@pytest.fixture(scope="package")
def front():
    require_port("Redis", "127.0.0.1", 6379)
    with CaptureUpstream() as up, IdentityService() as ident, PartnerService() as part:
        now = time.time()
        part.set_contract(11, "SAAS", now - 60, now + 3600)
        env = {
            **services_env(up, ident, part),
            "GATEWAY_ROUTE__OPEN_SERVICE": f"{up.url};noauth",
            "UPSTREAM_TIMEOUT": "2",
            "UPSTREAM_IDLE_TIMEOUT": "1",
            "HEADER_READ_TIMEOUT": "1",
            "KEEPALIVE_TIMEOUT": "1",
            "BODY_READ_TIMEOUT": "1",
            "MAX_CLIENT_CONNECTIONS": str(MAX_CONNECTIONS),
            "TRUSTED_PROXIES": TRUSTED_PROXY,
        }
        with GatewayProcess(env) as gw:
            yield Front(up, ident, gw)


@pytest.fixture
def fresh(front):
    front.upstream.reset()
    front.upstream.responses.clear()
    return front
