"""Typed stubs of the compiled core, `coffee._native` (built from rust/ by maturin).

One section per part of the core (cache, jwt, events), in that order; each part edits only its own.
"""

from collections.abc import Mapping, Sequence
from typing import Any

__version__: str

# ---- cache (rust/src/cache) ----

class Cache:
    """A W-TinyLFU cache bounded by the total cost of its entries; safe to share between threads.

    New entries enter a small LRU window (its share adapts by hill climbing); what leaves the
    window is admitted to the segmented main space only if a count-min frequency sketch (with a
    doorkeeper and periodic halving) has seen it more often than the entry it would replace.
    Keys are ``str``, ``bytes`` or 64-bit ``int`` (``"1"``, ``b"1"`` and ``1`` are distinct);
    values are any object. ``cost_used <= max_cost`` holds at every instant.
    """

    def __init__(self, max_cost: int = 1 << 30, default_ttl: float | None = None) -> None: ...
    def get(self, key: str | bytes | int, default: Any = None) -> Any:
        """The value, or `default` when absent or expired."""
    def set(
        self,
        key: str | bytes | int,
        value: Any,
        cost: int | None = None,
        ttl: float | None = None,
    ) -> bool:
        """Stores `value`; False when admission kept the current entries instead.

        `cost` defaults to the UTF-8 byte size of a str value or the size of a bytes value,
        else 1; it must be between 1 and `max_cost`. `ttl` (seconds) defaults to `default_ttl`.
        Raises TypeError for an unsupported key type, ValueError for a bad cost or ttl.
        """
    def delete(self, key: str | bytes | int) -> bool:
        """Removes `key`; True if it was there."""
    def clear(self) -> None: ...
    def __len__(self) -> int: ...
    def __contains__(self, key: str | bytes | int) -> bool: ...
    @property
    def max_cost(self) -> int: ...
    def stats(self) -> dict[str, int | float]:
        """hits, misses, hit_ratio, admitted, rejected, evicted, expired, cost_used, max_cost,
        window_share (the adaptive window's current share of max_cost)."""

# ---- jwt (rust/src/jwt) ----

class InvalidToken(ValueError):
    """A JWT was refused. `reason` is a short stable code (e.g. ``alg_none``) to log and count."""

    reason: str

class Malformed(InvalidToken): ...
class BadSignature(InvalidToken): ...
class Expired(InvalidToken): ...
class NotYetValid(InvalidToken): ...
class BadAudience(InvalidToken): ...
class BadIssuer(InvalidToken): ...
class MissingClaim(InvalidToken): ...
class UnsupportedAlgorithm(InvalidToken): ...
class UnknownKey(InvalidToken): ...

class JwtVerifier:
    """Verifies compact JWS tokens; immutable and safe to share between threads.

    `keys` is an HMAC secret (str/bytes), a PEM public key, or a JWKS / JWK (JSON text or dict)
    whose keys the token's ``kid`` selects. `algorithms` is the allow-list (``none`` never is);
    a key is used only with algorithms of its own family. Tokens longer than `max_token_bytes`
    are refused before decoding. Raises ``ValueError`` for a bad configuration.
    """

    def __init__(
        self,
        keys: str | bytes | Mapping[str, Any],
        algorithms: Sequence[str],
        audience: str | Sequence[str] | None = None,
        issuer: str | None = None,
        leeway: float = 0.0,
        required: Sequence[str] = ("exp",),
        max_token_bytes: int = 8192,
    ) -> None: ...
    def verify(self, token: str | bytes, now: float | None = None) -> dict[str, Any]:
        """The claims of a valid token; raises an `InvalidToken` subclass otherwise."""
    @property
    def leeway(self) -> float:
        """Seconds of clock skew allowed on ``exp``, ``nbf`` and ``iat``; a caller caching
        verified claims until ``exp`` must add it."""
    @property
    def requires_exp(self) -> bool:
        """Whether ``exp`` is a required claim (the default)."""
    @property
    def key_count(self) -> int:
        """How many (key, algorithm) pairs are configured."""

class JwtSigner:
    """Signs claims with one key: an HMAC secret, or a PEM private key (PKCS#8, PKCS#1, SEC1)."""

    def __init__(self, key: str | bytes, algorithm: str, kid: str | None = None) -> None: ...
    def sign(self, claims: Mapping[str, Any], headers: Mapping[str, Any] | None = None) -> str:
        """A compact JWS; `headers` adds header members but never replaces ``alg``."""

# ---- events (rust/src/events) ----

class PreparedBatch:
    """The outcome of `EventRules.prepare`."""

    groups: list[tuple[str, bytes, int]]
    """(routing key, JSON message body, number of events): one message per payload type."""
    rejected: list[tuple[int, str, str]]
    """(index in the batch, event id, reason code) of every refused event."""
    accepted: int
    corrected: int
    """Accepted events whose timestamp was clamped or corrected for clock skew."""

class EventRules:
    """Validates, corrects and groups a whole serialized ``event.Events`` batch in one call.

    Refusal reasons: header_missing, device_id_missing, event_malformed, event_not_utf8,
    id_missing, id_too_long, payload_missing, payload_too_large, params_not_json,
    timestamp_missing, timestamp_not_integer, timestamp_overflow.
    """

    def __init__(
        self,
        future_tolerance_ms: int = 60_000,
        skew_threshold_ms: int = 60_000,
        max_id_bytes: int = 128,
        max_payload_bytes: int = 65_536,
        max_events: int = 1_000,
    ) -> None: ...
    def prepare(self, batch: bytes, now_ms: int) -> PreparedBatch:
        """Raises ValueError when the batch is not a valid envelope or has too many events."""

class BufferFull(Exception):
    """A RowBatch is at capacity: flush it before adding more."""

class RowBatch:
    """The consumers' batch builder: event messages (the intake's JSON) in, JSONEachRow rows of
    an ``events``-shaped ClickHouse table out. Rows without an id or a non-negative integer
    timestamp, and empty or unreadable messages, are refused and counted."""

    def __init__(self, flush_rows: int = 100, capacity_rows: int = 10_000) -> None: ...
    def add(self, body: bytes, kind: str, insert_ts_ms: int) -> tuple[int, int]:
        """Adds one message's rows (all or nothing); returns (accepted, refused).
        Raises BufferFull when they would pass the capacity."""
    def add_documents(
        self, body: bytes, kind: str, id: str, received_ms: int, insert_ts_ms: int
    ) -> tuple[int, int]:
        """Adds one document message (a JSON object, or an array of them): one row per object,
        named `kind`, kept whole in ``event_params``, with the id `id` (``id:index`` inside an
        array) and the time `received_ms`. Returns (accepted, refused); raises BufferFull."""
    def should_flush(self) -> bool:
        """True once `flush_rows` rows are buffered."""
    def body(self) -> bytes:
        """The buffered rows as JSONEachRow; the rows stay until `clear()`."""
    def clear(self) -> None: ...
    def __len__(self) -> int: ...
    @property
    def refused_total(self) -> int: ...
