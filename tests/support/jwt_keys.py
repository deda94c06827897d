"""Key pairs for JWT tests, made once per session with `cryptography` (PyJWT's backend)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

HMAC_SECRET = b"coffee-test-secret-0123456789abcdef-0123456789abcdef-0123456789abcdef"


@dataclass(frozen=True)
class KeyPair:
    private_pem: bytes
    public_pem: bytes
    private_key: object  # the cryptography object, for building JWKs


def _pem_pair(key) -> KeyPair:
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return KeyPair(private, public, key)


@functools.cache
def rsa_pair() -> KeyPair:
    return _pem_pair(rsa.generate_private_key(public_exponent=65537, key_size=2048))


@functools.cache
def ec_pair(curve: str = "P-256") -> KeyPair:
    curves = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1()}
    return _pem_pair(ec.generate_private_key(curves[curve]))


@functools.cache
def ed25519_pair() -> KeyPair:
    return _pem_pair(ed25519.Ed25519PrivateKey.generate())


def pair_for(alg: str) -> tuple[bytes, bytes]:
    """(signing key, verifying key) for an algorithm name."""
    if alg.startswith("HS"):
        return HMAC_SECRET, HMAC_SECRET
    if alg.startswith(("RS", "PS")):
        pair = rsa_pair()
    elif alg == "ES256":
        pair = ec_pair("P-256")
    elif alg == "ES384":
        pair = ec_pair("P-384")
    elif alg == "EdDSA":
        pair = ed25519_pair()
    else:
        raise ValueError(alg)
    return pair.private_pem, pair.public_pem


ALL_ALGORITHMS = (
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512",
    "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA",
)  # fmt: skip
