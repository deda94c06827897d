"""The HTTP half of the `coffee up` demo: two partners (a paid contract and an expired one),
a user of each, a login at the api, and the same search through the gateway for both, showing
the plan the gateway derived from each contract (expired = FREE: no premium contact fields).

Partners, contracts and users are created at the api as an operator's tool would: with the
gateway's signature, which `coffee up` shares with both roles.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from coffee.infra import tenant_signature

SEARCH = "/discovery-service/api/profile/instagram/search"
OPERATOR = "Basic " + base64.b64encode(b"0~coffee-up~1~0:0").decode()


def _call(url: str, method: str, path: str, body: Any, headers: dict[str, str]) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data, method=method, headers=headers)
    request.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw or b"null")
        except ValueError:
            return exc.code, raw.decode(errors="replace")


def _signed(secret: str, method: str, path: str, body: Any = None) -> dict[str, str]:
    """Headers the gateway would add; the signature covers the body `_call` will send."""
    ts = int(time.time())
    nonce = secrets.token_hex(16)
    data = b"" if body is None else json.dumps(body).encode()
    sig = tenant_signature.sign(
        secret.encode(), method, path, "0", "PAID", OPERATOR, ts, nonce=nonce, body=data
    )
    return {
        tenant_signature.NONCE_HEADER: nonce,
        "x-bb-partner-id": "0",
        "x-bb-plan-type": "PAID",
        "authorization": OPERATOR,
        tenant_signature.TIMESTAMP_HEADER: str(ts),
        tenant_signature.SIGNATURE_HEADER: sig,
    }


def create_partner(api: str, secret: str, name: str, contract_end_ms: int) -> int:
    """A partner with one PAID contract ending at `contract_end_ms`; its id."""
    path = "/partner-service/api/partner"
    status, body = _call(
        api, "POST", path, {"name": name}, _signed(secret, "POST", path, {"name": name})
    )
    if status >= 300:
        raise RuntimeError(f"partner creation answered {status}: {body}")
    partner = body["partner"]["id"]
    path = f"/partner-service/api/partner/{partner}/contracts"
    contract = {"plan": "PAID", "startTime": contract_end_ms - 30 * 86_400_000,
                "endTime": contract_end_ms}  # fmt: skip
    status, body = _call(api, "POST", path, contract, _signed(secret, "POST", path, contract))
    if status >= 300:
        raise RuntimeError(f"contract creation answered {status}: {body}")
    return partner


def create_user(api: str, secret: str, name: str, partner: int) -> tuple[str, str]:
    """A user of `partner`; (email, password)."""
    email = f"{name.lower().replace(' ', '-')}-{secrets.token_hex(4)}@example.com"
    password = secrets.token_urlsafe(12)
    user = {"email": email, "name": name, "password": password, "partnerId": partner}
    path = "/identity-service/api/users"
    status, body = _call(api, "POST", path, user, _signed(secret, "POST", path, user))
    if status >= 300:
        raise RuntimeError(f"user creation answered {status}: {body}")
    return email, password


def login(url: str, email: str, password: str) -> tuple[int, Any]:
    """(status, body) of a login at `url` (the api, or the gateway in front of it)."""
    credentials = {"email": email, "password": password}
    return _call(url, "POST", "/identity-service/api/auth/login", credentials, {})


def _partner_user(api: str, secret: str, name: str, contract_end_ms: int) -> tuple[int, str]:
    """A partner with one contract ending at `contract_end_ms`, and a logged-in user of it."""
    partner = create_partner(api, secret, name, contract_end_ms)
    email, password = create_user(api, secret, name, partner)
    status, body = login(api, email, password)
    if status != 200:
        raise RuntimeError(f"login answered {status}: {body}")
    return partner, body["token"]


def run(api: str, gateway: str, secret: str, say: Callable[[str], None]) -> dict[str, Any]:
    now = int(time.time() * 1000)
    out: dict[str, Any] = {}
    for label, end in (("paid", now + 3_600_000), ("expired", now - 86_400_000)):
        partner, token = _partner_user(api, secret, f"Demo {label}", end)
        say(f"http: partner {partner} ({label} contract), user logged in at the api")
        headers = {"authorization": f"Bearer {token}", "x-bb-clientid": "coffee-up-demo"}
        status, found = _call(gateway, "POST", SEARCH, {"filters": []}, headers)
        profiles = found.get("profiles", []) if isinstance(found, dict) else []
        premium = bool(profiles) and "email" in profiles[0]
        plan = "PAID" if premium else "FREE"
        say(f"http: search through the gateway as the {label} partner: {status},"
            f" {len(profiles)} profiles, plan seen by the api {plan}")  # fmt: skip
        out[label] = {"status": status, "profiles": len(profiles), "plan": plan}
    return out
