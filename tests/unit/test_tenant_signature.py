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
    msg = b"v1\nGET\n/coffee/api/v2/discovery/search\np-1\nPAID\nBasic dXNlcjpwYXNz\n1800000000"
    expected = hmac.new(SECRET, msg, hashlib.sha256).hexdigest()
    assert ts.sign(SECRET, *ARGS, NOW) == expected


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
