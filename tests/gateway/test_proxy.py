"""The gateway's proxy behaviour against real servers: routing, auth, header rewrite,
bodies, errors, heartbeat, metrics."""

from __future__ import annotations

from tests.support.gateway_process import make_token


def test_routes_the_path_and_query_with_the_tenant_headers_from_the_token(stack):
    token = stack.user()
    status, headers, body = stack.gateway.request(
        "GET", "/discovery-service/api/search?q=a%20b&page=2", stack.headers(token)
    )
    assert status == 200
    assert body["path"] == "/discovery-service/api/search?q=a%20b&page=2"
    sent = body["headers"]
    assert sent["x-bb-partner-id"] == ["11"]
    assert sent["x-bb-plan-type"] == ["SAAS"]
    assert sent["x-bb-requestid"] == [headers["x-bb-requestid"]]
    assert sent["authorization"][0].startswith("Basic ")
    assert sent["x-forwarded-for"] == ["127.0.0.1"]
    assert "accept-encoding" not in sent


def test_the_basic_value_carries_the_name_identity_gave_as_the_original_did(stack):
    import base64

    named, plain = stack.user(), stack.user()
    with stack.identity.lock:
        stack.identity.names[named] = "Asha K"
    for _ in range(2):  # the identity lookup, then the session from L1
        sent = stack.gateway.request("GET", "/discovery-service/api/a", stack.headers(named))[2]
        basic = base64.b64decode(sent["headers"]["authorization"][0].split()[1])
        assert basic == b"7~Asha K~1~70:7"
    sent = stack.gateway.request("GET", "/discovery-service/api/a", stack.headers(plain))[2]
    assert base64.b64decode(sent["headers"]["authorization"][0].split()[1]) == b"7~7~1~70:7"


def test_signature_is_accepted_by_the_shared_verifier(stack):
    from coffee.infra import tenant_signature

    token = stack.user()
    _, _, body = stack.gateway.request(
        "POST", "/content-service/api/x?y=1", stack.headers(token), body=b"{}"
    )
    h = {k: v[0] for k, v in body["headers"].items()}
    args = (
        "POST",
        "/content-service/api/x",
        h["x-bb-partner-id"],
        h["x-bb-plan-type"],
        h["authorization"],
        h["x-bb-gateway-timestamp"],
    )
    signed = {"query": "y=1", "nonce": h["x-bb-requestid"], "body": b"{}"}
    sig = h["x-bb-gateway-signature"]
    assert tenant_signature.verify(b"test-signature-secret", *args, sig, **signed)
    assert not tenant_signature.verify(b"other-secret", *args, sig, **signed)
    # the signature covers the query, the body and the nonce
    for change in ({"query": "y=2"}, {"body": b"{ }"}, {"nonce": "other"}):
        assert not tenant_signature.verify(
            b"test-signature-secret", *args, sig, **{**signed, **change}
        )


def test_unknown_service_is_404_without_touching_an_upstream(stack):
    before = len(stack.upstream.requests)
    status, _, _ = stack.gateway.request("GET", "/no-such-service/x", stack.headers(stack.user()))
    assert status == 404
    assert len(stack.upstream.requests) == before


def test_client_id_and_a_valid_token_are_required(stack):
    gw = stack.gateway
    token = stack.user()
    assert gw.request("GET", "/content-service/x", {"authorization": f"Bearer {token}"})[0] == 401
    assert gw.request("GET", "/content-service/x", stack.headers(None))[0] == 401
    bad = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert gw.request("GET", "/content-service/x", stack.headers(bad))[0] == 401
    expired = make_token("expired-session", ttl=-10)
    assert gw.request("GET", "/content-service/x", stack.headers(expired))[0] == 401
    unknown = stack.user(valid=False)  # signed right, but the session is not valid
    assert gw.request("GET", "/content-service/x", stack.headers(unknown))[0] == 401


def test_device_initialisation_skips_the_token_check(stack):
    headers = stack.headers(None, **{"x-bb-deviceid": "dev-1"})
    status, _, body = stack.gateway.request(
        "POST", "/content-service/api/auth/init", headers, body=b"{}"
    )
    assert status == 200
    import base64

    assert body["headers"]["authorization"] == [
        "Basic " + base64.b64encode(b"dev-1~dev-1~0:dev-1").decode()
    ]
    assert body["headers"]["x-bb-plan-type"] == ["FREE"]
    assert body["headers"]["x-bb-partner-id"] == [""]


