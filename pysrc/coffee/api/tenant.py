"""The request's tenant, read only from the headers the gateway sets (and signs)."""

from __future__ import annotations

import base64

import msgspec

from coffee.infra import tenant_signature

PLANS = ("FREE", "SAAS", "PAID")


class Tenant(msgspec.Struct, frozen=True):
    partner_id: str = ""
    plan: str = "FREE"
    user_id: str | None = None
    device_id: str | None = None
    account_id: str | None = None
    name: str | None = None

    @property
    def premium(self) -> bool:
        """Premium fields (email, phone, audience demographics) are shown to paying plans only."""
        return self.plan in ("SAAS", "PAID")

    def describe(self) -> dict[str, str | None]:
        return {"partnerId": self.partner_id, "plan": self.plan, "userId": self.user_id}


def parse_basic(authorization: str) -> dict[str, str | None]:
    """`Basic base64("id~name~flag~accountId:...")`: flag 1 = a user, otherwise a device."""
    scheme, _, value = authorization.partition(" ")
    out: dict[str, str | None] = {"user_id": None, "device_id": None, "account_id": None}
    if scheme.lower() != "basic" or not value:
        return out
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except ValueError:  # binascii.Error, UnicodeDecodeError, non-ASCII text
        return out
    ident = decoded.partition(":")[0].split("~")
    if len(ident) >= 3 and ident[2] == "1":
        out["user_id"] = ident[0] or None
        out["name"] = ident[1] or None
        out["account_id"] = ident[3] if len(ident) > 3 and ident[3] else None
    elif ident and ident[0]:
        out["device_id"] = ident[0]
    return out


def from_headers(headers: dict[str, str]) -> Tenant:
    plan = headers.get("x-bb-plan-type", "").upper() or "FREE"
    return Tenant(
        partner_id=headers.get("x-bb-partner-id", ""),
        plan=plan if plan in PLANS else "FREE",
        **parse_basic(headers.get("authorization", "")),  # type: ignore[arg-type]
    )


def signed(
    headers: dict[str, str],
    method: str,
    path: str,
    secret: bytes,
    max_skew: int,
    *,
    query: str = "",
    body: bytes = b"",
    nonces: tenant_signature.NonceCache | None = None,
) -> bool:
    """True when the gateway's signature over the request is valid, fresh and not a replay."""
    return tenant_signature.verify(
        secret,
        method,
        path,
        headers.get("x-bb-partner-id", ""),
        headers.get("x-bb-plan-type", ""),
        headers.get("authorization", ""),
        headers.get(tenant_signature.TIMESTAMP_HEADER, ""),
        headers.get(tenant_signature.SIGNATURE_HEADER, ""),
        query=query,
        nonce=headers.get(tenant_signature.NONCE_HEADER, ""),
        body=body,
        nonces=nonces,
        max_skew=max_skew,
    )
