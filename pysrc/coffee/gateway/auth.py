"""Who is calling, with which partner and plan: the authorization chain of the gateway.

`fast` runs inside the request's parser callback and only reads memory: the verified claims
of the token (L1, by token digest, until `exp`), the session (L1), the partner's contract
(L1) and a rate-limit lease. When one of them is missing it asks for the slow path, which
fills it from the JWT verifier, Redis / identity, the partner service and Redis.
"""

from __future__ import annotations

import base64
import time
from hashlib import blake2b
from typing import TYPE_CHECKING, Any

from coffee._native import InvalidToken, UnknownKey
from coffee.gateway.app import NEEDS_SLOW_PATH
from coffee.gateway.device_init import is_device_init, valid_device_id
from coffee.gateway.l1_cost import entry_cost
from coffee.gateway.partners import FREE, NO_CONTRACT
from coffee.gateway.ratelimit import NEEDS_LEASE
from coffee.gateway.sessions import INVALID, UNAVAILABLE, session_key

if TYPE_CHECKING:
    from coffee._native import Cache
    from coffee.gateway.jwks import JwksKeys, StaticKeys
    from coffee.gateway.metrics import GatewayMetrics
    from coffee.gateway.partners import PartnerContracts
    from coffee.gateway.ratelimit import RateLimiter
    from coffee.gateway.server import Exchange
    from coffee.gateway.sessions import SessionChain

_PUBLIC_TENANT = b"x-bb-partner-id: \r\n"
# The plans of the device-init limiter (settings DEVICE_INIT_RATE / DEVICE_INIT_ADDRESS_RATE).
DEVICE_PLAN = b"DEVICE"
ADDRESS_PLAN = b"ADDRESS"
INVALID_DEVICE = 400
UNKNOWN_KEY = object()  # _verify's answer for a token whose kid the key set lacks


class Principal:
    """What a verified token says, with the upstream headers it implies prepared once."""

    __slots__ = (
        "account",
        "auth_value",
        "exp",
        "named",
        "partner",
        "partner_id",
        "session_key",
        "sid",
        "tenant",
        "user",
    )

    def __init__(self, claims: dict[str, Any], leeway: float = 0.0) -> None:
        sid, uid = claims.get("sid"), claims.get("uid")
        if sid in (None, "") or uid in (None, ""):
            raise ValueError("the token has no sid or uid")
        partner = claims.get("partnerId")
        account = claims.get("userAccountId")
        exp = claims.get("exp")
        self.sid = str(sid)
        self.session_key = session_key(self.sid)
        self.partner = int(partner) if isinstance(partner, int | float) and partner else 0
        self.partner_id = str(self.partner).encode() if self.partner else b""
        # The verifier accepted the token up to exp + leeway: the cached claims live as long.
        self.exp = float(exp) + leeway if isinstance(exp, int | float) else float("inf")
        user = _decimal(uid)
        account_s = "" if account is None else _decimal(account)
        # As the original gateway built it on its session path: `%d~name~1~%d:%d` with the
        # user id as the name (its claims carry no name) and account 0 when the claim is absent.
        self.user, self.account = user, account_s
        self.tenant, self.auth_value = self._headers(user)
        self.named: tuple[str, bytes, bytes] | None = None  # (name, tenant, auth) last asked

    def _headers(self, name: str) -> tuple[bytes, bytes]:
        user, account_s = self.user, self.account
        basic = base64.b64encode(f"{user}~{name}~1~{account_s or 0}:{user}".encode())
        auth_value = b"Basic " + basic
        tenant = b"".join((
            b"x-bb-partner-id: ", self.partner_id,
            b"\r\nx-bb-user-id: ", user.encode(),
            b"\r\nx-bb-session-id: ", self.sid.encode(),
            b"\r\nx-bb-user-account-id: ", account_s.encode(),
            b"\r\nauthorization: ", auth_value, b"\r\n",
        ))  # fmt: skip
        return tenant, auth_value

    def headers_for(self, session: object) -> tuple[bytes, bytes]:
        """(tenant, authorization) for a request whose session entry is `session`: True (found
        in Redis: the user id stands as the name, as on the original's Redis path) or the
        account's name identity gave (the original's identity path)."""
        if not isinstance(session, str):
            return self.tenant, self.auth_value
        named = self.named
        if named is None or named[0] != session:
            named = self.named = (session, *self._headers(session))
        return named[1], named[2]


