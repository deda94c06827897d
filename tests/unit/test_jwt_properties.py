"""Property tests: random bytes and random mutations of a valid token never verify and never
raise anything but `InvalidToken` (a Rust panic would surface as PanicException)."""

from __future__ import annotations

from coffee import _native
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.support import jwt_corpus
from tests.support.jwt_keys import HMAC_SECRET

VERIFIER = _native.JwtVerifier(HMAC_SECRET, ["HS256", "HS384"], leeway=30)
VALID = jwt_corpus.sanity_token()
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \x00é"
SETTINGS = settings(
    max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def refused(token: str | bytes) -> bool:
    try:
        VERIFIER.verify(token, now=jwt_corpus.NOW)
    except _native.InvalidToken:
        return True
    return False


def test_the_valid_token_verifies():
    assert not refused(VALID)


@SETTINGS
@given(st.binary(max_size=600))
def test_random_bytes_never_verify(data):
    assert refused(data)


@SETTINGS
@given(
    st.lists(
        st.tuples(st.integers(0, len(VALID) - 1), st.sampled_from(["replace", "delete", "insert"]),
                  st.sampled_from(ALPHABET)),
        min_size=1, max_size=4,
    )
)  # fmt: skip
def test_mutations_of_a_valid_token_never_verify(edits):
    token = list(VALID)
    for position, action, char in edits:
        position = min(position, len(token) - 1)
        if action == "replace":
            token[position] = char
        elif action == "delete" and len(token) > 1:
            del token[position]
        else:
            token.insert(position, char)
    mutated = "".join(token)
    assume(mutated != VALID)
    assert refused(mutated)
