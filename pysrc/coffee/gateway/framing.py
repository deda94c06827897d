"""HTTP/1.1 framing rules of the gateway, requests and responses, in one place.

httptools (llhttp) tokenizes client requests, for speed; this module holds every decision
about what those tokens mean for framing and forwarding, as a state machine read top to bottom:

    request:  HEAD (bounded: bytes and header count, however TCP splits them)
                -> BODY (Content-Length or chunked, re-framed by the gateway)
                -> TRAILERS (read and dropped: they never add or change a header)
                -> DONE
    response: HEAD (one framing, checked: CL and TE together, differing lengths, a TE other
                    than `chunked` are refused)
                -> BODY by length | by chunks (ChunkedBody below) | until close
                -> DONE (a byte past the end closes the connection: never forwarded, never pooled)

Hop-by-hop headers (RFC 9110 7.6.1), including every header a `Connection` field names, are
dropped in both directions. Nothing here imports the rest of the gateway.
"""

from __future__ import annotations

from http import HTTPStatus

# The largest request head (request line and headers) and the most header fields accepted.
MAX_REQUEST_HEAD = 64 * 1024
MAX_HEADER_COUNT = 100
MAX_RESPONSE_HEAD = 64 * 1024

# Where a client request is (ClientConnection.state).
IDLE, HEAD, BODY, TRAILERS = 0, 1, 2, 3


class HeadTooLarge(Exception):
    """A request head over MAX_REQUEST_HEAD bytes or MAX_HEADER_COUNT fields (431)."""


class BadRequestFraming(Exception):
    """A request whose framing llhttp accepts but the gateway does not (400)."""


class BadFraming(ValueError):
    """An upstream response whose framing is ambiguous or malformed (502, connection closed)."""


# -- request headers ---------------------------------------------------------------------------
(
    DROP,
    AUTHORIZATION,
    CLIENT_ID,
    CLIENT_TYPE,
    CHANNEL,
    DEVICE,
    CONTENT_LENGTH,
    TRANSFER_ENCODING,
    FORWARDED_FOR,
    KEEP_AND_READ_ORIGIN,
    KEEP_AND_READ_OPERATION,
    EXPECT,
    CONNECTION,
    FORWARDED_PROTO,
    FORWARDED_HOST,
) = range(15)
HEADER_ACTIONS: dict[bytes, int] = {
    b"authorization": AUTHORIZATION,
    b"x-bb-clientid": CLIENT_ID,
    b"x-bb-clienttype": CLIENT_TYPE,
    b"x-bb-channelid": CHANNEL,
    b"x-bb-deviceid": DEVICE,
    b"content-length": CONTENT_LENGTH,
    b"transfer-encoding": TRANSFER_ENCODING,
    b"x-forwarded-for": FORWARDED_FOR,
    b"origin": KEEP_AND_READ_ORIGIN,
    b"x-apollo-operation-name": KEEP_AND_READ_OPERATION,
    b"expect": EXPECT,
    b"connection": CONNECTION,
    b"x-forwarded-proto": FORWARDED_PROTO,
    b"x-forwarded-host": FORWARDED_HOST,
    # hop-by-hop (RFC 9110 7.6.1), and what the gateway sets itself
    b"keep-alive": DROP,
    b"proxy-connection": DROP,
    b"proxy-authorization": DROP,
    b"te": DROP,
    b"trailer": DROP,
    b"upgrade": DROP,
    b"host": DROP,
    b"accept-encoding": DROP,
    b"forwarded": DROP,
}
# `x-bb-*` in any case (lowered above) and with underscores for dashes: the gateway's to set.
TENANT_PREFIXES = frozenset({b"x-bb-", b"x_bb_", b"x-bb_", b"x_bb-"})


def connection_tokens(value: bytes) -> set[bytes]:
    """The header names a `Connection` field lists (lower case)."""
    return {t.strip().lower() for t in value.split(b",") if t.strip()}


def drop_named(kept: list[bytes], names: set[bytes]) -> list[bytes]:
    """The kept header lines minus those a `Connection` field named."""
    return [line for line in kept if line[: line.find(b":")].lower() not in names]


def strip_fragment(url: bytes) -> bytes:
    """A target without its `#fragment` (never sent on the wire by a conforming client)."""
    hash_at = url.find(b"#")
    return url if hash_at < 0 else url[:hash_at]


# -- gateway-made answers ----------------------------------------------------------------------
REASONS = {s.value: s.phrase.encode() for s in HTTPStatus}


def answer_head(status: int, content_type: bytes, length: int, extra: bytes, close: bool) -> bytes:
    return b"".join(
        (
            b"HTTP/1.1 %d %b\r\ncontent-type: %b\r\ncontent-length: %d\r\n"
            % (status, REASONS.get(status, b"Unknown"), content_type, length),
            extra,
            b"connection: close\r\n\r\n" if close else b"\r\n",
        )
    )


# -- upstream responses ------------------------------------------------------------------------
CHUNKED = -1
UNTIL_CLOSE = -2
REFUSED = -3  # the sink refused the head (bad framing): the connection is dropped
# Response headers the gateway owns: hop-by-hop, and the CORS answer (the original removed the
# upstream's Access-Control-Allow-Origin so the gateway's is the only one).
_DROP_RESPONSE = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-connection",
        b"trailer",
        b"upgrade",
        b"te",
        b"access-control-allow-origin",
        b"access-control-allow-credentials",
    }
)


