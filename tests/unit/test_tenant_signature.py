"""The gateway signature shared by the gateway (signs) and the api (verifies)."""

import hashlib
import hmac

import pytest
from coffee.config import load
from coffee.infra import tenant_signature as ts

SECRET = b"s3cret"
ARGS = ("GET", "/coffee/api/v2/discovery/search", "p-1", "PAID", "Basic dXNlcjpwYXNz")
NOW = 1_800_000_000


def test_sign_is_hex_hmac_sha256_over_the_documented_message():
    body = b'{"a":1}'
    msg = (
        b"v2\nGET\n/coffee/api/v2/discovery/search\nq=1&r=2\np-1\nPAID\nBasic dXNlcjpwYXNz"
        b"\n1800000000\nreq-1\n" + hashlib.sha256(body).hexdigest().encode()
    )
    expected = hmac.new(SECRET, msg, hashlib.sha256).hexdigest()
    assert ts.sign(SECRET, *ARGS, NOW, query="q=1&r=2", nonce="req-1", body=body) == expected


def test_method_is_uppercased_before_signing():
    assert ts.sign(SECRET, "get", *ARGS[1:], NOW) == ts.sign(SECRET, *ARGS, NOW)


def test_verify_accepts_a_fresh_signature():
    sig = ts.sign(SECRET, *ARGS, NOW)
    assert ts.verify(SECRET, *ARGS, NOW, sig, now=NOW + 29)
    assert ts.verify(SECRET, *ARGS, str(NOW), sig.upper(), now=NOW - 30)


@pytest.mark.parametrize("delta", [31, -31, 3600])
def test_verify_rejects_a_timestamp_outside_the_skew(delta):
    sig = ts.sign(SECRET, *ARGS, NOW)
    assert not ts.verify(SECRET, *ARGS, NOW, sig, now=NOW + delta)


def test_skew_is_a_setting():
    sig = ts.sign(SECRET, *ARGS, NOW)
    assert ts.verify(SECRET, *ARGS, NOW, sig, now=NOW + 100, max_skew=120)
    settings = load(
        ts.SignatureSettings,
        {"GATEWAY_SIGNATURE_SECRET": "x", "GATEWAY_SIGNATURE_MAX_SKEW": "120"},
    )
    assert settings.gateway_signature_max_skew == 120
    assert settings.gateway_signature_secret == "x"


@pytest.mark.parametrize("field", range(5))
def test_verify_rejects_any_changed_field(field):
    sig = ts.sign(SECRET, *ARGS, NOW)
    changed = list(ARGS)
    changed[field] = changed[field] + "x"
    assert not ts.verify(SECRET, *changed, NOW, sig, now=NOW)


def test_verify_rejects_a_changed_timestamp_or_secret():
    sig = ts.sign(SECRET, *ARGS, NOW)
    assert not ts.verify(SECRET, *ARGS, NOW + 1, sig, now=NOW)
    assert not ts.verify(b"other", *ARGS, NOW, sig, now=NOW)


@pytest.mark.parametrize("bad", ["", "zz", "é" * 64, "0" * 64])
def test_verify_never_raises_on_garbage_signature(bad):
    assert not ts.verify(SECRET, *ARGS, NOW, bad, now=NOW)


@pytest.mark.parametrize("bad_ts", ["", "abc", None, "1.5e9"])
def test_verify_never_raises_on_garbage_timestamp(bad_ts):
    assert not ts.verify(SECRET, *ARGS, bad_ts, "00", now=NOW)


def test_empty_secret_never_verifies_and_cannot_sign():
    assert not ts.verify(b"", *ARGS, NOW, ts.sign(SECRET, *ARGS, NOW), now=NOW)
    with pytest.raises(ValueError):
        ts.sign(b"", *ARGS, NOW)


def test_newline_in_a_field_is_refused():
    with pytest.raises(ValueError):
        ts.sign(SECRET, "GET", "/a\nb", "p", "FREE", "", NOW)
    assert not ts.verify(SECRET, "GET", "/a\nb", "p", "FREE", "", NOW, "00", now=NOW)


SIGNED = {"query": "q=1", "nonce": "req-1", "body": b"{}"}


@pytest.mark.parametrize(
    "change", [{"query": "q=2"}, {"query": ""}, {"nonce": "req-2"}, {"body": b"{ }"}, {"body": b""}]
)
def test_verify_rejects_another_query_nonce_or_body(change):
    sig = ts.sign(SECRET, *ARGS, NOW, **SIGNED)
    assert ts.verify(SECRET, *ARGS, NOW, sig, now=NOW, **SIGNED)
    assert not ts.verify(SECRET, *ARGS, NOW, sig, now=NOW, **{**SIGNED, **change})


def test_a_nonce_is_accepted_once_inside_the_skew_window():
    nonces = ts.NonceCache()
    sig = ts.sign(SECRET, *ARGS, NOW, **SIGNED)
    assert ts.verify(SECRET, *ARGS, NOW, sig, now=NOW, nonces=nonces, **SIGNED)
    assert not ts.verify(SECRET, *ARGS, NOW, sig, now=NOW + 1, nonces=nonces, **SIGNED)
    other = ts.sign(SECRET, *ARGS, NOW, **{**SIGNED, "nonce": "req-2"})
    assert ts.verify(SECRET, *ARGS, NOW, other, now=NOW + 1, nonces=nonces, nonce="req-2",
                     query="q=1", body=b"{}")  # fmt: skip


def test_an_invalid_signature_does_not_consume_the_nonce():
    nonces = ts.NonceCache()
    assert not ts.verify(SECRET, *ARGS, NOW, "00", now=NOW, nonces=nonces, **SIGNED)
    sig = ts.sign(SECRET, *ARGS, NOW, **SIGNED)
    assert ts.verify(SECRET, *ARGS, NOW, sig, now=NOW, nonces=nonces, **SIGNED)


def test_an_empty_nonce_is_refused_when_nonces_are_checked():
    sig = ts.sign(SECRET, *ARGS, NOW, **{**SIGNED, "nonce": ""})
    assert not ts.verify(
        SECRET, *ARGS, NOW, sig, now=NOW, nonces=ts.NonceCache(), **{**SIGNED, "nonce": ""}
    )


def test_the_nonce_memory_is_pruned_by_time_and_bounded():
    nonces = ts.NonceCache(max_entries=100)
    for i in range(1000):
        assert nonces.first_use(f"n{i}", NOW + i + 30, NOW + i)
    assert len(nonces) <= 100
    assert not nonces.first_use("n999", NOW + 2000, NOW + 999)  # still inside its window
    nonces = ts.NonceCache()
    for i in range(1000):
        nonces.first_use(f"n{i}", NOW + i + 30, NOW + i)
    assert len(nonces) <= 32  # only those of the last 30 s remain
