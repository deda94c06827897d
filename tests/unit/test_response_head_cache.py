"""The parsed-head cache of coffee.gateway.framing: a repeated upstream head gives exactly what
parsing it gives, a caller's changes to the returned lines never reach the next caller, and a
head that fails never gets an entry (it fails every time)."""

from __future__ import annotations

import pytest
from coffee.gateway import framing
from hypothesis import given
from hypothesis import strategies as st

HEAD = b"HTTP/1.1 200 OK\r\nserver: nginx\r\ncontent-length: 11\r\nconnection: keep-alive\r\n\r\n"


def test_a_repeated_head_is_the_parse_and_a_fresh_list_each_time():
    first = framing.parse_response_head(HEAD)
    first[2].append(b"x-bb-requestid: 1")  # what the gateway does to the lines it gets
    second = framing.parse_response_head(HEAD)
    assert second == framing._parse_response_head(HEAD)
    assert b"x-bb-requestid: 1" not in second[2]


def test_a_bad_head_is_refused_every_time_and_never_cached():
    bad = b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n"
    for _ in range(3):
        with pytest.raises(framing.BadFraming):
            framing.parse_response_head(bad)
    assert bad not in framing._PARSED


def test_the_cache_stays_bounded():
    for i in range(3 * framing._PARSED_MAX):
        framing.parse_response_head(b"HTTP/1.1 200 OK\r\nx-n: %d\r\n\r\n" % i)
    assert len(framing._PARSED) <= framing._PARSED_MAX


_LINE = st.sampled_from(
    [b"content-length: 3", b"content-length: 4", b"transfer-encoding: chunked", b"connection: x",
     b"x: 1", b"connection: close", b"bad line", b"keep-alive: 5", b"x-a: \r", b" folded"]
)  # fmt: skip


@given(st.lists(_LINE, max_size=6), st.sampled_from([b"200 OK", b"204 No", b"99 x", b"301 M"]))
def test_cached_or_not_the_answer_is_the_same(lines, status):
    head = b"HTTP/1.1 " + status + b"".join(b"\r\n" + line for line in lines) + b"\r\n\r\n"
    try:
        expected = framing._parse_response_head(head)
    except framing.BadFraming:
        for _ in range(2):
            with pytest.raises(framing.BadFraming):
                framing.parse_response_head(head)
        return
    assert framing.parse_response_head(head) == expected
    assert framing.parse_response_head(head) == expected
