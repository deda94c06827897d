"""The gateway's signature over the tenant headers it adds (shared by the gateway and the api).

The api trusts ``x-bb-partner-id`` / ``x-bb-plan-type`` / ``Authorization`` only when they carry
a valid signature: the gateway computes a hex HMAC-SHA256 with a shared secret
(``GATEWAY_SIGNATURE_SECRET``) over

    "v1\\n{METHOD}\\n{path}\\n{partner-id}\\n{plan-type}\\n{authorization}\\n{timestamp}"

and sends it as ``x-bb-gateway-signature`` with the unix time in ``x-bb-gateway-timestamp``.
A client that bypasses the gateway cannot forge the headers without the secret, and a captured
request cannot be replayed later than the allowed skew (default 30 s, a setting).
"""

from __future__ import annotations

import hashlib
import hmac
import time

import msgspec

VERSION = "v1"
TIMESTAMP_HEADER = "x-bb-gateway-timestamp"
SIGNATURE_HEADER = "x-bb-gateway-signature"
DEFAULT_MAX_SKEW_SECONDS = 30


class SignatureSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Read with ``coffee.config.load``.

    ``GATEWAY_SIGNATURE_SECRET`` and ``GATEWAY_SIGNATURE_MAX_SKEW`` (seconds).
    """

    gateway_signature_secret: str = ""
    gateway_signature_max_skew: int = DEFAULT_MAX_SKEW_SECONDS


def canonical(
    method: str,
    path: str,
    partner_id: str,
    plan_type: str,
    authorization: str,
    timestamp: int,
) -> bytes:
    """The signed message; a newline in a field could make two messages collide: refused."""
    fields = (method.upper(), path, partner_id, plan_type, authorization)
    if any("\n" in f for f in fields):
        raise ValueError("signed fields must not contain a newline")
    return "\n".join((VERSION, *fields, str(int(timestamp)))).encode()


def sign(
    secret: bytes,
    method: str,
    path: str,
    partner_id: str,
    plan_type: str,
    authorization: str,
    timestamp: int,
) -> str:
    """Hex HMAC-SHA256 of the canonical message."""
    if not secret:
        raise ValueError("the gateway signature secret is empty")
    msg = canonical(method, path, partner_id, plan_type, authorization, timestamp)
    return hmac.new(secret, msg, hashlib.sha256).hexdigest()


def verify(
    secret: bytes,
    method: str,
    path: str,
    partner_id: str,
    plan_type: str,
    authorization: str,
    timestamp: int | str,
    signature: str,
    *,
    max_skew: int = DEFAULT_MAX_SKEW_SECONDS,
    now: float | None = None,
) -> bool:
    """True when ``signature`` is valid and ``timestamp`` is within ``max_skew`` seconds of now.

    Never raises on bad input (a malformed timestamp or signature is simply invalid); the
    comparison runs in constant time.
    """
    if not secret or not signature:
        return False
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - ts) > max_skew:
        return False
    try:
        expected = sign(secret, method, path, partner_id, plan_type, authorization, ts)
    except ValueError:
        return False
    return hmac.compare_digest(
        expected.encode(), signature.strip().lower().encode("ascii", "replace")
    )
