"""Every token of the corpus is refused with its own error class and reason code; good tokens
pass the same verifiers (so a refusal is never the verifier refusing everything)."""

from __future__ import annotations

import pytest
from coffee import _native

from tests.support import jwt_corpus
from tests.support.jwt_keys import HMAC_SECRET, rsa_pair

NOW = jwt_corpus.NOW


def verifiers() -> dict[str, _native.JwtVerifier]:
    oct_key = {"kty": "oct", "k": jwt_corpus.b64(HMAC_SECRET)}
    return {
        "hmac": _native.JwtVerifier(HMAC_SECRET, ["HS256"], leeway=30),
        "strict": _native.JwtVerifier(HMAC_SECRET, ["HS256"]),
        "rsa": _native.JwtVerifier(rsa_pair().public_pem, ["RS256", "HS256"], leeway=30),
        "aud": _native.JwtVerifier(
            HMAC_SECRET, ["HS256"], audience=["gateway", "api"], issuer="identity", leeway=30
        ),
        "jwks": _native.JwtVerifier(
            {"keys": [{**oct_key, "kid": "a"}, {**oct_key, "kid": "b"}]}, ["HS256"]
        ),
    }


VERIFIERS = verifiers()
CASES = jwt_corpus.cases()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_token_is_refused_with_its_error(case):
    error_class = getattr(_native, case.error)
    with pytest.raises(error_class) as raised:
        VERIFIERS[case.verifier].verify(case.token, now=NOW)
    assert raised.value.reason == case.reason, str(raised.value)
    assert isinstance(raised.value, _native.InvalidToken)
    assert isinstance(raised.value, ValueError)


def test_corpus_is_large_and_names_are_unique():
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


def test_the_same_verifiers_accept_good_tokens():
    good = jwt_corpus.sanity_token()
    assert VERIFIERS["hmac"].verify(good, now=NOW)["uid"] == 42
    assert VERIFIERS["strict"].verify(good, now=NOW)["uid"] == 42
    assert VERIFIERS["rsa"].verify(jwt_corpus.pyjwt_rsa_token(), now=NOW)["uid"] == 42
    assert (
        VERIFIERS["aud"].verify(
            jwt_corpus.signed({**jwt_corpus.GOOD, "aud": "api", "iss": "identity"}), now=NOW
        )["partnerId"]
        == 7
    )
    keyed = jwt_corpus.signed(jwt_corpus.GOOD, {"alg": "HS256", "kid": "b"})
    assert VERIFIERS["jwks"].verify(keyed, now=NOW)["sid"] == "s-1"


def test_leeway_boundaries():
    just_expired = jwt_corpus.signed({**jwt_corpus.GOOD, "exp": NOW - 30})
    inside = jwt_corpus.signed({**jwt_corpus.GOOD, "exp": NOW - 29})
    assert VERIFIERS["hmac"].verify(inside, now=NOW)
    with pytest.raises(_native.Expired):
        VERIFIERS["hmac"].verify(just_expired, now=NOW)


def test_wrong_argument_types_are_type_errors():
    with pytest.raises(TypeError):
        VERIFIERS["hmac"].verify(123)
