"""Password hashes: scrypt with a random salt, compared in constant time."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os

N, R, P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, salt_b64, digest_b64 = stored.split("$")
        salt, digest = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P, dklen=len(digest))
    return hmac.compare_digest(candidate, digest)


@functools.cache
def dummy_hash() -> str:
    """A hash no password matches, checked when the user does not exist (same cost)."""
    return hash_password(os.urandom(16).hex())
