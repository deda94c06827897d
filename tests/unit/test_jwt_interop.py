"""Interop with PyJWT both ways, for every algorithm, and key sets chosen by `kid`."""

from __future__ import annotations

import json
import time

import jwt as pyjwt
import pytest
from coffee import _native
from jwt.algorithms import get_default_algorithms

from tests.support.jwt_keys import ALL_ALGORITHMS, ec_pair, pair_for, rsa_pair

CLAIMS = {
    "sid": "s-1",
    "uid": 42,
    "userAccountId": 4242,
    "partnerId": 7,
    "roles": ["admin", "ops"],
    "nested": {"a": [1, 2.5, None, True]},
}


def claims() -> dict:
    return {**CLAIMS, "exp": int(time.time()) + 600, "iat": int(time.time())}


@pytest.mark.parametrize("alg", ALL_ALGORITHMS)
def test_pyjwt_tokens_verify_with_equal_claims(alg):
    signing, verifying = pair_for(alg)
    expected = claims()
    token = pyjwt.encode(expected, signing, algorithm=alg)
    assert _native.JwtVerifier(verifying, [alg]).verify(token) == expected


@pytest.mark.parametrize("alg", ALL_ALGORITHMS)
def test_our_tokens_verify_in_pyjwt(alg):
    signing, verifying = pair_for(alg)
    expected = claims()
    token = _native.JwtSigner(signing, alg, kid="k1").sign(expected)
    assert pyjwt.get_unverified_header(token) == {"alg": alg, "typ": "JWT", "kid": "k1"}
    assert pyjwt.decode(token, verifying, algorithms=[alg]) == expected
    assert _native.JwtVerifier(verifying, [alg]).verify(token) == expected


def _jwk(private_key, alg: str, kid: str) -> dict:
    algorithm = get_default_algorithms()[alg]
    jwk = json.loads(algorithm.to_jwk(private_key.public_key()))
    return {**jwk, "kid": kid}


def test_jwks_selects_the_key_by_kid():
    rsa, ec = rsa_pair(), ec_pair("P-256")
    jwks = {"keys": [_jwk(rsa.private_key, "RS256", "r1"), _jwk(ec.private_key, "ES256", "e1")]}
    for as_text in (False, True):
        verifier = _native.JwtVerifier(json.dumps(jwks) if as_text else jwks, ["RS256", "ES256"])
        for pem, alg, kid in ((rsa.private_pem, "RS256", "r1"), (ec.private_pem, "ES256", "e1")):
            token = pyjwt.encode(claims(), pem, algorithm=alg, headers={"kid": kid})
            assert verifier.verify(token)["uid"] == 42
        wrong = pyjwt.encode(claims(), rsa.private_pem, algorithm="RS256", headers={"kid": "e1"})
        with pytest.raises(_native.UnknownKey):
            verifier.verify(wrong)


def test_hmac_secret_from_jwk_oct():
    secret, _ = pair_for("HS256")
    jwks = {
        "keys": [{"kty": "oct", "kid": "h", "k": pyjwt.utils.base64url_encode(secret).decode()}]
    }
    token = pyjwt.encode(claims(), secret, algorithm="HS256", headers={"kid": "h"})
    assert _native.JwtVerifier(jwks, ["HS256"]).verify(token)["sid"] == "s-1"


def test_bytes_tokens_are_accepted():
    secret, _ = pair_for("HS256")
    token = pyjwt.encode(claims(), secret, algorithm="HS256")
    assert _native.JwtVerifier(secret, ["HS256"]).verify(token.encode())["partnerId"] == 7


def test_bad_configuration_is_a_clear_error():
    with pytest.raises(ValueError, match="unsupported algorithm"):
        _native.JwtVerifier(b"s", ["none"])
    with pytest.raises(ValueError, match="at least one"):
        _native.JwtVerifier(b"s", [])
    with pytest.raises(ValueError, match="none of the allowed"):
        _native.JwtVerifier(rsa_pair().public_pem, ["ES256"])
    with pytest.raises(ValueError, match="expected a public key"):
        _native.JwtVerifier(rsa_pair().private_pem, ["RS256"])
    with pytest.raises(ValueError, match="empty"):
        _native.JwtVerifier(b"", ["HS256"])
    with pytest.raises(TypeError):
        _native.JwtVerifier(42, ["HS256"])


def test_signer_never_lets_a_header_replace_alg():
    secret, _ = pair_for("HS256")
    token = _native.JwtSigner(secret, "HS256").sign(claims(), headers={"alg": "none", "x": 1})
    assert pyjwt.get_unverified_header(token)["alg"] == "HS256"


def test_verifier_is_safe_across_threads():
    from concurrent.futures import ThreadPoolExecutor

    signing, verifying = pair_for("ES256")
    verifier = _native.JwtVerifier(verifying, ["ES256"])
    tokens = [_native.JwtSigner(signing, "ES256").sign({**claims(), "i": i}) for i in range(64)]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(verifier.verify, tokens * 4))
    assert [r["i"] for r in results] == list(range(64)) * 4
