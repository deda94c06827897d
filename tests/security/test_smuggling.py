# ruff: noqa: E501  (corpora: one hostile message per line reads best)
"""Request smuggling families: whatever the client sends, the upstream never sees a request
the gateway did not answer for, and never an ambiguous framing."""

from __future__ import annotations

import pytest

from tests.security.conftest import statuses

P = b"POST /open-service/api/a HTTP/1.1\r\nhost: gw\r\n"
SMUGGLED = b"GET /open-service/smuggled HTTP/1.1\r\nhost: gw\r\n\r\n"

CORPUS = {
    # CL.TE and TE.CL
    "cl-te": P + b"content-length: 6\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\nX",
    "te-cl": P
    + b"transfer-encoding: chunked\r\ncontent-length: 4\r\n\r\n5c\r\n"
    + SMUGGLED
    + b"\r\n0\r\n\r\n",
    # TE.TE obfuscations
    "te-space-colon": P + b"transfer-encoding : chunked\r\ncontent-length: 4\r\n\r\n0\r\n\r\n",
    "te-xchunked": P + b"transfer-encoding: xchunked\r\ncontent-length: 4\r\n\r\nabcd",
    "te-tab": P + b"transfer-encoding:\tchunked\r\ncontent-length: 3\r\n\r\n0\r\n\r\n",
    "te-twice": P + b"transfer-encoding: chunked\r\ntransfer-encoding: identity\r\n\r\n0\r\n\r\n",
    "te-list": P + b"transfer-encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
    "te-chunked-gzip": P + b"transfer-encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
    "te-vertical-tab": P + b"transfer-encoding:\x0bchunked\r\n\r\n0\r\n\r\n",
    "te-upper": P + b"TRANSFER-ENCODING: CHUNKED\r\n\r\n0\r\n\r\n",
    "te-underscore": P + b"transfer_encoding: chunked\r\ncontent-length: 3\r\n\r\n0\r\n\r\n",
    # duplicate and malformed lengths
    "cl-twice-differ": P + b"content-length: 3\r\ncontent-length: 40\r\n\r\nabc" + SMUGGLED,
    "cl-twice-same": P + b"content-length: 3\r\ncontent-length: 3\r\n\r\nabc",
    "cl-list": P + b"content-length: 3, 40\r\n\r\nabc",
    "cl-plus": P + b"content-length: +3\r\n\r\nabc",
    "cl-hex": P + b"content-length: 0x3\r\n\r\nabc",
    "cl-negative": P + b"content-length: -1\r\n\r\n",
    "cl-huge": P + b"content-length: 99999999999999999999999\r\n\r\n",
    # obs-fold, bare LF, NUL, CR
    "obs-fold-te": P + b"x-a: 1\r\n transfer-encoding: chunked\r\ncontent-length: 3\r\n\r\nabc",
    "obs-fold-cl": P + b"content-length: 3\r\n 40\r\n\r\nabc",
    "bare-lf-head": b"POST /open-service/api/a HTTP/1.1\nhost: gw\ncontent-length: 3\n\nabc",
    "bare-lf-chunk": P + b"transfer-encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n",
    "bare-cr": P + b"x-a: 1\rtransfer-encoding: chunked\r\ncontent-length: 3\r\n\r\nabc",
    "nul-in-value": P + b"x-a: 1\x00\r\ncontent-length: 3\r\n\r\nabc",
    "nul-in-name": P + b"x-\x00a: 1\r\ncontent-length: 3\r\n\r\nabc",
    "cr-in-value": P + b"x-a: 1\r2\r\ncontent-length: 3\r\n\r\nabc",
    "space-before-colon": P + b"content-length : 3\r\n\r\nabc",
    # chunk extensions and overflow
    "chunk-ext": P + b"transfer-encoding: chunked\r\n\r\n3;name=value\r\nabc\r\n0\r\n\r\n",
    "chunk-ext-quoted": P + b'transfer-encoding: chunked\r\n\r\n3;a="x\r\n0"\r\nabc\r\n0\r\n\r\n',
    "chunk-size-overflow": P
    + b"transfer-encoding: chunked\r\n\r\n10000000000000003\r\nabc\r\n0\r\n\r\n",
    "chunk-size-negative": P + b"transfer-encoding: chunked\r\n\r\n-3\r\nabc\r\n0\r\n\r\n",
    "chunk-size-space": P + b"transfer-encoding: chunked\r\n\r\n3 \r\nabc\r\n0\r\n\r\n",
    "chunk-missing-crlf": P + b"transfer-encoding: chunked\r\n\r\n3\r\nabcX0\r\n\r\n",
    # look-alike request lines
    "http-1.0-te": b"POST /open-service/api/a HTTP/1.0\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n",
    "absolute-form": b"GET http://evil/open-service/api/a HTTP/1.1\r\nhost: gw\r\n\r\n",
    "space-in-target": b"GET /open-service/a b HTTP/1.1\r\nhost: gw\r\n\r\n",
    "http-2-line": b"GET /open-service/a HTTP/2.0\r\nhost: gw\r\n\r\n",
    "lowercase-method": b"get /open-service/a HTTP/1.1\r\nhost: gw\r\n\r\n",
    "upgrade": b"GET /open-service/a HTTP/1.1\r\nhost: gw\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n",
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_no_smuggling(fresh, name):
    raw = fresh.exchange(CORPUS[name] + SMUGGLED, idle=1.5)
    answered = statuses(raw)
    assert 500 not in answered
    ok = [s for s in answered if s < 400]
    # the upstream parsed every byte strictly and saw at most the requests the client got
    # answers for; a smuggled request never reaches it behind an error
    assert fresh.upstream.errors == []
    assert len(fresh.upstream.requests) <= len(ok)
    for captured in fresh.upstream.requests:
        assert (
            len(captured.header(b"content-length")) + len(captured.header(b"transfer-encoding"))
            <= 1
        )


def test_pipelining_answers_in_order(fresh):
    reqs = b"".join(b"GET /open-service/p%d HTTP/1.1\r\nhost: gw\r\n\r\n" % i for i in range(20))
    raw = fresh.exchange(reqs)
    assert statuses(raw) == [200] * 20
    assert [r.target for r in fresh.upstream.requests] == [
        b"/open-service/p%d" % i for i in range(20)
    ]


def test_expect_100_continue(fresh):
    with fresh.connect() as s:
        s.sendall(P + b"expect: 100-continue\r\ncontent-length: 5\r\n\r\n")
        s.settimeout(5)
        assert s.recv(4096).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        s.sendall(b"hello")
        assert s.recv(4096).startswith(b"HTTP/1.1 200 ")
    assert [r.body for r in fresh.upstream.requests] == [b"hello"]


def test_expect_100_continue_is_not_sent_before_a_rejection(fresh):
    raw = fresh.exchange(
        b"POST /discovery-service/api/a HTTP/1.1\r\nhost: gw\r\nx-bb-clientid: web\r\n"
        b"expect: 100-continue\r\ncontent-length: 5\r\n\r\n"
    )
    assert statuses(raw) == [401]
    assert fresh.upstream.requests == []
