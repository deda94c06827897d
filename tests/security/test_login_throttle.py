"""Issue 17 item 11 (api login): failed logins are throttled per email and per client address
(Redis, shared by workers), and a login for a missing user costs the same password hash as one
for a present user, so neither the answer nor its timing tells which emails exist. A real api
process, PostgreSQL and Redis; each test logs in from its own loopback address."""

from __future__ import annotations

import base64
import http.client
import random
import uuid

import orjson
import pytest

from tests.conftest import require_port
from tests.support.api_process import ApiProcess

PER_EMAIL = 3
PER_ADDRESS = 6
LOGIN = "/identity-service/api/auth/login"


@pytest.fixture(scope="module")
def api():
    for name, port in (("PostgreSQL", 5432), ("Redis", 6379)):
        require_port(name, "127.0.0.1", port)
    env = {
        "HMAC_SECRET": base64.b64encode(b"login-throttle-test-key-0123456789").decode(),
        "LOGIN_MAX_FAILURES_PER_EMAIL": str(PER_EMAIL),
        "LOGIN_MAX_FAILURES_PER_ADDRESS": str(PER_ADDRESS),
        "LOGIN_FAILURE_WINDOW": "3600",
    }
    with ApiProcess(env) as proc:
        yield proc


def address() -> str:
    return f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"


def login(api: ApiProcess, email: str, password: str, source: str) -> tuple[int, dict, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", api.port, timeout=30, source_address=(source, 0))
    try:
        body = orjson.dumps({"email": email, "password": password})
        conn.request("POST", LOGIN, body=body, headers={"content-type": "application/json"})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, orjson.loads(resp.read())
    finally:
        conn.close()


def create_user(api: ApiProcess, email: str) -> None:
    body = {"email": email, "name": "Asha", "password": "correct horse"}
    status, _, answer = api.request("POST", "/identity-service/api/users", body)
    assert status == 201, answer


def test_failures_per_email_are_throttled_then_even_the_right_password_waits(api):
    email = f"{uuid.uuid4().hex}@coffee.test"
    create_user(api, email)
    statuses = [login(api, email, "wrong", address())[0] for _ in range(PER_EMAIL)]
    assert statuses == [401] * PER_EMAIL
    status, headers, body = login(api, email, "correct horse", address())
    assert status == 429, body
    assert int(headers["retry-after"]) > 0
    assert "too many failed logins" in body["status"]["message"]
    # Another email is not affected.
    other = f"{uuid.uuid4().hex}@coffee.test"
    create_user(api, other)
    assert login(api, other, "correct horse", address())[0] == 200


def test_failures_per_address_are_throttled_whatever_the_email(api):
    source = address()
    emails = [f"{uuid.uuid4().hex}@coffee.test" for _ in range(PER_ADDRESS + 1)]
    statuses = [login(api, e, "wrong", source)[0] for e in emails]
    assert statuses == [401] * PER_ADDRESS + [429]
    # The same emails from elsewhere are still answered (each failed only once).
    assert login(api, emails[0], "wrong", address())[0] == 401


def test_a_missing_user_costs_the_same_password_check_as_a_present_one(api):
    present = f"{uuid.uuid4().hex}@coffee.test"
    create_user(api, present)
    checks = api.metric("coffee_api_login_password_checks_total")
    missing_answer = login(api, f"{uuid.uuid4().hex}@coffee.test", "wrong", address())
    after_missing = api.metric("coffee_api_login_password_checks_total")
    present_answer = login(api, present, "wrong", address())
    after_present = api.metric("coffee_api_login_password_checks_total")
    # One scrypt each: the missing user is checked against a dummy hash.
    assert after_missing - checks == 1
    assert after_present - after_missing == 1
    # And the answers are the same.
    assert missing_answer[0] == present_answer[0] == 401
    assert missing_answer[2] == present_answer[2]