def test_request_bodies_stream_with_length_and_chunked(stack):
    token = stack.user()
    gw = stack.gateway
    status, _, body = gw.request(
        "PUT", "/content-service/api/doc", stack.headers(token), body=b"x" * 3000
    )
    assert status == 200 and body["body"] == "x" * 3000
    conn = gw.connection()
    conn.putrequest("POST", "/content-service/api/chunks")
    for k, v in stack.headers(token).items():
        conn.putheader(k, v)
    conn.putheader("transfer-encoding", "chunked")
    conn.endheaders()
    for part in (b"hello ", b"chunked ", b"world"):
        conn.send(b"%x\r\n%s\r\n" % (len(part), part))
    conn.send(b"0\r\n\r\n")
    resp = conn.getresponse()
    import orjson

    echoed = orjson.loads(resp.read())
    conn.close()
    assert resp.status == 200
    assert echoed["body"] == "hello chunked world"


def test_too_large_request_is_413(stack):
    status, _, _ = stack.gateway.request(
        "POST", "/content-service/api/doc", stack.headers(stack.user()), body=b"x" * 5000
    )
    assert status == 413


def test_keep_alive_connection_serves_many_requests(stack):
    token = stack.user()
    conn = stack.gateway.connection()
    ids = set()
    for i in range(20):
        status, headers, body = stack.gateway.request(
            "GET", f"/leaderboard-service/api/{i}", stack.headers(token), conn=conn
        )
        assert status == 200 and body["path"] == f"/leaderboard-service/api/{i}"
        ids.add(headers["x-bb-requestid"])
    conn.close()
    assert len(ids) == 20


def test_upstream_timeout_is_504_and_the_gateway_goes_on(stack):
    token = stack.user()
    status, _, _ = stack.gateway.request("GET", "/content-service/slow/3/x", stack.headers(token))
    assert status == 504
    assert stack.gateway.request("GET", "/content-service/ok", stack.headers(token))[0] == 200


def test_cors_answer_is_the_gateways_only(stack):
    token = stack.user()
    gw = stack.gateway
    _, headers, _ = gw.request(
        "GET", "/content-service/x", stack.headers(token, origin="https://app.example")
    )
    assert headers["access-control-allow-origin"] == "https://app.example"
    assert headers["access-control-allow-credentials"] == "true"
    _, headers, _ = gw.request(
        "GET", "/content-service/x", stack.headers(token, origin="https://other.example")
    )
    assert "access-control-allow-origin" not in headers  # the upstream's was removed
    status, headers, _ = gw.request(
        "OPTIONS",
        "/content-service/x",
        {
            "origin": "https://app.example",
            "access-control-request-method": "POST",
            "access-control-request-headers": "x-bb-clientid, authorization",
        },
    )
    assert status == 204
    assert headers["access-control-allow-origin"] == "https://app.example"
    assert "x-bb-clientid" in headers["access-control-allow-headers"]


def test_heartbeat_answers_like_the_original(stack):
    gw = stack.gateway
    assert gw.request("GET", "/heartbeat/")[0] == 200
    assert gw.request("PUT", "/heartbeat/?beat=false", admin=True)[0] == 200
    assert gw.request("GET", "/heartbeat/")[0] == 410
    assert gw.request("GET", "/heartbeat/", admin=True)[0] == 410
    assert gw.request("PUT", "/heartbeat/?beat=maybe", admin=True)[0] == 400
    assert gw.request("PUT", "/heartbeat/?beat=true", admin=True)[0] == 200
    assert gw.request("GET", "/heartbeat/")[0] == 200


def test_metrics_keep_requests_winkl_beside_ours(stack):
    token = stack.user()
    stack.gateway.request(
        "GET", "/activity-service/x", stack.headers(token, **{"x-bb-channelid": "ios"})
    )
    text = stack.gateway.metrics()
    assert (
        'requests_winkl{method="GET",path="/activity-service/*any",channel="ios",'
        'clientId="web",responseStatus="200"}'
    ) in text
    assert 'gateway_requests_total{route="/activity-service/*any",status="200"}' in text
    assert "gateway_l1_cost_used" in text and "gateway_redis_breaker_state 0" in text


def test_malformed_request_is_400(stack):
    import socket

    with socket.create_connection(("127.0.0.1", stack.gateway.port)) as s:
        s.sendall(b"GARBAGE\x01 / HTTP/1.1\r\n\r\n")
        assert s.recv(100).startswith(b"HTTP/1.1 400")


