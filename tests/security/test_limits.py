"""Issue 17, item 5: head limits however the bytes arrive, timeouts, connection cap."""

from __future__ import annotations

import socket
import threading

import pytest

from tests.security.conftest import MAX_CONNECTIONS, read_all, statuses

OPEN = b"/open-service/api/x"


def _split(data: bytes, size: int | None) -> list[bytes]:
    if size is None:
        return [data]
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize("split", [None, 4096, 1000])
def test_a_head_over_64_kib_is_refused_however_it_arrives(fresh, split):
    head = b"GET " + OPEN + b" HTTP/1.1\r\nhost: gw\r\nx-big: " + b"a" * (70 * 1024) + b"\r\n\r\n"
    raw = fresh.exchange(*_split(head, split))
    assert statuses(raw) == [431]
    assert fresh.upstream.requests == []


@pytest.mark.parametrize("split", [None, 65536, 1000, 7])
def test_a_header_flood_is_refused_however_it_arrives(fresh, split):
    head = b"GET " + OPEN + b" HTTP/1.1\r\nhost: gw\r\n" + b"x: 1\r\n" * 8000 + b"\r\n"
    raw = fresh.exchange(*_split(head, split))
    assert statuses(raw) == [431]
    assert fresh.upstream.requests == []


def test_a_long_url_counts_towards_the_head(fresh):
    raw = fresh.exchange(
        b"GET /open-service/" + b"a" * (70 * 1024) + b" HTTP/1.1\r\nhost: gw\r\n\r\n"
    )
    assert statuses(raw) in ([431], [414])
    assert fresh.upstream.requests == []


def _closed_by_peer(s: socket.socket) -> bool:
    """True when the gateway closes the connection (within a generous bound, not a timing)."""
    s.settimeout(15)
    try:
        while s.recv(4096):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True


def test_trickled_heads_are_cut(fresh):
    """Slowloris: heads that never end are closed after HEADER_READ_TIMEOUT (1 s here)."""
    socks = [fresh.connect() for _ in range(10)]
    for s in socks:
        s.sendall(b"GET " + OPEN + b" HTTP/1.1\r\nhost: gw\r\n")
    for s in socks:
        s.sendall(b"x-a: 1\r\n")
    try:
        assert all(_closed_by_peer(s) for s in socks)
    finally:
        for s in socks:
            s.close()


def test_idle_connections_are_closed(fresh):
    socks = [fresh.connect() for _ in range(10)]
    try:
        assert all(_closed_by_peer(s) for s in socks)
    finally:
        for s in socks:
            s.close()


def test_a_stalled_body_is_cut(fresh):
    with fresh.connect() as s:
        s.sendall(b"POST " + OPEN + b" HTTP/1.1\r\nhost: gw\r\ncontent-length: 100\r\n\r\nabc")
        assert _closed_by_peer(s)
    assert fresh.upstream.requests == []


def test_connections_over_the_cap_get_503(fresh):
    socks = [fresh.connect() for _ in range(MAX_CONNECTIONS)]
    try:
        with fresh.connect() as extra:
            extra.sendall(b"GET " + OPEN + b" HTTP/1.1\r\nhost: gw\r\n\r\n")
            assert statuses(read_all(extra)) == [503]
    finally:
        for s in socks:
            s.close()


def test_a_long_stream_that_keeps_flowing_is_not_cut(fresh):
    """The upstream idle timeout (1 s) resets on every byte: a 3 s stream arrives whole."""
    fresh.upstream.responses[b"/open-service/stream"] = "stream"  # type: ignore[assignment]
    raw = fresh.exchange(b"GET /open-service/stream HTTP/1.1\r\nhost: gw\r\n\r\n", idle=5)
    assert statuses(raw) == [200]
    assert raw.endswith(b"0\r\n\r\n")
    assert raw.count(b"tick") == 12


def test_pipelined_bodies_past_the_connection_buffer_are_all_answered_in_order(fresh):
    """8 x 1 MiB bodies queued behind a slow request: the gateway stops reading past
    MAX_CONNECTION_BUFFER (2 MiB) instead of holding them all, and resumes without deadlock."""
    body = b"b" * (1 << 20)
    reqs = b"GET /open-service/slow HTTP/1.1\r\nhost: gw\r\n\r\n" + b"".join(
        b"POST /open-service/q%d HTTP/1.1\r\nhost: gw\r\ncontent-length: %d\r\n\r\n%b"
        % (i, len(body), body)
        for i in range(8)
    )
    with fresh.connect() as s:
        sender = threading.Thread(target=s.sendall, args=(reqs,))
        sender.start()
        raw = read_all(s, idle=5)
        sender.join()
    assert statuses(raw) == [200] * 9
    assert [r.target for r in fresh.upstream.requests] == [b"/open-service/slow"] + [
        b"/open-service/q%d" % i for i in range(8)
    ]
    assert all(r.body == body for r in fresh.upstream.requests[1:])
