"""Issue 17 item 1: the device-init exemption is the init route and nothing else, it is rate
limited per device id and per client address, and device ids are validated before they reach
the upstream's Basic value. A real gateway process, a real echo upstream and Redis."""

from __future__ import annotations

import base64
import http.client
import random
import uuid

import pytest

from tests.conftest import require_port
from tests.gateway.conftest import services_env
from tests.support.gateway_process import GatewayProcess
from tests.support.services import EchoUpstream, IdentityService, PartnerService

DEVICE_BURST = 3
ADDRESS_BURST = 6


class Client:
    """Talks to the gateway from its own loopback address (127.x.y.z), so that the per-address
    bucket is this test's alone even when other tests share Redis."""

    def __init__(self, gateway: GatewayProcess) -> None:
        self.gateway = gateway
        self.address = (
            f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"
        )

    def send(self, method: str, target: str, **headers: str) -> int:
        conn = http.client.HTTPConnection(
            "127.0.0.1", self.gateway.port, timeout=10, source_address=(self.address, 0)
        )
        try:
            conn.request(method, target, body=b"{}", headers={"x-bb-clientid": "web", **headers})
            resp = conn.getresponse()
            resp.read()
            return resp.status
        finally:
            conn.close()


@pytest.fixture(scope="module")
def gw():
    require_port("Redis", "127.0.0.1", 6379)
    with EchoUpstream() as up, IdentityService() as ident, PartnerService() as part:
        env = {
            **services_env(up, ident, part),
            # Refills too slow to matter within a test: the bursts are what is counted.
            "DEVICE_INIT_RATE": "0.001",
            "DEVICE_INIT_BURST": str(DEVICE_BURST),
            "DEVICE_INIT_ADDRESS_RATE": "0.001",
            "DEVICE_INIT_ADDRESS_BURST": str(ADDRESS_BURST),
        }
        with GatewayProcess(env) as gateway:
            gateway.upstream = up  # type: ignore[attr-defined]
            yield gateway


def device() -> str:
    return uuid.uuid4().hex


@pytest.mark.parametrize(
    ("method", "target"),
    [
        ("POST", "/discovery-service/api/profile/instagram/search?x=/api/auth/init"),
        ("PUT", "/discovery-service/api/profile/7?q=/api/auth/init"),
        ("PUT", "/discovery-service/api/profile/7?q=/api/auth/init/v2"),
        ("PUT", "/discovery-service/api/profile/7#/api/auth/init"),
        ("POST", "/discovery-service/api/auth/init/../../profile/7"),
        ("POST", "/discovery-service/api/auth/initx"),
        ("POST", "/discovery-service/x/api/auth/init"),
        ("POST", "/discovery-service/api/auth/%69nit"),
        ("PUT", "/discovery-service/api/auth/init"),
        ("DELETE", "/discovery-service/api/auth/init"),
    ],
)
def test_only_the_init_route_skips_the_token(gw, method, target):
    before = len(gw.upstream.requests)
    assert Client(gw).send(method, target, **{"x-bb-deviceid": device()}) == 401
    assert len(gw.upstream.requests) == before


@pytest.mark.parametrize(
    "operation", ["initDevice", "initDeviceV2", "initDeviceV2Mutation", "initDeviceGoMutation"]
)
def test_the_apollo_operation_header_opens_no_other_route(gw, operation):
    before = len(gw.upstream.requests)
    status = Client(gw).send(
        "PUT", "/discovery-service/api/profile/7", **{"x-apollo-operation-name": operation}
    )
    assert status == 401
    assert len(gw.upstream.requests) == before


@pytest.mark.parametrize(
    "target", ["/content-service/api/auth/init", "/content-service/api/auth/init/v2?a=b"]
)
def test_the_init_route_passes_with_the_device_basic_value(gw, target):
    dev = device()
    assert Client(gw).send("POST", target, **{"x-bb-deviceid": dev}) == 200
    sent = gw.upstream.requests[-1]
    assert sent["headers"]["authorization"] == [
        "Basic " + base64.b64encode(f"{dev}~{dev}~0:{dev}".encode()).decode()
    ]


@pytest.mark.parametrize(
    "bad",
    ["1~admin~1~42", "a:b", "x" * 129, "a b", "a/b", "dév", "a\tb", "%7e", "a~", "~"],
)
@pytest.mark.parametrize(
    ("method", "target"),
    [("POST", "/content-service/api/auth/init"), ("GET", "/content-service/api/x")],
)
def test_a_device_id_outside_the_charset_is_400_and_never_forwarded(gw, bad, method, target):
    before = len(gw.upstream.requests)
    conn = http.client.HTTPConnection("127.0.0.1", gw.port, timeout=10)
    try:
        conn.putrequest(method, target, skip_accept_encoding=True)
        conn.putheader("x-bb-clientid", "web")
        conn.putheader("x-bb-deviceid", bad.encode())
        conn.putheader("content-length", "0")
        conn.endheaders()
        resp = conn.getresponse()
        body = resp.read()
    finally:
        conn.close()
    assert resp.status == 400, body
    assert b"x-bb-deviceid" in body
    assert len(gw.upstream.requests) == before


def test_the_longest_valid_device_id_passes(gw):
    assert (
        Client(gw).send(
            "POST", "/content-service/api/auth/init", **{"x-bb-deviceid": (device() * 4)[:128]}
        )
        == 200
    )


def test_device_init_is_limited_per_device_id(gw):
    dev = device()
    # Each request from its own address: only the device's bucket can say no.
    statuses = [
        Client(gw).send("POST", "/content-service/api/auth/init", **{"x-bb-deviceid": dev})
        for _ in range(DEVICE_BURST + 2)
    ]
    assert statuses == [200] * DEVICE_BURST + [429, 429]
    # Another device is not affected.
    assert (
        Client(gw).send("POST", "/content-service/api/auth/init", **{"x-bb-deviceid": device()})
        == 200
    )


def test_device_init_is_limited_per_address_whatever_the_device_id(gw):
    client = Client(gw)
    statuses = [
        client.send("POST", "/content-service/api/auth/init", **{"x-bb-deviceid": device()})
        for _ in range(ADDRESS_BURST + 2)
    ]
    assert statuses == [200] * ADDRESS_BURST + [429, 429]
    # Without a device id too: the address decides.
    assert client.send("POST", "/content-service/api/auth/init") == 429
