"""Issue 17 item 11 (api): heartbeat changes and /metrics only on the admin listener
(API_ADMIN_HOST:API_ADMIN_PORT, loopback by default); `GET /heartbeat/` stays public."""

from __future__ import annotations

import socket

import pytest

from tests.conftest import require_port
from tests.support.api_process import ApiProcess


@pytest.fixture(scope="module")
def api():
    require_port("PostgreSQL", "127.0.0.1", 5432)
    with ApiProcess() as proc:
        yield proc


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
@pytest.mark.parametrize("signed", [False, True])
def test_the_public_port_never_changes_the_heartbeat(api, method, signed):
    status, _, body = api.request(method, "/heartbeat/?beat=false", signed=signed)
    assert status == 403, body
    assert api.request("GET", "/heartbeat/", signed=False)[0] == 200


@pytest.mark.parametrize("signed", [False, True])
def test_the_public_port_serves_no_metrics(api, signed):
    status, _, body = api.request("GET", "/metrics", signed=signed)
    assert status == 404, body


def test_the_admin_listener_drains_and_restores_the_node(api):
    assert api.request("PUT", "/heartbeat/?beat=false", signed=False, admin=True)[0] == 200
    assert api.request("GET", "/heartbeat/", signed=False)[0] == 410
    assert api.request("PUT", "/heartbeat/?beat=true", signed=False, admin=True)[0] == 200
    assert api.request("GET", "/heartbeat/", signed=False)[0] == 200
    status, _, body = api.request("GET", "/metrics", signed=False, admin=True)
    assert status == 200 and b"coffee_api_requests" in body


def test_the_admin_listener_is_on_loopback_only(api):
    with socket.socket() as probe:
        probe.settimeout(2)
        assert probe.connect_ex(("127.0.0.2", api.admin_port)) != 0
