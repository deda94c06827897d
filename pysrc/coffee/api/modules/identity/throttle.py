"""Login throttling: failed logins counted per email and per client address in Redis (shared by
every api worker and node), in a fixed window. Past the limit a login is refused with 429 before
any password is checked. Redis trouble lets logins through (counted in a metric): a broken
throttle must not lock every user out.
"""

from __future__ import annotations

import logging
from hashlib import blake2b
from typing import Any

from coffee.api import metrics

log = logging.getLogger("coffee.api.login")


def _keys(email: str, address: str) -> tuple[str, str]:
    # The email is hashed: Redis keys are visible to operators, addresses of users are not.
    digest = blake2b(email.encode(), digest_size=16).hexdigest()
    return f"login-failures:email:{digest}", f"login-failures:addr:{address}"


async def refused(redis: Any, settings: Any, email: str, address: str) -> bool:
    """Whether this email or this address failed too often within the window."""
    email_key, address_key = _keys(email, address)
    try:
        # A pipeline, not MGET: on a Redis Cluster the two keys live in different slots.
        async with redis.pipeline(transaction=False) as pipe:
            pipe.get(email_key)
            pipe.get(address_key)
            by_email, by_address = await pipe.execute()
    except Exception as exc:
        metrics.LOGIN_THROTTLE_ERRORS.inc()
        log.warning("login throttle unavailable (logins pass): %r", exc)
        return False
    over = (
        int(by_email or 0) >= settings.login_max_failures_per_email
        or int(by_address or 0) >= settings.login_max_failures_per_address
    )
    if over:
        metrics.LOGIN_THROTTLED.inc()
    return over


async def failed(redis: Any, settings: Any, email: str, address: str) -> None:
    """Counts one failed login for the email and the address."""
    window = max(1, int(settings.login_failure_window))
    try:
        async with redis.pipeline(transaction=False) as pipe:
            for key in _keys(email, address):
                pipe.set(key, 0, ex=window, nx=True)  # the window starts at the first failure
                pipe.incr(key)
            await pipe.execute()
    except Exception as exc:
        metrics.LOGIN_THROTTLE_ERRORS.inc()
        log.warning("login throttle unavailable (failure not counted): %r", exc)
