"""A real gateway process wired to real upstream, identity and partner servers and Redis."""

from __future__ import annotations

import time
import uuid

import pytest

from tests.conftest import require_port
from tests.support.gateway_process import GatewayProcess, make_token
from tests.support.services import EchoUpstream, IdentityService, PartnerService


class Stack:
    def __init__(self, upstream, identity, partner, gateway) -> None:
        self.upstream = upstream
        self.identity = identity
        self.partner = partner
        self.gateway = gateway

    def user(self, partner: int | None = 11, valid: bool = True, ttl: float = 3600) -> str:
        """A fresh token (unique session id) the identity service accepts."""
        token = make_token(f"test-{uuid.uuid4().hex}", partner=partner, ttl=ttl)
        if valid:
            with self.identity.lock:
                self.identity.valid.add(token)
        return token

    def headers(self, token: str | None, **extra: str) -> dict[str, str]:
        h = {"x-bb-clientid": "web"}
        if token:
            h["authorization"] = f"Bearer {token}"
        h.update(extra)
        return h


def services_env(upstream, identity, partner) -> dict[str, str]:
    return {
        "SAAS_URL": upstream.url,
        "SAAS_DATA_URL": upstream.url,
        "IDENTITY_URL": identity.url,
        "PARTNER_URL": partner.url,
        "GATEWAY_SIGNATURE_SECRET": "test-signature-secret",
        "CORS_ORIGINS": "https://app.example",
    }


@pytest.fixture(scope="module")
def stack():
    require_port("Redis", "127.0.0.1", 6379)
    with EchoUpstream() as up, IdentityService() as ident, PartnerService() as part:
        now = time.time()
        part.set_contract(11, "SAAS", now - 60, now + 3600)
        env = {
            **services_env(up, ident, part),
            "UPSTREAM_TIMEOUT": "1",
            "MAX_REQUEST_BYTES": "4096",
        }
        with GatewayProcess(env) as gw:
            yield Stack(up, ident, part, gw)
