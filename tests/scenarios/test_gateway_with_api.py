"""The gateway in front of the real api process: its identity and partner endpoints (original
protocols), its signature check of the gateway's tenant headers, and logout reaching the
gateway's L1 through the api's invalidation message."""

from __future__ import annotations

import base64
import time

import pytest

from tests.conftest import require_port
from tests.support.api_process import SECRET, ApiProcess
from tests.support.gateway_process import HMAC_KEY, GatewayProcess


@pytest.fixture(scope="module")
def api():
    for name, port in (("PostgreSQL", 5432), ("Redis", 6379), ("RabbitMQ", 5672)):
        require_port(name, "127.0.0.1", port)
    with ApiProcess({"HMAC_SECRET": base64.b64encode(HMAC_KEY).decode()}) as proc:
        yield proc


def test_login_proxy_signed_and_logout_through_the_gateway(api):
    email = f"gw-{time.time_ns()}@example.com"
    status, _, body = api.request(
        "POST",
        "/identity-service/api/users",
        {"email": email, "name": "Asha", "password": "pw-123456"},
    )
    assert status == 201, body
    status, _, body = api.request(
        "POST",
        "/identity-service/api/auth/login",
        {"email": email, "password": "pw-123456"},
        signed=False,
    )
    assert status == 200, body
    token = body["token"]
    base = f"http://127.0.0.1:{api.port}"
    env = {
        "SAAS_URL": base,
        "SAAS_DATA_URL": base,
        "IDENTITY_URL": f"{base}/identity-service/api",
        "PARTNER_URL": f"{base}/partner-service/api",
        "GATEWAY_SIGNATURE_SECRET": SECRET,
    }
    headers = {
        "x-bb-clientid": "web",
        "authorization": f"Bearer {token}",
        "x-bb-partner-id": "999",
        "x-bb-plan-type": "PAID",
    }
    with GatewayProcess(env) as gw:
        # The api accepts the gateway's signature (it answers 401 to unsigned requests).
        status, _, body = gw.request("GET", "/discovery-service/api/profile/locations", headers)
        assert status == 200, body
        direct = api.request("GET", "/discovery-service/api/profile/locations", signed=False)
        assert direct[0] == 401
        # Logout at the api: Redis key deleted and the invalidation published to the gateway.
        status, _, body = api.request(
            "POST", "/identity-service/api/auth/logout", {"token": token}, signed=False
        )
        assert status == 200, body
        deadline = time.monotonic() + 10
        status = 200
        while time.monotonic() < deadline and status != 401:
            status = gw.request("GET", "/discovery-service/api/profile/locations", headers)[0]
            time.sleep(0.1)
        assert status == 401
        assert gw.event("session_invalidated") >= 1
