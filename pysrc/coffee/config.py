"""Every setting of the platform, read from environment variables in one place.

Each settings group is a msgspec Struct. A field named ``server_timeout`` is read from
``SERVER_TIMEOUT``; ``env_names`` adds the original Go services' names where they differ, so an
operator's existing environment keeps working. Values are converted by msgspec (``"5"`` -> 5)
and constraints (``Meta(ge=...)``) are checked at start: a bad value stops the process with an
error that names the variable and the value, instead of failing on the first request.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import quote

import msgspec
from msgspec import Meta

S = TypeVar("S", bound=msgspec.Struct)

MiB = 1 << 20
GiB = 1 << 30


class SettingsError(ValueError):
    """A setting is missing or has a bad value; the message names the variable."""


class CacheSettings(msgspec.Struct, frozen=True, kw_only=True):
    """The gateway's in-process L1 cache (spec Q1, Q6)."""

    l1_max_cost: Annotated[int, Meta(ge=1)] = GiB
    # Bounds staleness: a session revoked while an invalidation message was lost lives at most this.
    l1_session_ttl: Annotated[float, Meta(gt=0)] = 60.0


class BrokerSettings(msgspec.Struct, frozen=True, kw_only=True):
    """RabbitMQ, under the original's RABBIT_* names; a full AMQP_URI wins (clusters, TLS)."""

    rabbit_user: str = "guest"
    rabbit_password: str = "guest"
    rabbit_host: str = "127.0.0.1"
    rabbit_port: Annotated[int, Meta(ge=1, le=65535)] = 5672
    rabbit_vhost: str = "/"
    amqp_uri: str = ""

    @property
    def amqp_url(self) -> str:
        if self.amqp_uri:
            return self.amqp_uri
        vhost = quote(self.rabbit_vhost, safe="")
        user, password = quote(self.rabbit_user, safe=""), quote(self.rabbit_password, safe="")
        return f"amqp://{user}:{password}@{self.rabbit_host}:{self.rabbit_port}/{vhost}"


class CommonSettings(msgspec.Struct, frozen=True, kw_only=True):
    env: str = "dev"
    log_level: Literal["debug", "info", "warning", "error", "critical"] = "info"
    sentry_dsn: str = ""


def setup_logging(environ: Mapping[str, str] | None = None) -> CommonSettings:
    """The root logger at LOG_LEVEL (the originals' name, any case); SettingsError if bad."""
    import logging

    common = load(CommonSettings, environ)
    logging.basicConfig(
        level=common.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    return common


# Names used by the Go originals, accepted beside ours: field -> extra environment names.
ENV_ALIASES: dict[str, tuple[str, ...]] = {}
# Fields whose values are read in any case: the originals' deployments set `LOG_LEVEL=INFO`
# (logrus parses levels case-insensitively and spells warning `warn`).
_CASE_INSENSITIVE = frozenset({"log_level"})
_LEVEL_SPELLINGS = {"warn": "warning"}


def env_names(field: str) -> tuple[str, ...]:
    """The environment variables a field is read from, ours first."""
    return (field.upper(), *ENV_ALIASES.get(field, ()))


def load(cls: type[S], environ: Mapping[str, str] | None = None) -> S:
    """Build ``cls`` from the environment, failing with a message that names the variable."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for field in msgspec.structs.fields(cls):
        for name in env_names(field.name):
            if name in environ:
                raw = environ[name]
                value = raw
                if field.name in _CASE_INSENSITIVE:
                    value = raw.strip().lower()
                    value = _LEVEL_SPELLINGS.get(value, value)
                try:
                    values[field.name] = msgspec.convert(value, field.type, strict=False)
                except msgspec.ValidationError as exc:
                    raise SettingsError(f"{name}={raw!r} is not valid: {exc}") from None
                break
    try:
        return msgspec.convert(values, cls)
    except msgspec.ValidationError as exc:  # a constraint on the struct as a whole
        raise SettingsError(f"invalid settings for {cls.__name__}: {exc}") from None
