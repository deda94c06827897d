"""Session tokens: HS256 JWTs signed by the native signer with the gateway's HMAC_SECRET."""

from __future__ import annotations

import base64
import binascii
import time
from typing import Any

from coffee._native import InvalidToken, JwtSigner, JwtVerifier


class Tokens:
    def __init__(self, hmac_secret_b64: str) -> None:
        try:
            key = base64.b64decode(hmac_secret_b64, validate=True) if hmac_secret_b64 else b""
        except binascii.Error:
            raise ValueError("HMAC_SECRET must be base64 (as the gateway reads it)") from None
        self.enabled = bool(key)
        if self.enabled:
            self.signer = JwtSigner(key, "HS256")
            self.verifier = JwtVerifier(key, ["HS256"], required=("exp", "sid", "uid"))

    def issue(self, sid: str, uid: int, account: int | None, partner: int | None, ttl: int) -> str:
        claims: dict[str, Any] = {"sid": sid, "uid": uid, "exp": int(time.time()) + ttl}
        if account is not None:
            claims["userAccountId"] = account
        if partner is not None:
            claims["partnerId"] = partner
        return self.signer.sign(claims)

    def claims(self, token: str) -> dict[str, Any] | None:
        """The claims of a valid token, None otherwise (bad, expired, or no secret set)."""
        if not self.enabled:
            return None
        try:
            return self.verifier.verify(token)
        except InvalidToken:
            return None
