# ruff: noqa: E501  (corpora: one hostile message per line reads best)
"""Issue 17, item 6: the upstream's framing is checked, never trusted."""

from __future__ import annotations

import pytest

from tests.security.conftest import statuses

BAD_FRAMING = {
    "cl-and-te": b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    "te-and-cl": b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    "two-lengths": b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nhello!",
    "length-list": b"HTTP/1.1 200 OK\r\ncontent-length: 5, 6\r\n\r\nhello!",
    "signed-length": b"HTTP/1.1 200 OK\r\ncontent-length: +5\r\n\r\nhello",
    "te-gzip": b"HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\nhello",
    "te-chunked-twice": b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
    "bad-chunk-size": b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
    "chunk-overflow": b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nfffffffffffffffffff\r\nhello\r\n0\r\n\r\n",
}


@pytest.mark.parametrize("name", sorted(BAD_FRAMING))
def test_conflicting_upstream_framing_is_a_502(fresh, name):
    path = b"/open-service/bad-" + name.encode()
    fresh.upstream.responses[path] = BAD_FRAMING[name]
    before = fresh.upstream.connections
    raw = fresh.exchange(b"GET " + path + b" HTTP/1.1\r\nhost: gw\r\n\r\n")
    assert statuses(raw) == [502]
    assert b"hello" not in raw
    # the connection that sent it is not reused
    fresh.exchange(b"GET /open-service/ok HTTP/1.1\r\nhost: gw\r\n\r\n")
    assert fresh.upstream.connections > before


EXTRA = {
    "after-length": b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nevil",
    "after-last-chunk": b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nevil",
}


@pytest.mark.parametrize("name", sorted(EXTRA))
def test_bytes_after_a_response_close_the_connection(fresh, name):
    path = b"/open-service/extra-" + name.encode()
    fresh.upstream.responses[path] = EXTRA[name]
    before = fresh.upstream.connections
    raw = fresh.exchange(
        b"GET "
        + path
        + b" HTTP/1.1\r\nhost: gw\r\n\r\nGET /open-service/next HTTP/1.1\r\nhost: gw\r\n\r\n"
    )
    assert b"evil" not in raw
    assert statuses(raw) == [200]  # the client connection closes after the damaged response
    fresh.exchange(b"GET /open-service/ok HTTP/1.1\r\nhost: gw\r\n\r\n")
    assert fresh.upstream.connections > before
