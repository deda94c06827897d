"""Every environment name the original Go services read, and what this platform does with it.

A name is either read by the role's settings (its own field or an alias: `coffee.config`), or
listed here as not read, with why and what to do. At start each role checks its environment:
a name listed as REFUSED stops the process with that message (ignoring it would send data
somewhere else than the operator expects, or stop a flow silently); a name listed as IGNORED is
logged once as a warning. tests/unit/test_original_settings.py holds the originals' lists and
fails when a name is neither read nor listed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

log = logging.getLogger("coffee.original_settings")

_REFERRAL_IDS = (
    "client id of the original's referral and webengage sinkers, which this platform does not "
    "run (their queues are stored in ClickHouse, docs/migrating.md): unset it"
)
_WEBENGAGE = (
    "the original forwarded webengage_event_q and webengage_user_event_q to WebEngage's API; "
    "this platform stores them in ClickHouse and forwards nothing: keep the original's "
    "forwarder running on those queues, and unset this here"
)
_EVENTS_PG = (
    "the original Event-gRPC wrote some events to PostgreSQL; this platform writes them to "
    "ClickHouse only: unset it (docs/migrating.md)"
)

# role -> {name: message}: names that stop the role at start.
REFUSED: dict[str, dict[str, str]] = {
    "events": {
        "POSTGRES_HOST": _EVENTS_PG,
        "POSTGRES_PORT": _EVENTS_PG,
        "POSTGRES_USER": _EVENTS_PG,
        "POSTGRES_PASSWORD": _EVENTS_PG,
        "POSTGRES_DBNAME": _EVENTS_PG,
        "POSTGRES_EVENT_SCHEMA": _EVENTS_PG,
        "WEBENGAGE_URL": _WEBENGAGE,
        "WEBENGAGE_USER_URL": _WEBENGAGE,
        "WEBENGAGE_API_KEY": _WEBENGAGE,
        "WEBENGAGE_BRAND_URL": _WEBENGAGE,
        "WEBENGAGE_BRAND_USER_URL": _WEBENGAGE,
        "WEBENGAGE_BRAND_API_KEY": _WEBENGAGE,
    },
}

# role -> {name: message}: names read by the original that change nothing here (warned).
IGNORED: dict[str, dict[str, str]] = {
    "gateway": {
        "DEBUG": "gin's debug mode; set LOG_LEVEL=debug for more logging",
        "ERP_CLIENT_ID": "the ERP client builds the same Basic value as any other client here",
    },
    "events": {
        "DEBUG": "gin's debug mode; set LOG_LEVEL=debug for more logging",
        "CUSTOMER_APP_CLIENT_ID": _REFERRAL_IDS,
        "HOST_APP_CLIENT_ID": _REFERRAL_IDS,
        "GCC_BRAND_CLIENT_ID": _REFERRAL_IDS,
        "GCC_HOST_APP_CLIENT_ID": _REFERRAL_IDS,
        "SOCIAL_STREAM_URL": "used by the original's referral sinkers only (not run here)",
        "IDENTITY_URL": "used by the original's referral sinkers only (not run here)",
        "HMAC_SECRET": "the event intake authenticates no one, as the original's gRPC did not",
        "REDIS_CLUSTER_ADDRESSES": "the event roles use no Redis",
        "REDIS_CLUSTER_PASSWORD": "the event roles use no Redis",
        "RABBIT_HEARTBEAT": "aio-pika negotiates the broker's heartbeat (60 s by default)",
    },
    "api": {
        "INTEGRATION": "the original's integration-test switch; tests here use real servers",
    },
}
# The consumers run from the same environment as the events role in the original.
REFUSED["consumers"] = REFUSED["events"]
IGNORED["consumers"] = IGNORED["events"]


class RefusedSetting(ValueError):
    pass


def check(role: str, environ: Mapping[str, str]) -> list[str]:
    """Raises RefusedSetting naming every refused name that is set; returns (and logs) the
    warnings for ignored names that are set."""
    refused = [f"{name}: {why}" for name, why in REFUSED.get(role, {}).items() if environ.get(name)]
    if refused:
        raise RefusedSetting("; ".join(refused))
    warnings = [
        f"{name} is set but not used: {why}"
        for name, why in IGNORED.get(role, {}).items()
        if name in environ
    ]
    for warning in warnings:
        log.warning(warning)
    return warnings
