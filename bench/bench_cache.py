"""The cache measurements as pytest-benchmark tests (`pytest bench --benchmark-enable`).
With benchmarks disabled (the default in `make test`) each runs once as a smoke test."""

from __future__ import annotations

import cachebox
import pytest
import theine
from coffee._native import Cache

from bench import _traces

KEYS = [f"session:{i:08d}" for i in range(1_000)]


def _hits(get, keys):
    for key in keys:
        get(key)


@pytest.fixture
def filled():
    ours, plain, lru, tlfu = Cache(10_000), {}, cachebox.LRUCache(10_000), theine.Cache(10_000)
    for key in KEYS:
        ours.set(key, 1, cost=1)
        plain[key] = 1
        lru.insert(key, 1)
        tlfu.set(key, 1)
    yield {"ours": ours.get, "dict": plain.get, "cachebox": lru.get, "theine": tlfu.get}
    tlfu.close()


@pytest.mark.bench
@pytest.mark.parametrize("name", ["ours", "dict", "cachebox", "theine"])
def test_get_hit(benchmark, filled, name):
    benchmark.group = "cache get hit (1,000 keys)"
    benchmark(_hits, filled[name], KEYS)


@pytest.mark.bench
def test_set(benchmark):
    cache = Cache(10_000)
    benchmark.group = "cache set (1,000 keys)"
    benchmark(lambda: [cache.set(k, 1, cost=1) for k in KEYS])


@pytest.mark.bench
def test_hit_ratio_loop_beats_lru_by_fifty_points():
    trace = _traces.loop(1_000, 30_000)
    ours, lru = Cache(1_000), cachebox.LRUCache(1_000)
    ours_hits = lru_hits = 0
    for key in trace:
        if ours.get(key) is None:
            ours.set(key, key, cost=1)
        else:
            ours_hits += 1
        if lru.get(key) is None:
            lru.insert(key, key)
        else:
            lru_hits += 1
    assert lru_hits == 0 and ours_hits / len(trace) > 0.5


def test_belady_is_an_upper_bound_on_a_small_trace():
    trace = _traces.zipf(2_000, 0.9, 20_000, seed=1)
    optimal = _traces.belady_hits(trace, 100)
    ours = Cache(100)
    hits = 0
    for key in trace:
        if ours.get(key) is None:
            ours.set(key, key, cost=1)
        else:
            hits += 1
    assert hits <= optimal
    assert _traces.belady_hits([1, 2, 1, 3, 1, 2], 1) == 2  # keeps 1, the key reused soonest