def test_upstream_down_is_502(stack, tmp_path):
    from bench._net import free_port
    from tests.support.gateway_process import GatewayProcess

    env = {
        "SAAS_URL": f"http://127.0.0.1:{free_port()}",
        "IDENTITY_URL": stack.identity.url,
        "PARTNER_URL": stack.partner.url,
    }
    with GatewayProcess(env) as gw:
        token = stack.user()
        assert gw.request("GET", "/content-service/x", stack.headers(token))[0] == 502
        assert gw.event("upstream_error") >= 1


def test_several_workers_share_the_port(stack):
    from tests.gateway.conftest import services_env
    from tests.support.gateway_process import GatewayProcess

    env = services_env(stack.upstream, stack.identity, stack.partner)
    with GatewayProcess(env, workers=2) as gw:
        token = stack.user()
        statuses = {
            gw.request("GET", f"/content-service/w/{i}", stack.headers(token))[0] for i in range(10)
        }
        assert statuses == {200}


def test_an_upstream_speaking_garbage_is_502(stack):
    import socket
    import threading

    from tests.gateway.conftest import services_env
    from tests.support.gateway_process import GatewayProcess

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        while True:
            try:
                sock, _ = listener.accept()
            except OSError:
                return
            sock.recv(65536)
            sock.sendall(b"SPEAKING NONSENSE\r\n\r\n")
            sock.close()

    threading.Thread(target=serve, daemon=True).start()
    env = services_env(stack.upstream, stack.identity, stack.partner)
    env["SAAS_URL"] = f"http://127.0.0.1:{port}"
    try:
        with GatewayProcess(env) as gw:
            token = stack.user()
            assert gw.request("GET", "/content-service/x", stack.headers(token))[0] == 502
            assert gw.request("GET", "/content-service/x", stack.headers(token))[0] == 502
    finally:
        listener.close()


def test_an_endless_request_head_is_cut_with_431(stack):
    import socket

    with socket.create_connection(("127.0.0.1", stack.gateway.port)) as s:
        s.sendall(b"GET /content-service/x HTTP/1.1\r\nx-filler: ")
        answer = b""
        try:
            for _ in range(200):
                s.sendall(b"a" * 4096)
        except OSError:
            pass  # the gateway closed the connection: expected
        s.settimeout(5)
        try:
            answer = s.recv(200)
        except OSError:
            answer = b""
        assert answer.startswith(b"HTTP/1.1 431")
    assert stack.gateway.request("GET", "/heartbeat/")[0] in (200, 410)


def test_pipelined_requests_are_answered_in_order(stack):
    import socket

    token = stack.user()
    head = "".join(f"{k}: {v}\r\n" for k, v in stack.headers(token).items())
    requests = b"".join(
        f"GET /content-service/{path} HTTP/1.1\r\nhost: gw\r\n{head}\r\n".encode()
        for path in ("slow/0.3/first", "second", "third")
    )
    with socket.create_connection(("127.0.0.1", stack.gateway.port), timeout=10) as s:
        s.sendall(requests)
        received = b""
        while received.count(b"HTTP/1.1 200") < 3 or not received.endswith(b"}"):
            chunk = s.recv(65536)
            assert chunk, "connection closed early"
            received += chunk
    first = received.find(b"/content-service/slow/0.3/first")
    second = received.find(b"/content-service/second")
    third = received.find(b"/content-service/third")
    assert 0 < first < second < third


def test_connection_close_is_honoured(stack):
    import socket

    token = stack.user()
    head = "".join(f"{k}: {v}\r\n" for k, v in stack.headers(token).items())
    request = f"GET /content-service/bye HTTP/1.1\r\nhost: gw\r\nconnection: close\r\n{head}\r\n"
    with socket.create_connection(("127.0.0.1", stack.gateway.port), timeout=10) as s:
        s.sendall(request.encode())
        received = b""
        while chunk := s.recv(65536):  # ends when the gateway closes
            received += chunk
    assert received.startswith(b"HTTP/1.1 200")
    assert b"connection: close" in received.lower()


def test_a_chunked_answer_streams_through_and_the_connection_is_reused(stack):
    token = stack.user()
    conn = stack.gateway.connection()
    for _ in range(3):
        status, headers, body = stack.gateway.request(
            "GET", "/content-service/chunked/x", stack.headers(token), conn=conn
        )
        assert status == 200 and body == b"one,two,three"
        assert headers["transfer-encoding"] == "chunked"
    status, _, body = stack.gateway.request(
        "GET", "/content-service/after", stack.headers(token), conn=conn
    )
    assert status == 200 and body["path"] == "/content-service/after"
    conn.close()