# Parsed upstream heads by their exact bytes. An upstream answers the same head over and over
# (nginx's differs only in its Date, once a second), and the parse is a pure function of the
# bytes, so a repeated head costs a dict lookup instead of the parse (about a tenth of the
# gateway's time per request in bench gateway). Bounded: cleared when it holds _PARSED_MAX.
_PARSED: dict[bytes, tuple[int, int, tuple[bytes, ...]]] = {}
_PARSED_MAX = 64


def parse_response_head(head: bytes) -> tuple[int, int, list[bytes]]:
    """(status, body length or CHUNKED / UNTIL_CLOSE, header lines to forward) of an upstream
    head ending in CRLFCRLF. Raises BadFraming for anything ambiguous (never cached)."""
    seen = _PARSED.get(head)
    if seen is not None:
        return seen[0], seen[1], list(seen[2])
    status, length, lines = _parse_response_head(head)
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.clear()
    _PARSED[head] = (status, length, tuple(lines))
    return status, length, lines


def _parse_response_head(head: bytes) -> tuple[int, int, list[bytes]]:
    lines = head[:-4].split(b"\r\n")
    status_line = lines[0]
    if (
        not status_line.startswith(b"HTTP/1.")
        or len(status_line) < 12
        or not status_line[9:12].isdigit()
        or status_line[8:9] != b" "
    ):
        raise BadFraming(f"bad status line {status_line[:40]!r}")
    status = int(status_line[9:12])
    # Bare CR or LF, and obs-fold, checked once over the whole head (C scans) rather than per
    # line: every line ends in CRLF, so any other CR or LF is a stray one.
    crlf = head.count(b"\r\n")
    if head.count(b"\r") != crlf or head.count(b"\n") != crlf or b"\n " in head or b"\n\t" in head:
        raise BadFraming("malformed header line")
    out = [b"HTTP/1.1" + status_line[8:]]
    length: int | None = None
    chunked = False
    named: set[bytes] = set()
    for line in lines[1:]:
        colon = line.find(b":")
        if colon <= 0:
            raise BadFraming("malformed header line")
        name = line[:colon].lower()
        if name == b"content-length":
            value = line[colon + 1 :].strip()
            if not value.isdigit() or (length is not None and int(value) != length):
                raise BadFraming("bad or doubled content-length")
            if length is None:
                out.append(line)
            length = int(value)
        elif name == b"transfer-encoding":
            if chunked or line[colon + 1 :].strip().lower() != b"chunked":
                raise BadFraming("a transfer-encoding other than one `chunked`")
            chunked = True
            out.append(line)
        elif name == b"connection":
            value = line[colon + 1 :].strip().lower()
            # The usual `keep-alive` / `close` name no header to drop: skip the list pass.
            if value not in (b"keep-alive", b"close"):
                named |= connection_tokens(value)
        elif name not in _DROP_RESPONSE:
            out.append(line)
    if chunked and length is not None:
        raise BadFraming("both content-length and transfer-encoding")
    if named:
        out = [out[0], *drop_named(out[1:], named)]
    return status, CHUNKED if chunked else (UNTIL_CLOSE if length is None else length), out


_HEX = frozenset(b"0123456789abcdefABCDEF")
_MAX_CHUNK_LINE = 4096
# Where a ChunkedBody is.
_SIZE, _DATA, _DATA_END, _TRAILER, _DONE = 0, 1, 2, 3, 4


class ChunkedBody:
    """Finds where a chunked body ends, strictly (CRLF only, hex sizes of at most 15 digits),
    without copying it: the bytes go to the client unchanged."""

    __slots__ = ("_line", "_remaining", "_state")

    def __init__(self) -> None:
        self._state = _SIZE
        self._remaining = 0
        self._line = b""

    @property
    def done(self) -> bool:
        return self._state == _DONE

    def feed(self, data: bytes) -> int:
        """How many bytes of `data` belong to the body (less than len(data) only once done).
        Raises BadFraming."""
        pos = 0
        n = len(data)
        while pos < n:
            state = self._state
            if state == _DATA:
                take = min(self._remaining, n - pos)
                pos += take
                self._remaining -= take
                if self._remaining == 0:
                    self._state = _DATA_END
                continue
            if state == _DONE:
                return pos
            end = data.find(b"\n", pos)
            if end < 0:
                self._line += data[pos:]
                if len(self._line) > _MAX_CHUNK_LINE:
                    raise BadFraming("chunk line too long")
                return n
            line = self._line + data[pos : end + 1]
            self._line = b""
            pos = end + 1
            if len(line) > _MAX_CHUNK_LINE or not line.endswith(b"\r\n"):
                raise BadFraming("chunk line without CRLF")
            line = line[:-2]
            if state == _DATA_END:
                if line:
                    raise BadFraming("chunk data longer than its size")
                self._state = _SIZE
            elif state == _SIZE:
                size = line.split(b";", 1)[0]
                if not size or len(size) > 15 or not _HEX.issuperset(size):
                    raise BadFraming("bad chunk size")
                self._remaining = int(size, 16)
                self._state = _DATA if self._remaining else _TRAILER
            elif not line:  # _TRAILER: the empty line ends the body
                self._state = _DONE
            elif b"\r" in line or line[:1] in (b" ", b"\t") or b":" not in line:
                raise BadFraming("bad trailer line")
        return pos
