"""The third-party webhook sources of the original's HTTP intake, one table entry each.

An entry gives the source's name (its settings are `<NAME>_EVENT_EXCHANGE`,
`<NAME>_EVENT_WORKER_POOL_SIZE` and `<NAME>_EVENT_BUFFERED_CHANNEL_SIZE`, its exchange defaults to
`<name>_event.dx`, its write-ahead log is `EVENT_WAL_DIR/<name>`, its messages carry
`x-source: <name>`) and its routes: path under `/<name>` (without the trailing slash, which is
optional) -> how the routing key is taken from the webhook's JSON object. Adding a source is
one line here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from msgspec import Meta

# AMQP short strings: a longer routing key would make every publish (and every replay of the
# write-ahead log) fail, so it is refused at the door instead.
MAX_ROUTING_KEY_BYTES = 255


class BadWebhook(ValueError):
    """The webhook cannot be routed; the message is the client's 400 answer."""


RoutingRule = Callable[[Mapping[str, Any]], str]


def fixed(key: str) -> RoutingRule:
    return lambda _obj: key


def upper_name(obj: Mapping[str, Any]) -> str:
    """The event's `name`, upper-cased (the original's routing for branch, vidooly, graphy)."""
    name = obj.get("name")
    if not isinstance(name, str) or not name:
        raise BadWebhook("`name` must be a non-empty string")
    key = name.upper()
    if len(key.encode()) > MAX_ROUTING_KEY_BYTES:
        raise BadWebhook(f"`name` is longer than {MAX_ROUTING_KEY_BYTES} bytes")
    return key


@dataclass(frozen=True)
class Source:
    name: str
    routes: Mapping[str, RoutingRule]  # "/event" -> rule, served at /<name>/event

    @property
    def paths(self) -> dict[str, RoutingRule]:
        return {f"/{self.name}{suffix}": rule for suffix, rule in self.routes.items()}

    @property
    def default_exchange(self) -> str:
        return f"{self.name}_event.dx"


# The routing keys are the original workers' (issue 18): branch, vidooly and graphy route by the
# event's `name` upper-cased; webengage's two routes by `EVENT` and `USER_EVENT` (both on the
# webengage exchange); shopify by `shopify_events`. The original consumers' bindings match them.
SOURCES: tuple[Source, ...] = (
    Source("branch", {"/event": upper_name}),
    Source("vidooly", {"/event": upper_name}),
    Source("webengage", {"/event": fixed("EVENT"), "/event/users": fixed("USER_EVENT")}),
    Source("shopify", {"/event": fixed("shopify_events")}),
    Source("graphy", {"/event": upper_name}),
)

DEFAULT_WORKER_POOL_SIZE = 4
DEFAULT_BUFFERED_CHANNEL_SIZE = 1000


def settings_fields() -> list[tuple[str, type, Any]]:
    """The per-source settings as msgspec struct fields (name, type, default)."""
    fields: list[tuple[str, type, Any]] = []
    for source in SOURCES:
        fields += [
            (f"{source.name}_event_exchange", str, source.default_exchange),
            (
                f"{source.name}_event_worker_pool_size",
                Annotated[int, Meta(ge=1, le=1024)],
                DEFAULT_WORKER_POOL_SIZE,
            ),
            (
                f"{source.name}_event_buffered_channel_size",
                Annotated[int, Meta(ge=1)],
                DEFAULT_BUFFERED_CHANNEL_SIZE,
            ),
        ]
    return fields


@dataclass(frozen=True)
class SourceSettings:
    exchange: str
    worker_pool_size: int
    buffered_channel_size: int


def source_settings(settings: object, source: Source) -> SourceSettings:
    prefix = f"{source.name}_event_"
    return SourceSettings(
        exchange=getattr(settings, prefix + "exchange"),
        worker_pool_size=getattr(settings, prefix + "worker_pool_size"),
        buffered_channel_size=getattr(settings, prefix + "buffered_channel_size"),
    )
