"""The vendored real traces read as Caffeine's parsers read them, and the bench's reference
policies (ARC, S3-FIFO) stay between nothing and Belady's optimum on them."""

from __future__ import annotations

import pytest

from bench import _real_traces, _ref_policies, _traces

# (requests, distinct keys) of each trace as read here
SHAPES = {
    "2_pools": (100_000, 9_939),
    "cpp": (9_047, 1_223),
    "cs": (6_781, 1_409),
    "ps": (10_448, 3_083),
    "multi1": (15_858, 2_606),
    "multi3": (30_241, 7_454),
    "zigzag": (52_001, 2_001),
    "web12": (95_607, 13_756),
    "gcc": (515_683, 35_070),
    "swim": (303_193, 22_605),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_trace_reads_whole(name):
    trace = _real_traces.load(name)
    assert (len(trace), len(set(trace))) == SHAPES[name]


def test_every_listed_trace_has_two_sizes_under_its_key_count():
    for name, (_, _, sizes) in _real_traces.TRACES.items():
        assert len(sizes) == 2 and sizes[0] < sizes[1], name
    assert set(_real_traces.QUICK) <= set(_real_traces.TRACES)


@pytest.mark.parametrize("name", ["cpp", "multi1", "zigzag"])
def test_reference_policies_are_bounded_by_belady(name):
    trace = _real_traces.load(name)
    size = _real_traces.TRACES[name][2][0]
    optimal = _traces.belady_hits(trace, size)
    for policy in (_ref_policies.arc_hits, _ref_policies.s3fifo_hits):
        assert 0 < policy(trace, size) <= optimal, policy.__name__


def test_arc_and_s3fifo_keep_a_small_hot_set_through_a_scan():
    hot = list(range(10))
    trace = hot * 20 + list(range(100, 400)) + hot * 20
    for policy in (_ref_policies.arc_hits, _ref_policies.s3fifo_hits):
        # all 200 requests after the scan hit if the hot set survived it (LRU would get 190)
        assert policy(trace, 50) == 190 + 200, policy.__name__
