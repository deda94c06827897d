"""The gateway's signature over the request it forwards (shared by the gateway and the api).

The api trusts ``x-bb-partner-id`` / ``x-bb-plan-type`` / ``Authorization`` only when they carry
a valid signature: the gateway computes a hex HMAC-SHA256 with a shared secret
(``GATEWAY_SIGNATURE_SECRET``) over

    "v2\\n{METHOD}\\n{path}\\n{query}\\n{partner-id}\\n{plan-type}\\n{authorization}
     \\n{timestamp}\\n{nonce}\\n{sha256 hex of the body}"

(one line) and sends it as ``x-bb-gateway-signature`` with the unix time in
``x-bb-gateway-timestamp``; the nonce is the request id (``x-bb-requestid``). A client that
bypasses the gateway cannot forge the headers without the secret; a captured request cannot be
replayed with another query or body, nor later than the allowed skew (default 30 s, a setting),
nor twice within it (the api keeps the nonces it saw for the skew window: `NonceCache`).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections import deque

import msgspec

VERSION = "v2"
NONCE_HEADER = "x-bb-requestid"
EMPTY_BODY_DIGEST = hashlib.sha256(b"").hexdigest()
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
    *,
    query: str = "",
    nonce: str = "",
    body_digest: str = EMPTY_BODY_DIGEST,
) -> bytes:
    """The signed message; a newline in a field could make two messages collide: refused."""
    fields = (method.upper(), path, query, partner_id, plan_type, authorization)
    if any("\n" in f for f in (*fields, nonce)):
        raise ValueError("signed fields must not contain a newline")
    return "\n".join((VERSION, *fields, str(int(timestamp)), nonce, body_digest)).encode()


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest() if body else EMPTY_BODY_DIGEST


def sign(
    secret: bytes,
    method: str,
    path: str,
    partner_id: str,
    plan_type: str,
    authorization: str,
    timestamp: int,
    *,
    query: str = "",
    nonce: str = "",
    body: bytes = b"",
) -> str:
    """Hex HMAC-SHA256 of the canonical message."""
    if not secret:
        raise ValueError("the gateway signature secret is empty")
    msg = canonical(
        method, path, partner_id, plan_type, authorization, timestamp,
        query=query, nonce=nonce, body_digest=body_digest(body),
    )  # fmt: skip
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
    query: str = "",
    nonce: str = "",
    body: bytes = b"",
    nonces: NonceCache | None = None,
    max_skew: int = DEFAULT_MAX_SKEW_SECONDS,
    now: float | None = None,
) -> bool:
    """True when ``signature`` is valid and ``timestamp`` is within ``max_skew`` seconds of now,
    and, given ``nonces``, the nonce was not seen before inside that window.

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
        expected = sign(
            secret, method, path, partner_id, plan_type, authorization, ts,
            query=query, nonce=nonce, body=body,
        )  # fmt: skip
    except ValueError:
        return False
    if not hmac.compare_digest(
        expected.encode(), signature.strip().lower().encode("ascii", "replace")
    ):
        return False
    # Only a valid signature consumes its nonce: a forger cannot burn the gateway's ids.
    return nonces is None or nonces.first_use(nonce, ts + max_skew, current)


class NonceCache:
    """Nonces seen while their signature is still fresh; memory is bounded by time (an entry
    leaves when its timestamp falls out of the skew window) and by `max_entries`."""

    def __init__(self, max_entries: int = 1_000_000) -> None:
        self.max_entries = max_entries
        self._expiry: dict[str, float] = {}
        self._order: deque[tuple[float, str]] = deque()

    def __len__(self) -> int:
        return len(self._expiry)

    def first_use(self, nonce: str, expires: float, now: float) -> bool:
        """True the first time `nonce` is offered before `expires`; False for a replay."""
        if not nonce:
            return False
        order, expiry = self._order, self._expiry
        # Nonces arrive nearly in timestamp order: pruning from the left is amortized O(1).
        while order and (order[0][0] < now or len(expiry) >= self.max_entries):
            expiry.pop(order.popleft()[1], None)
        if nonce in expiry:
            return False
        expiry[nonce] = expires
        order.append((expires, nonce))
        return True
