"""Access traces for hit-ratio runs, and Belady's offline optimum on them.

Traces are lists of int keys made from a seeded RNG, so every policy sees the same sequence.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import random

KEYS = 1_000_000  # distinct keys in the Zipf traces
CACHE_SHARE = 0.01  # the cache holds 1% of them


def zipf(n_keys: int, s: float, length: int, seed: int) -> list[int]:
    """`length` draws from a Zipf(s) law over `n_keys` keys (rank 0 the most popular),
    with ranks shuffled onto key ids so that popularity is not ordered like the keys."""
    rng = random.Random(seed)
    cumulative = list(itertools.accumulate(1.0 / (rank**s) for rank in range(1, n_keys + 1)))
    total = cumulative[-1]
    ids = list(range(n_keys))
    rng.shuffle(ids)
    draws = (bisect.bisect_left(cumulative, rng.random() * total) for _ in range(length))
    return [ids[min(rank, n_keys - 1)] for rank in draws]


def scan_mix(n_keys: int, length: int, capacity: int, seed: int) -> list[int]:
    """Zipf(0.9) traffic interrupted by one-pass sequential scans of 2x the cache, never reused."""
    base = zipf(n_keys, 0.9, length, seed)
    out: list[int] = []
    next_scan_key = n_keys  # scan keys are outside the Zipf key space
    chunk = max(1, length // 10)
    for start in range(0, length, chunk):
        out.extend(base[start : start + chunk])
        out.extend(range(next_scan_key, next_scan_key + 2 * capacity))
        next_scan_key += 2 * capacity
    return out


def loop(capacity: int, length: int) -> list[int]:
    """A cyclic pattern 1.2x the cache: LRU evicts each key just before its reuse."""
    period = int(capacity * 1.2)
    return [i % period for i in range(length)]


def belady_hits(trace: list[int], capacity: int) -> int:
    """Hits of the offline optimum: on a miss with a full cache, evict the key used furthest in
    the future; a key never used again is not kept at all (bypass)."""
    never = len(trace)
    next_use = [never] * len(trace)
    last: dict[int, int] = {}
    for i in range(len(trace) - 1, -1, -1):
        next_use[i] = last.get(trace[i], never)
        last[trace[i]] = i
    cached: dict[int, int] = {}  # key -> its next use
    heap: list[tuple[int, int]] = []  # (-next use, key), stale items skipped lazily
    hits = 0
    for i, key in enumerate(trace):
        if key in cached:
            hits += 1
        elif next_use[i] == never:
            continue
        elif len(cached) >= capacity:
            while True:
                negative_next, victim = heapq.heappop(heap)
                if cached.get(victim) == -negative_next:
                    break
            if -negative_next <= next_use[i]:
                heapq.heappush(heap, (negative_next, victim))  # the newcomer is the worse keep
                continue
            del cached[victim]
        if next_use[i] == never:
            del cached[key]
            continue
        cached[key] = next_use[i]
        heapq.heappush(heap, (-next_use[i], key))
    return hits
