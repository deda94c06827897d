"""Keeping the garbage collector off the request path of a served process.

A full (generation 2) collection walks every tracked object. In a served process most of them
were made at start (the framework, routes, clients, pools, protobuf descriptors) and live until
exit, so each full collection walks them again for nothing. Measured in the api under the
search benchmark: full collections took 54-61 ms each (the p99 latency was 96-98 ms) and 4-5 ms
once the start-up objects were frozen (p99 62 ms, 13% more requests per second).

A request allocates thousands of short-lived objects (rows, dicts, futures), so the default
threshold (a young collection every 700 net allocations) runs several young collections per
request. At 10,000, three paired runs of the same benchmark each did better (2-13% more
requests per second, p99 2-15 ms lower); the young generation holds about 1 MB more.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000


def freeze_startup_objects() -> None:
    """Call once the process is ready to serve: collects what start-up left behind, moves every
    surviving object to the permanent generation (which collections never scan), and makes young
    collections rarer."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
