"""The real gateway in front of the real api: the gateway's signature is accepted, identity and
partner lookups go to the api's modules (IDENTITY_URL, PARTNER_URL), the plan from the api's
contract decides the premium fields, and a logout at the api locks the token out at the gateway.
"""

from __future__ import annotations

import time

import pytest

from tests.conftest import require_port
from tests.scenarios.api_fixtures import insert_profiles
from tests.support.api_process import SECRET, ApiProcess
from tests.support.gateway_process import HMAC_SECRET, GatewayProcess

SEARCH = "/discovery-service/api/profile/instagram/search"


def test_gateway_to_api_end_to_end():
    for name, port in (("PostgreSQL", 5432), ("Redis", 6379), ("RabbitMQ", 5672)):
        require_port(name, "127.0.0.1", port)
    with ApiProcess({"HMAC_SECRET": HMAC_SECRET}) as api:
        insert_profiles(api, 3)
        base = f"http://127.0.0.1:{api.port}"
        _, _, body = api.request("POST", "/partner-service/api/partner", {"name": "Acme"})
        partner = body["partner"]["id"]
        now = int(time.time() * 1000)
        status, _, _ = api.request(
            "POST",
            f"/partner-service/api/partner/{partner}/contracts",
            {"plan": "PAID", "startTime": now - 60_000, "endTime": now + 3_600_000},
        )
        assert status == 201
        user = {
            "email": "e2e@example.com",
            "name": "E",
            "password": "long enough",
            "partnerId": partner,
        }
        assert api.request("POST", "/identity-service/api/users", user)[0] == 201
        status, _, login = api.request(
            "POST",
            "/identity-service/api/auth/login",
            {"email": "e2e@example.com", "password": "long enough"},
            signed=False,
        )
        assert status == 200, login
        env = {
            "SAAS_URL": base,
            "SAAS_DATA_URL": base,
            # The gateway sends /auth/verify/token and /partner/{id} to these hosts' roots.
            "IDENTITY_URL": base,
            "PARTNER_URL": base,
            "GATEWAY_SIGNATURE_SECRET": SECRET,
        }
        with GatewayProcess(env) as gw:
            headers = {
                "x-bb-clientid": "e2e",
                "authorization": "Bearer " + login["token"],
                "content-type": "application/json",
            }
            status, _, found = gw.request("POST", SEARCH, headers, b'{"filters": []}')
            assert status == 200, found
            assert [p["id"] for p in found["profiles"]] == [3, 2, 1]
            assert "email" in found["profiles"][0]  # PAID, from the api's contract

            status, _, _ = api.request(
                "POST",
                "/identity-service/api/auth/logout",
                signed=False,
                headers={"authorization": "Bearer " + login["token"]},
            )
            assert status == 200
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                status = gw.request("POST", SEARCH, headers, b"{}")[0]
                if status == 401:
                    break
                time.sleep(0.2)
            assert status == 401


@pytest.mark.parametrize("spoof", [{"x-bb-plan-type": "PAID", "x-bb-partner-id": "1"}])
def test_spoofed_tenant_headers_sent_straight_to_the_api_are_refused(spoof):
    require_port("PostgreSQL", "127.0.0.1", 5432)
    with ApiProcess() as api:
        status, _, _ = api.request("POST", SEARCH, {}, signed=False, headers=spoof)
        assert status == 401
