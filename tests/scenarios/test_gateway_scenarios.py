"""The gateway's scenarios (spec Q1, Q4, Q5, Q6, Q8, Q10, plus logout and rate limits) with
real processes and real faults: a FaultProxy cuts Redis, identity or the upstream; no shared
server is ever stopped."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import redis

from tests.conftest import require_port
from tests.gateway.conftest import services_env
from tests.support.faultproxy import FaultProxy
from tests.support.gateway_process import GatewayProcess, make_token
from tests.support.services import EchoUpstream, IdentityService, PartnerService


@pytest.fixture(scope="module")
def services():
    require_port("Redis", "127.0.0.1", 6379)
    with EchoUpstream() as up, IdentityService() as ident, PartnerService() as part:
        now = time.time()
        part.set_contract(11, "SAAS", now - 60, now + 3600)
        yield up, ident, part


@pytest.fixture
def rdb():
    client = redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2)
    yield client
    client.close()


def new_user(ident: IdentityService, partner: int | None = 11, valid: bool = True) -> str:
    token = make_token(f"scn-{uuid.uuid4().hex}", partner=partner)
    if valid:
        with ident.lock:
            ident.valid.add(token)
    return token


def hdr(token: str | None, **extra: str) -> dict[str, str]:
    h = {"x-bb-clientid": "scenario"}
    if token:
        h["authorization"] = f"Bearer {token}"
    h.update(extra)
    return h


def wait_until(predicate, timeout: float = 10.0, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def sid_of(token: str) -> str:
    import base64
    import json

    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sid"]


class Traffic:
    """Requests in a loop on a thread; every status is recorded."""

    def __init__(self, send) -> None:
        self.send = send
        self.statuses: list[int] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        i = 0
        while not self._stop.is_set() and i < 20000:
            i += 1
            try:
                self.statuses.append(self.send(i))
            except Exception as exc:
                self.errors.append(repr(exc))

    def __enter__(self) -> Traffic:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(30)


def test_q1_redis_cut_mid_traffic_nothing_fails_and_the_fast_path_comes_back(services, rdb):
    up, ident, part = services
    with (
        FaultProxy(("127.0.0.1", 6379)) as redis_proxy,
        FaultProxy(("127.0.0.1", ident.port)) as ident_proxy,
    ):
        env = services_env(up, ident, part)
        env.update(
            REDIS_CLUSTER_ADDRESSES=redis_proxy.url_host,
            BREAKER_FAILURES="3",
            BREAKER_RESET="0.5",
            REDIS_TIMEOUT="0.2",
            IDENTITY_URL=f"http://{ident_proxy.url_host}",
        )
        with GatewayProcess(env) as gw:
            hot = new_user(ident)
            assert gw.request("GET", "/content-service/warm", hdr(hot))[0] == 200
            calls_for_hot = ident.calls_by_token.get(hot, 0)
            cold_tokens: list[str] = []

            def send(i: int) -> int:
                if i % 3 == 0:  # a cold user: first request of a new session
                    token = new_user(ident)
                    cold_tokens.append(token)
                else:
                    token = hot
                return gw.request("GET", f"/content-service/q1/{i}", hdr(token))[0]

            with Traffic(send) as traffic:
                wait_until(lambda: len(traffic.statuses) >= 30)
                redis_proxy.cut()
                wait_until(lambda: gw.metric("gateway_redis_breaker_opened") >= 1)
                during = len(traffic.statuses)
                wait_until(lambda: len(traffic.statuses) >= during + 60)
            assert traffic.errors == []
            assert set(traffic.statuses) == {200}, "a request failed while Redis was down"
            assert gw.metric("gateway_redis_breaker_opened") >= 1
            assert gw.event("redis_error") >= 3
            assert gw.event("identity_fallback") >= 1
            # The hot session never left the process: no identity call for it, ever.
            assert ident.calls_by_token.get(hot, 0) == calls_for_hot

            # Redis and identity both down: hot sessions pass, cold ones get 503, never 401.
            ident_proxy.cut()
            assert gw.request("GET", "/content-service/both-down", hdr(hot))[0] == 200
            status, headers, _ = gw.request(
                "GET", "/content-service/both-down", hdr(new_user(ident))
            )
            assert status == 503 and headers["retry-after"] == "1"
            ident_proxy.restore()

            # Redis back: a session known only to Redis passes again (the fast path).
            redis_proxy.restore()
            only_in_redis = new_user(ident, valid=False)
            rdb.set(f"session:{sid_of(only_in_redis)}", "1", ex=60)
            assert wait_until(
                lambda: gw.request("GET", "/content-service/back", hdr(only_in_redis))[0] == 200
            )
            assert gw.metric("gateway_redis_breaker_state") == 0
            rdb.delete(f"session:{sid_of(only_in_redis)}")


def test_q4_contract_expiry_takes_effect_at_the_second_without_a_partner_call(services):
    up, ident, part = services
    partner_id = 4000 + uuid.uuid4().int % 1000
    start = time.time()
    part.set_contract(partner_id, "PAID", start - 10, start + 1.0)
    env = services_env(up, ident, part)
    env.update(PARTNER_TTL="2.5")
    with GatewayProcess(env) as gw:
        token = new_user(ident, partner=partner_id)
        _, _, body = gw.request("GET", "/content-service/q4", hdr(token))
        assert body["headers"]["x-bb-plan-type"] == ["PAID"]
        calls = part.calls[partner_id]
        time.sleep(max(0.0, start + 1.05 - time.time()))
        _, _, body = gw.request("GET", "/content-service/q4", hdr(token))
        assert body["headers"]["x-bb-plan-type"] == ["FREE"]
        assert part.calls[partner_id] == calls  # decided from the cached dates, no call
        # Renewal: visible once the cached contract's TTL has run out.
        part.set_contract(partner_id, "SAAS", time.time() - 1, time.time() + 3600)
        assert wait_until(
            lambda: (
                gw.request("GET", "/content-service/q4", hdr(token))[2]["headers"]["x-bb-plan-type"]
                == ["SAAS"]
            ),
            timeout=6,
        )
        assert part.calls[partner_id] == calls + 1


SPOOFS = {
    "x-bb-partner-id": "spoof-999",
    "X-BB-PARTNER-ID": "spoof-998",
    "X-Bb-Plan-Type": "spoof-PAID",
    "x_bb_partner_id": "spoof-997",
    "X_BB_PLAN_TYPE": "spoof-PAID",
    "x-bb_user-id": "spoof-1",
    "x-bb-user-id": "spoof-2",
    "x-bb-session-id": "spoof-other",
    "x-bb-requestid": "spoof-id",
    "x-bb-gateway-signature": "spoof-forged",
    "x-bb-gateway-timestamp": "spoof-1",
    "x-bb-anything-new": "spoof",
}


def _assert_no_spoof(received: dict[str, list[str]]) -> None:
    for name, values in received.items():
        assert "_" not in name, f"{name} reached the upstream"
        assert not any(v.startswith("spoof") for v in values), (name, values)
    assert "x-bb-anything-new" not in received


def test_q5_spoofed_tenant_headers_in_every_spelling_never_reach_the_upstream(services):
    up, ident, part = services
    with GatewayProcess(services_env(up, ident, part)) as gw:
        token = new_user(ident)
        conn = gw.connection()
        conn.putrequest("GET", "/content-service/q5", skip_accept_encoding=True)
        for k, v in {**hdr(token), **SPOOFS}.items():
            conn.putheader(k, v)
        conn.putheader("X-BB-PARTNER-ID", "spoof-996")  # the same header twice
        conn.endheaders()
        import orjson

        body = orjson.loads(conn.getresponse().read())
        conn.close()
        received = body["headers"]
        _assert_no_spoof(received)
        assert received["x-bb-partner-id"] == ["11"]
        assert received["x-bb-plan-type"] == ["SAAS"]
        # Device initialisation and rejected requests do not let them through either.
        _, _, body = gw.request(
            "POST",
            "/content-service/api/auth/init",
            {**hdr(None, **{"x-bb-deviceid": "d"}), **SPOOFS},
            body=b"{}",
        )
        _assert_no_spoof(body["headers"])
        assert body["headers"]["x-bb-partner-id"] == [""]


def test_q6_l1_past_its_max_cost_stays_bounded_and_keeps_the_hot_sessions(services):
    up, ident, part = services
    max_cost = 64 * 1024
    env = services_env(up, ident, part)
    env.update(L1_MAX_COST=str(max_cost))
    with GatewayProcess(env) as gw:
        hot = new_user(ident)
        conn = gw.connection()
        for _ in range(50):  # frequent: TinyLFU keeps it
            assert gw.request("GET", "/content-service/hot", hdr(hot), conn=conn)[0] == 200
        for i in range(250):  # ~150 KiB of one-off principals and sessions through a 64 KiB L1
            assert (
                gw.request("GET", f"/content-service/cold/{i}", hdr(new_user(ident)), conn=conn)[0]
                == 200
            )
        assert gw.metric("gateway_l1_cost_used") <= max_cost
        assert gw.metric("gateway_l1_evicted") + gw.metric("gateway_l1_rejected") > 0
        misses = gw.metric("gateway_l1_misses")
        hot_identity_calls = ident.calls_by_token.get(hot, 0)
        for _ in range(20):
            assert gw.request("GET", "/content-service/hot", hdr(hot), conn=conn)[0] == 200
        assert gw.metric("gateway_l1_misses") == misses  # claims, session, contract: all hits
        assert ident.calls_by_token.get(hot, 0) == hot_identity_calls
        conn.close()


def test_q8_a_new_service_is_one_settings_line(services):
    up, ident, part = services
    token = new_user(ident)
    with GatewayProcess(services_env(up, ident, part)) as gw:
        assert gw.request("GET", "/brand-new-service/api/x", hdr(token))[0] == 404
    env = services_env(up, ident, part)
    env["GATEWAY_ROUTE__BRAND_NEW_SERVICE"] = up.url  # the one line
    with GatewayProcess(env) as gw:
        status, _, body = gw.request("GET", "/brand-new-service/api/x?y=1", hdr(token))
        assert status == 200 and body["path"] == "/brand-new-service/api/x?y=1"
        assert body["headers"]["x-bb-partner-id"] == ["11"]  # auth and enrichment apply
        assert gw.request("GET", "/brand-new-service/api/x", hdr(None))[0] == 401
        assert 'path="/brand-new-service/*any"' in gw.metrics()


def test_q10_drain_with_heartbeat_while_traffic_flows(services):
    up, ident, part = services
    env = services_env(up, ident, part)
    token = new_user(ident)
    node_a, node_b = GatewayProcess(env), GatewayProcess(env)
    nodes = [node_a, node_b]
    try:

        def balancer(i: int) -> int:
            # A load balancer that sends only to nodes whose heartbeat answers 200.
            for node in (nodes[i % 2], nodes[(i + 1) % 2]):
                try:
                    beat = node.request("GET", "/heartbeat/")[0]
                except OSError:
                    continue
                if beat == 200:
                    return node.request("GET", f"/content-service/q10/{i}", hdr(token))[0]
            raise AssertionError("no node beating")

        with Traffic(balancer) as traffic:
            wait_until(lambda: len(traffic.statuses) >= 20)
            slow: list[int] = []
            in_flight = threading.Thread(
                target=lambda: slow.append(
                    node_a.request("GET", "/content-service/slow/1/in-flight", hdr(token))[0]
                )
            )
            in_flight.start()
            assert node_a.request("PUT", "/heartbeat/?beat=false", admin=True)[0] == 200
            time.sleep(0.3)  # the balancer's next checks see 410 and move to node B
            node_a.stop()  # SIGTERM: stops accepting, finishes what is in flight
            in_flight.join(10)
            replacement = GatewayProcess({**env, "HEARTBEAT_START": "false"})
            nodes[0] = replacement
            assert replacement.request("GET", "/heartbeat/")[0] == 410
            assert replacement.request("PUT", "/heartbeat/?beat=true", admin=True)[0] == 200
            count = len(traffic.statuses)
            wait_until(lambda: len(traffic.statuses) >= count + 20)
        assert slow == [200]
        assert traffic.errors == []
        assert set(traffic.statuses) == {200}
    finally:
        for node in (*nodes, node_a):
            node.stop()


def test_logout_invalidation_reaches_every_gateway(services, rdb):
    up, ident, part = services
    env = services_env(up, ident, part)
    token = new_user(ident)
    with GatewayProcess(env) as one, GatewayProcess(env) as two:
        for gw in (one, two):
            assert gw.request("GET", "/content-service/x", hdr(token))[0] == 200
        sid = sid_of(token)
        with ident.lock:
            ident.valid.discard(token)
        rdb.delete(f"session:{sid}")
        assert rdb.publish("session-invalidation", sid) >= 2
        for gw in (one, two):
            assert wait_until(
                lambda gw=gw: gw.request("GET", "/content-service/x", hdr(token))[0] == 401,
                timeout=5,
            )
            assert gw.event("session_invalidated") >= 1


def test_rate_limit_is_shared_through_redis_and_falls_back_locally(services, tmp_path):
    up, ident, part = services
    routes = tmp_path / "routes.toml"
    routes.write_text(
        '[services]\n"content-service" = { upstream = "saas" }\n'
        "[plans.SAAS]\nrate = 1.0\nburst = 5\n"
    )
    partner_id = 6000 + uuid.uuid4().int % 1000
    part.set_contract(partner_id, "SAAS", time.time() - 10, time.time() + 3600)
    with FaultProxy(("127.0.0.1", 6379)) as redis_proxy:
        env = services_env(up, ident, part)
        env.update(
            GATEWAY_ROUTES_FILE=str(routes),
            REDIS_CLUSTER_ADDRESSES=redis_proxy.url_host,
            BREAKER_FAILURES="1",
            BREAKER_RESET="30",
        )
        with GatewayProcess(env) as one, GatewayProcess(env) as two:
            tokens = [new_user(ident, partner=partner_id) for _ in range(2)]
            started = time.monotonic()
            statuses = []
            for i in range(30):
                gw = (one, two)[i % 2]
                status, headers, _ = gw.request("GET", "/content-service/rl", hdr(tokens[i % 2]))
                statuses.append(status)
                if status == 429:
                    assert headers["retry-after"] == "1"
            elapsed = time.monotonic() - started
            # One shared bucket: burst + refill over the elapsed time, + one lease per gateway.
            assert statuses.count(200) <= 5 + elapsed * 1.0 + 2
            assert statuses.count(429) > 0
            # Redis cut: each gateway limits on its own with a local bucket.
            redis_proxy.cut()
            time.sleep(1.1)  # past the "shared bucket is empty" pause, so Redis is asked again
            local = [
                one.request("GET", "/content-service/rl", hdr(tokens[0]))[0] for _ in range(20)
            ]
            assert set(local) <= {200, 429} and local.count(429) > 0
            assert one.event("ratelimit_local") > 0


def test_upstream_faults_502_504_and_the_pool_reuses_connections(services):
    up, ident, part = services
    with FaultProxy(("127.0.0.1", up.port)) as up_proxy:
        env = services_env(up, ident, part)
        env.update(SAAS_URL=f"http://{up_proxy.url_host}", UPSTREAM_TIMEOUT="1")
        with GatewayProcess(env) as gw:
            token = new_user(ident)
            conn = gw.connection()
            for i in range(30):
                assert (
                    gw.request("GET", f"/content-service/pool/{i}", hdr(token), conn=conn)[0] == 200
                )
            assert up_proxy.accepted == 1  # one keep-alive upstream connection, reused
            up_proxy.cut()
            assert gw.request("GET", "/content-service/cut", hdr(token), conn=conn)[0] == 502
            assert gw.request("POST", "/content-service/cut", hdr(token), body=b"{}")[0] == 502
            assert gw.event("upstream_error") >= 2
            up_proxy.restore()
            assert gw.request("GET", "/content-service/back", hdr(token))[0] == 200
            up_proxy.slow(1.6)
            assert gw.request("GET", "/content-service/slowed", hdr(token))[0] == 504
            assert gw.event("upstream_timeout") >= 1
            up_proxy.restore()
            assert gw.request("GET", "/content-service/again", hdr(token))[0] == 200
            conn.close()
