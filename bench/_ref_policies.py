"""Reference eviction policies for hit ratio only, written from their papers in plain Python:
they are peers to measure the native cache against, not caches to use. Each takes a trace of
int keys and a capacity in entries and returns the number of hits."""

from __future__ import annotations

from collections import OrderedDict, deque


def arc_hits(trace: list[int], capacity: int) -> int:
    """ARC (Megiddo & Modha, FAST 2003, Fig. 4): T1/T2 hold recent/frequent keys, B1/B2 are
    their ghosts, and p, the target size of T1, moves toward whichever ghost list gets hits."""
    c = capacity
    t1: OrderedDict[int, None] = OrderedDict()
    t2: OrderedDict[int, None] = OrderedDict()
    b1: OrderedDict[int, None] = OrderedDict()
    b2: OrderedDict[int, None] = OrderedDict()
    p = 0.0
    hits = 0

    def replace(in_b2: bool) -> None:
        if t1 and ((in_b2 and len(t1) == p) or len(t1) > p):
            old, _ = t1.popitem(last=False)
            b1[old] = None
        else:
            old, _ = t2.popitem(last=False)
            b2[old] = None

    for x in trace:
        if x in t1:
            del t1[x]
            t2[x] = None
            hits += 1
        elif x in t2:
            t2.move_to_end(x)
            hits += 1
        elif x in b1:
            p = min(c, p + max(len(b2) / len(b1), 1))
            replace(False)
            del b1[x]
            t2[x] = None
        elif x in b2:
            p = max(0.0, p - max(len(b1) / len(b2), 1))
            replace(True)
            del b2[x]
            t2[x] = None
        else:
            l1 = len(t1) + len(b1)
            if l1 == c:
                if len(t1) < c:
                    b1.popitem(last=False)
                    replace(False)
                else:
                    t1.popitem(last=False)
            elif l1 < c:
                total = l1 + len(t2) + len(b2)
                if total >= c:
                    if total == 2 * c:
                        b2.popitem(last=False)
                    replace(False)
            t1[x] = None
    return hits


def s3fifo_hits(trace: list[int], capacity: int) -> int:
    """S3-FIFO (Yang et al., SOSP 2023, Algorithm 1): a small FIFO S of 10% takes newcomers, a
    main FIFO M the rest; a key leaving S moves to M if it was hit while in S (the paper's
    prose, "accessed at least once"), else its id goes to the ghost FIFO G (as many ids as M
    holds), and a miss found in G goes straight to M. M reinserts a key with a non-zero
    frequency (capped at 3), one less each time it passes the tail."""
    small_cap = max(1, capacity // 10)
    main_cap = capacity - small_cap
    small: deque[int] = deque()
    main: deque[int] = deque()
    freq: dict[int, int] = {}  # keys in S or M -> frequency
    in_main: set[int] = set()
    ghost: deque[tuple[int, int]] = deque()  # (key, when it entered), oldest first
    ghost_at: dict[int, int] = {}  # ids in G -> when they entered
    hits = 0
    clock = 0

    def to_ghost(key: int) -> None:
        ghost.append((key, clock))
        ghost_at[key] = clock
        while len(ghost_at) > main_cap:
            old, at = ghost.popleft()
            if ghost_at.get(old) == at:  # not since removed by a ghost hit or re-entered
                del ghost_at[old]

    def evict_main() -> None:
        while main:
            t = main.popleft()
            f = freq[t]
            if f > 0:
                freq[t] = f - 1
                main.append(t)
            else:
                del freq[t]
                in_main.discard(t)
                return

    def evict_small() -> None:
        while small:
            t = small.popleft()
            if freq[t] > 0:
                freq[t] = 0
                main.append(t)
                in_main.add(t)
                if len(main) > main_cap:
                    evict_main()
            else:
                del freq[t]
                to_ghost(t)
                return

    for x in trace:
        clock += 1
        f = freq.get(x)
        if f is not None:
            hits += 1
            if f < 3:
                freq[x] = f + 1
            continue
        while len(small) + len(main) >= capacity:
            if len(small) >= small_cap or not main:
                evict_small()
            else:
                evict_main()
        freq[x] = 0
        if ghost_at.pop(x, None) is not None:  # a ghost hit; its deque item goes stale
            main.append(x)
            in_main.add(x)
        else:
            small.append(x)
    return hits
