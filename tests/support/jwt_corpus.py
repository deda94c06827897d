"""The corpus of bad tokens: each case names the token, the verifier it is shown to, and the
exact error (class and reason) it must be refused with. Built deterministically from fixed
claims and the session's test keys, so the cases stay readable next to their expectations."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass

import jwt as pyjwt

from tests.support.jwt_keys import HMAC_SECRET, rsa_pair

NOW = 1_700_000_000
GOOD = {"sid": "s-1", "uid": 42, "partnerId": 7, "exp": NOW + 600, "iat": NOW - 10}


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64json(obj) -> str:
    return b64(json.dumps(obj, separators=(",", ":")).encode())


def hs256(header_b64: str, payload_b64: str, secret: bytes = HMAC_SECRET) -> str:
    signing_input = f"{header_b64}.{payload_b64}".encode()
    mac = hmac.new(secret, signing_input, hashlib.sha256).digest()
    return f"{header_b64}.{payload_b64}.{b64(mac)}"


def signed(payload, header=None) -> str:
    """HS256 over arbitrary JSON text or objects (so that invalid claims are validly signed)."""
    header = header or {"alg": "HS256", "typ": "JWT"}
    h = b64(header.encode()) if isinstance(header, str) else b64json(header)
    p = b64(payload.encode()) if isinstance(payload, str) else b64json(payload)
    return hs256(h, p)


@dataclass(frozen=True)
class Case:
    name: str
    token: str | bytes
    error: str  # the _native exception class name
    reason: str
    verifier: str = "hmac"  # "hmac", "rsa" (RS256 + HS256 allowed), "aud" (audience + issuer)


def cases() -> list[Case]:
    good = signed(GOOD)
    h, p, s = good.split(".")
    rsa_public = rsa_pair().public_pem
    deep = "[" * 200 + "]" * 200
    out = [
        Case("alg none", signed(GOOD, {"alg": "none"}).rsplit(".", 1)[0] + ".", "BadSignature",
             "missing_signature"),
        Case("alg none signed", signed(GOOD, {"alg": "none"}), "UnsupportedAlgorithm", "alg_none"),
        Case("alg NoNe", signed(GOOD, {"alg": "NoNe"}), "UnsupportedAlgorithm", "alg_none"),
        Case("alg NONE", signed(GOOD, {"alg": "NONE"}), "UnsupportedAlgorithm", "alg_none"),
        Case("alg lower hs256", signed(GOOD, {"alg": "hs256"}), "UnsupportedAlgorithm",
             "alg_unknown"),
        Case("alg not allowed", signed(GOOD, {"alg": "HS512"}), "UnsupportedAlgorithm",
             "alg_not_allowed"),
        Case("alg missing", signed(GOOD, {"typ": "JWT"}), "Malformed", "alg_missing"),
        Case("alg not a string", signed(GOOD, {"alg": ["HS256"]}), "Malformed", "alg_not_string"),
        Case("HS256 with the RSA public key as secret",
             hs256(b64json({"alg": "HS256"}), b64json(GOOD), rsa_public), "UnknownKey",
             "no_key_for_alg", verifier="rsa"),
        Case("tampered payload", f"{h}.{b64json({**GOOD, 'uid': 1})}.{s}", "BadSignature",
             "bad_signature"),
        Case("tampered header", f"{b64json({'alg': 'HS256', 'kid': 'x'})}.{p}.{s}", "BadSignature",
             "bad_signature"),
        Case("stripped signature", f"{h}.{p}.", "BadSignature", "missing_signature"),
        Case("signature of another token", f"{h}.{p}.{signed({**GOOD, 'a': 1}).split('.')[2]}",
             "BadSignature", "bad_signature"),
        Case("wrong kid in a key set", signed(GOOD, {"alg": "HS256", "kid": "other"}),
             "UnknownKey", "kid_unknown", verifier="jwks"),
        Case("kid with a path", signed(GOOD, {"alg": "HS256", "kid": "../../etc/passwd"}),
             "UnknownKey", "kid_unknown", verifier="jwks"),
        Case("kid with SQL", signed(GOOD, {"alg": "HS256", "kid": "x' OR '1'='1"}),
             "UnknownKey", "kid_unknown", verifier="jwks"),
        Case("kid missing in a key set", signed(GOOD), "UnknownKey", "kid_missing",
             verifier="jwks"),
        Case("kid not a string", signed(GOOD, {"alg": "HS256", "kid": 7}), "Malformed",
             "kid_not_string"),
        Case("duplicated claim", signed(f'{{"uid":42,"exp":{NOW + 600},"uid":1}}'),
             "Malformed", "duplicate_key"),
        Case("duplicated header member", signed(GOOD, '{"alg":"HS256","alg":"none"}'),
             "Malformed", "duplicate_key"),
        Case("exp as a string", signed({**GOOD, "exp": str(NOW + 600)}), "Malformed",
             "exp_not_number"),
        Case("exp as null", signed({**GOOD, "exp": None}), "Malformed", "exp_not_number"),
        Case("nbf as a string", signed({**GOOD, "nbf": "0"}), "Malformed", "nbf_not_number"),
        Case("iat as a bool", signed({**GOOD, "iat": True}), "Malformed", "iat_not_number"),
        Case("expired one second past leeway", signed({**GOOD, "exp": NOW - 31}), "Expired",
             "expired"),
        Case("expires exactly now", signed({**GOOD, "exp": NOW}), "Expired", "expired",
             verifier="strict"),
        Case("future nbf", signed({**GOOD, "nbf": NOW + 31}), "NotYetValid", "not_yet_valid"),
        Case("iat in the future", signed({**GOOD, "iat": NOW + 31}), "NotYetValid",
             "issued_in_future"),
        Case("exp missing", signed({k: v for k, v in GOOD.items() if k != "exp"}),
             "MissingClaim", "claim_missing"),
        Case("aud wrong", signed({**GOOD, "aud": "other", "iss": "identity"}), "BadAudience",
             "aud_mismatch", verifier="aud"),
        Case("aud wrong in a list", signed({**GOOD, "aud": ["a", "b"], "iss": "identity"}),
             "BadAudience", "aud_mismatch", verifier="aud"),
        Case("aud missing", signed({**GOOD, "iss": "identity"}), "MissingClaim", "claim_missing",
             verifier="aud"),
        Case("aud not a string", signed({**GOOD, "aud": 5, "iss": "identity"}), "Malformed",
             "aud_not_string", verifier="aud"),
        Case("aud present but not expected", signed({**GOOD, "aud": "gateway"}), "BadAudience",
             "aud_not_expected"),
        Case("iss wrong", signed({**GOOD, "aud": "gateway", "iss": "evil"}), "BadIssuer",
             "iss_mismatch", verifier="aud"),
        Case("iss missing", signed({**GOOD, "aud": "gateway"}), "MissingClaim", "claim_missing",
             verifier="aud"),
        Case("invalid base64 character in the header", f"{h}*.{p}.{s}", "Malformed",
             "bad_base64"),
        Case("base64 padding on the header", f"{h}==.{p}.{s}", "Malformed", "bad_base64"),
        # The payload is not decoded before the signature holds: its damage is a bad signature.
        Case("invalid base64 character in the payload", f"{h}.{p}*.{s}", "BadSignature",
             "bad_signature"),
        Case("standard base64 alphabet", f"{h}.{p}.{s.replace('-', '+').replace('_', '/')}+",
             "BadSignature", "bad_signature_encoding"),
        Case("extra segment", f"{good}.{s}", "Malformed", "too_many_segments"),
        Case("two segments", f"{h}.{p}", "Malformed", "too_few_segments"),
        Case("one segment", "abc", "Malformed", "too_few_segments"),
        Case("empty string", "", "Malformed", "too_few_segments"),
        Case("empty header", f".{p}.{s}", "Malformed", "empty_segment"),
        Case("empty payload", f"{h}..{s}", "Malformed", "empty_segment"),
        Case("only dots", "..", "Malformed", "empty_segment"),
        Case("oversized", f"{h}.{b64json({**GOOD, 'pad': 'x' * 9000})}.{s}", "Malformed",
             "too_large"),
        Case("deeply nested claims", signed(f'{{"exp":{NOW + 600},"a":{deep}}}'), "Malformed",
             "too_deep"),
        Case("payload not an object", signed("[1,2,3]"), "Malformed", "not_an_object"),
        Case("payload not JSON", hs256(h, b64(b"not json")), "Malformed", "bad_json"),
        Case("header not JSON", hs256(b64(b"{alg:HS256}"), p), "Malformed", "bad_json"),
        Case("non-UTF-8 payload", hs256(h, b64(b'{"a":"\xff\xfe"}')), "Malformed", "not_utf8"),
        Case("non-UTF-8 token bytes", good.encode()[:-2] + b"\xff\xfe", "BadSignature",
             "bad_signature_encoding"),
        Case("unknown crit header", signed(GOOD, {"alg": "HS256", "crit": ["exp"], "exp": 1}),
             "Malformed", "crit_not_understood"),
        Case("empty crit", signed(GOOD, {"alg": "HS256", "crit": []}), "Malformed", "crit_empty"),
        Case("trailing garbage in JSON", signed(f'{{"exp":{NOW + 600}}} x'), "Malformed",
             "trailing_characters"),
        Case("RS256 token with a forged signature",
             f"{b64json({'alg': 'RS256'})}.{p}.{b64(b'0' * 256)}", "BadSignature",
             "bad_signature", verifier="rsa"),
    ]  # fmt: skip
    return out


def sanity_token() -> str:
    """A valid token for every verifier but `aud`: proof that the verifiers accept good ones."""
    return signed(GOOD)


def pyjwt_rsa_token() -> str:
    return pyjwt.encode(GOOD, rsa_pair().private_pem, algorithm="RS256")