def _decimal(value: Any) -> str:
    """A numeric claim as Go's `%d` prints the int the original took from it (7.0 -> "7")."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def token_digest(token: bytes) -> bytes:
    return blake2b(token, digest_size=16).digest()


class TokenAuthorizer:
    def __init__(
        self,
        keys: StaticKeys | JwksKeys,
        l1: Cache,
        sessions: SessionChain,
        partners: PartnerContracts,
        limiter: RateLimiter | None,
        metrics: GatewayMetrics,
        claims_ttl_without_exp: float,
        init_limiter: RateLimiter | None = None,
    ) -> None:
        self.keys = keys
        self.l1 = l1
        self.sessions = sessions
        self.partners = partners
        self.limiter = limiter
        self.metrics = metrics
        self.claims_ttl_without_exp = claims_ttl_without_exp
        # Unauthenticated device initialisations: buckets per device id and per address.
        self.init_limiter = init_limiter

    def fast(self, ex: Exchange) -> int:
        if not ex.client_id:
            return 401
        if not valid_device_id(ex.device_id):
            return INVALID_DEVICE
        if is_device_init(ex.method, ex.url):
            # Always the slow path when limited: one lease per device, a Redis call each time.
            return NEEDS_SLOW_PATH if self.init_limiter is not None else self._device(ex)
        token = ex.token
        if not token:
            return 401
        l1 = self.l1
        principal = l1.get(blake2b(token, digest_size=16).digest())  # token_digest, inlined
        if principal is None:
            return NEEDS_SLOW_PATH
        now = time.time()
        if now >= principal.exp:
            return 401
        session = l1.get(principal.session_key)
        if session is None:
            return NEEDS_SLOW_PATH
        partner = principal.partner
        plan = FREE
        if partner:
            contract = l1.get(partner)
            if contract is None:
                contract = self.partners.cached(partner)  # stale while it refreshes
                if contract is None:
                    return NEEDS_SLOW_PATH
            plan = contract.plan_at(now)
            limiter = self.limiter
            if limiter is not None:
                verdict = limiter.take(partner, plan)
                if verdict:
                    return NEEDS_SLOW_PATH if verdict == NEEDS_LEASE else verdict
        ex.principal = principal
        if session is True:
            ex.tenant, ex.auth_value = principal.tenant, principal.auth_value
        else:
            ex.tenant, ex.auth_value = principal.headers_for(session)
        ex.partner_id = principal.partner_id
        ex.plan = plan
        return 0

    async def slow(self, ex: Exchange) -> int:
        if is_device_init(ex.method, ex.url):
            return await self._device_limited(ex)
        token = ex.token or b""
        key = token_digest(token)
        principal = self.l1.get(key)
        if principal is None:
            if self.keys.verifier is None and not await self.keys.unknown_key():
                return 503  # no key set fetched yet: never 401 (it would log the user out)
            principal = self._verify(token)
            if principal is UNKNOWN_KEY and await self.keys.unknown_key():
                principal = self._verify(token)  # the key set rotated: once more
            if not isinstance(principal, Principal):
                return 401
            ttl = principal.exp - time.time()
            if ttl == float("inf"):
                ttl = self.claims_ttl_without_exp
            if ttl > 0:
                self.l1.set(key, principal, cost=entry_cost(key, principal), ttl=ttl)
        if time.time() >= principal.exp:
            return 401
        if self.l1.get(principal.session_key) is None:
            verdict = await self.sessions.check(principal.sid, token)
            if verdict == INVALID:
                return 401
            if verdict == UNAVAILABLE:
                return 503  # never 401: a 401 would log the user out
        plan = FREE
        partner = principal.partner
        if partner:
            contract = self.partners.cached(partner) or await self.partners.load(partner)
            plan = (contract or NO_CONTRACT).plan_at(time.time())
            limiter = self.limiter
            if limiter is not None:
                verdict = limiter.take(partner, plan)
                if verdict == NEEDS_LEASE:
                    verdict = await limiter.take_slow(partner, plan)
                if verdict:
                    return verdict
        ex.principal = principal
        ex.tenant, ex.auth_value = principal.headers_for(self.l1.get(principal.session_key))
        ex.partner_id = principal.partner_id
        ex.plan = plan
        return 0

    def _verify(self, token: bytes) -> Principal | object | None:
        """The principal, UNKNOWN_KEY (the key set may have rotated), or None."""
        verifier = self.keys.verifier
        assert verifier is not None
        try:
            claims = verifier.verify(token)
        except UnknownKey as exc:
            self.metrics.count(f"jwt_rejected_{exc.reason}")
            return UNKNOWN_KEY
        except InvalidToken as exc:
            self.metrics.count(f"jwt_rejected_{exc.reason}")
            return None
        try:
            return Principal(claims, verifier.leeway)
        except (ValueError, TypeError, OverflowError):
            self.metrics.count("jwt_rejected_claims")
            return None

    async def _device_limited(self, ex: Exchange) -> int:
        limiter = self.init_limiter
        if limiter is not None:
            # The address first: a client cycling device ids is stopped by its address.
            checks = [(f"addr:{ex.client.peer.decode()}", ADDRESS_PLAN)]
            if ex.device_id:
                checks.append((f"dev:{ex.device_id.decode()}", DEVICE_PLAN))
            for who, plan in checks:
                verdict = limiter.take(who, plan)
                if verdict == NEEDS_LEASE:
                    verdict = await limiter.take_slow(who, plan)
                if verdict:
                    self.metrics.count("device_init_limited")
                    return verdict
        return self._device(ex)

    def _device(self, ex: Exchange) -> int:
        device = ex.device_id
        if device:
            basic = base64.b64encode(device + b"~" + device + b"~0:" + device)
            ex.auth_value = b"Basic " + basic
            ex.tenant = _PUBLIC_TENANT + b"authorization: " + ex.auth_value + b"\r\n"
        else:
            ex.tenant = _PUBLIC_TENANT
        ex.plan = FREE
        return 0

    def public(self, ex: Exchange) -> int:
        if not valid_device_id(ex.device_id):
            return INVALID_DEVICE
        return self._device(ex)
