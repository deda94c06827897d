"""Identity and partner modules against a real api process, Redis, RabbitMQ and PostgreSQL:
login/logout/verify with the original protocols, the gateway's own parser of the partner
answer, and the listeners (session invalidation, contract renewal, profile updated, dead letter)."""

from __future__ import annotations

import asyncio
import base64
import threading
import time

import aio_pika
import pytest
import redis
from coffee._native import JwtVerifier
from coffee.gateway.partners import contract_from_answer
from coffee.infra import amqp

from tests.conftest import require_port
from tests.support.api_process import ApiProcess

KEY = b"identity-test-key-0123456789abcdef"


def wait_for(check, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    return check()


@pytest.fixture(scope="module")
def api():
    for name, port in (("PostgreSQL", 5432), ("Redis", 6379), ("RabbitMQ", 5672)):
        require_port(name, "127.0.0.1", port)
    with ApiProcess({"HMAC_SECRET": base64.b64encode(KEY).decode()}) as proc:
        yield proc


@pytest.fixture(scope="module")
def r():
    client = redis.Redis(host="127.0.0.1", port=6379)
    yield client
    client.close()


def create_user(api: ApiProcess, email: str, partner: int | None = None) -> int:
    status, _, body = api.request(
        "POST",
        "/identity-service/api/users",
        {"email": email, "name": "Asha", "password": "correct horse", "partnerId": partner},
    )
    assert status == 201, body
    return body["user"]["id"]


def login(api: ApiProcess, email: str, password: str = "correct horse"):
    return api.request(
        "POST",
        "/identity-service/api/auth/login",
        {"email": email, "password": password},
        signed=False,
    )


def test_login_verify_logout(api, r):
    uid = create_user(api, "asha@example.com")
    status, _, body = login(api, "asha@example.com")
    assert status == 200, body
    assert body["status"]["type"] == "SUCCESS"
    claims = JwtVerifier(KEY, ["HS256"]).verify(body["token"])
    sid = body["sessionId"]
    assert (claims["sid"], claims["uid"]) == (sid, uid)
    assert wait_for(lambda: r.exists(f"session:{sid}"))  # written after the commit
    assert 0 < r.ttl(f"session:{sid}") <= 7 * 24 * 3600

    verify = "/identity-service/api/auth/verify/token?loadPreferences=true&skipTokenCache=false"
    status, _, answer = api.request("POST", verify, {"token": body["token"]}, signed=False)
    assert status == 200
    assert answer["status"]["type"] == "SUCCESS"
    assert answer["user"]["userId"] == uid
    status, _, lookup = api.request("GET", f"/identity-service/api/session/{sid}", signed=False)
    assert lookup["session"]["live"] is True

    pubsub = r.pubsub()
    pubsub.subscribe("session-invalidation")
    pubsub.get_message(timeout=1)  # the subscribe confirmation
    heard: list[bytes] = []

    def listen() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and sid.encode() not in heard:
            message = pubsub.get_message(timeout=0.5)
            if message and message["type"] == "message":
                heard.append(message["data"])

    listener = threading.Thread(target=listen)
    listener.start()
    status, _, out = api.request(
        "POST",
        "/identity-service/api/auth/logout",
        signed=False,
        headers={"authorization": "Bearer " + body["token"]},
    )
    assert status == 200, out
    listener.join()
    pubsub.close()
    assert sid.encode() in heard  # every gateway drops it from L1
    assert wait_for(lambda: not r.exists(f"session:{sid}"))
    status, _, answer = api.request("POST", verify, {"token": body["token"]}, signed=False)
    assert status == 401
    assert answer["status"]["type"] == "ERROR"
    # The outbox event reached the listener, which repeated the invalidation.
    assert wait_for(
        lambda: api.sql("SELECT 1 FROM processed_events WHERE listener = 'session_invalidated'")
    )


def test_wrong_password_and_bad_tokens(api):
    create_user(api, "ravi@example.com")
    status, _, body = login(api, "ravi@example.com", "wrong password")
    assert status == 401
    assert body["status"]["type"] == "ERROR"
    status, _, body = login(api, "nobody@example.com")
    assert status == 401
    verify = "/identity-service/api/auth/verify/token"
    for token in ("", "abc", "a.b.c"):
        status, _, body = api.request("POST", verify, {"token": token}, signed=False)
        assert status == 401
        assert body["status"]["type"] == "ERROR"
    status, _, _ = api.request("POST", verify, b"{", signed=False)
    assert status == 400


def test_user_creation_needs_the_gateway_signature(api):
    status, _, _ = api.request(
        "POST",
        "/identity-service/api/users",
        {"email": "x@example.com", "name": "X", "password": "12345678"},
        signed=False,
    )
    assert status == 401


def test_partner_protocol_is_what_the_gateway_reads(api):
    status, _, body = api.request("POST", "/partner-service/api/partner", {"name": "Acme"})
    assert status == 201, body
    pid = body["partner"]["id"]
    now = int(time.time() * 1000)
    status, _, body = api.request(
        "POST",
        f"/partner-service/api/partner/{pid}/contracts",
        {"plan": "paid", "startTime": now - 1000, "endTime": now + 3_600_000},
    )
    assert status == 201, body
    cid = body["contract"]["id"]
    status, _, answer = api.request("GET", f"/partner-service/api/partner/{pid}", signed=False)
    assert status == 200
    contract = answer["partners"][0]["contracts"][0]
    assert contract["contractType"] == "SAAS" and contract["partnerId"] == pid
    parsed = contract_from_answer(answer)  # the gateway's own parser
    assert parsed.plan == b"PAID"
    assert abs(parsed.end - (now + 3_600_000) / 1000) < 0.01

    api.sql("UPDATE partners SET status = 'SUSPENDED' WHERE id = $1", pid)
    status, _, body = api.request(
        "PUT", f"/partner-service/api/contract/{cid}", {"endTime": now + 7_200_000}
    )
    assert status == 200, body
    # contract_renewed went through the outbox to its listener.
    assert wait_for(
        lambda: api.sql("SELECT status FROM partners WHERE id = $1", pid)[0]["status"] == "ACTIVE"
    )
    assert api.request("GET", "/partner-service/api/partner/999999", signed=False)[0] == 404


def test_profile_listener_and_dead_letter(api):
    api.sql(
        "INSERT INTO profiles (id, platform, platform_profile_id, handle, name, category, country)"
        " VALUES (77, 'instagram', 'pp77', 'h77', 'N', 'food', 'IN')"
    )
    for followers in (1, 2):
        status, _, _ = api.request(
            "PUT", "/discovery-service/api/profile/77", {"followers": followers}
        )
        assert status == 200
    assert wait_for(
        lambda: (
            api.sql("SELECT updates FROM profile_stats WHERE profile_id = 77")
            and api.sql("SELECT updates FROM profile_stats WHERE profile_id = 77")[0]["updates"]
            == 2
        )
    )

    async def poison() -> aio_pika.abc.AbstractIncomingMessage | None:
        conn = await aio_pika.connect("amqp://guest:guest@127.0.0.1:5672/")
        async with conn:
            channel = await conn.channel()
            ex = await channel.get_exchange(api.exchange)
            await ex.publish(
                aio_pika.Message(b"not json", message_id="poison-1"), "profile_updated"
            )
            queue = await channel.get_queue(
                amqp.queue_name(api.exchange, "profile_updated") + ".error"
            )
            for _ in range(100):
                message = await queue.get(fail=False)
                if message is not None:
                    await message.ack()
                    return message
                await asyncio.sleep(0.1)
        return None

    dead = asyncio.run(poison())
    assert dead is not None, "the poison message was not dead-lettered"
    assert dead.body == b"not json"
    assert dead.headers[amqp.RETRY_HEADER] == 3  # the first try and LISTENER_MAX_RETRIES=2
