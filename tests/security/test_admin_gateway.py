"""Issue 17 item 11 (gateway): heartbeat changes and /metrics only on the admin listener
(GATEWAY_ADMIN_HOST:GATEWAY_ADMIN_PORT, loopback by default); the public port keeps
`GET /heartbeat/` where the original served it; client-chosen metric labels are bounded."""

from __future__ import annotations

import socket
import uuid

import pytest

from tests.conftest import require_port
from tests.gateway.conftest import Stack, services_env
from tests.support.gateway_process import GatewayProcess
from tests.support.services import EchoUpstream, IdentityService, PartnerService


@pytest.fixture(scope="module")
def stack():
    require_port("Redis", "127.0.0.1", 6379)
    with EchoUpstream() as up, IdentityService() as ident, PartnerService() as part:
        env = {**services_env(up, ident, part), "GATEWAY_METRIC_CLIENTS": "web,android"}
        with GatewayProcess(env) as gw:
            yield Stack(up, ident, part, gw)


@pytest.mark.parametrize("query", ["beat=false", "beat=true", "beat=maybe", ""])
@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE", "PATCH"])
def test_the_public_port_never_changes_the_heartbeat(stack, method, query):
    gw = stack.gateway
    status, _, body = gw.request(method, f"/heartbeat/?{query}")
    assert status == 403, body
    assert gw.request("GET", "/heartbeat/")[0] == 200  # still beating
    assert gw.request("GET", "/heartbeat")[0] == 200


def test_the_public_port_serves_no_metrics(stack):
    status, _, _ = stack.gateway.request("GET", "/metrics")
    assert status == 404


def test_the_admin_listener_drains_and_restores_the_node(stack):
    gw = stack.gateway
    assert gw.request("PUT", "/heartbeat/?beat=false", admin=True)[0] == 200
    assert gw.request("GET", "/heartbeat/")[0] == 410
    assert gw.request("PUT", "/heartbeat/?beat=true", admin=True)[0] == 200
    assert gw.request("GET", "/heartbeat/")[0] == 200
    status, headers, body = gw.request("GET", "/metrics", admin=True)
    assert status == 200 and headers["content-type"].startswith("text/plain")
    assert b"gateway_heartbeat 1.0" in body
    assert gw.request("GET", "/nothing", admin=True)[0] == 404


def test_the_admin_listener_is_on_loopback_only(stack):
    # Bound to 127.0.0.1 itself, not to every address: 127.0.0.2 (also this host) is refused.
    with socket.socket() as probe:
        probe.settimeout(2)
        assert probe.connect_ex(("127.0.0.2", stack.gateway.admin_port)) != 0
    with socket.create_connection(("127.0.0.1", stack.gateway.admin_port), timeout=2):
        pass


def test_the_admin_listener_survives_garbage(stack):
    gw = stack.gateway
    with socket.create_connection(("127.0.0.1", gw.admin_port), timeout=5) as s:
        s.sendall(b"\x00\x01 not http\r\n\r\n")
        assert s.recv(100).startswith(b"HTTP/1.1 400")
    assert gw.request("GET", "/metrics", admin=True)[0] == 200


def test_client_ids_in_metric_labels_are_bounded(stack):
    gw = stack.gateway
    for _ in range(50):
        headers = stack.headers(stack.user(), **{"x-bb-channelid": uuid.uuid4().hex})
        headers["x-bb-clientid"] = uuid.uuid4().hex
        gw.request("GET", "/content-service/api/x", headers)
    winkl = [line for line in gw.metrics().splitlines() if line.startswith("requests_winkl{")]
    client_ids = {line.split('clientId="')[1].split('"')[0] for line in winkl}
    channels = {line.split('channel="')[1].split('"')[0] for line in winkl}
    assert client_ids <= {"", "web", "android", "other"}, client_ids
    assert "other" in client_ids
    assert channels <= {"", "web", "android", "ios", "other"}, channels
    # A known client keeps its own label.
    android = stack.headers(stack.user(), **{"x-bb-clientid": "android"})
    gw.request("GET", "/content-service/api/x", android)
    assert 'clientId="android"' in gw.metrics()
