"""Putting into a bounded asyncio queue with a deadline: the backpressure of the event intakes
(gRPC batches and webhooks alike)."""

from __future__ import annotations

import asyncio
from typing import TypeVar

T = TypeVar("T")


async def put_within(queue: asyncio.Queue[T], item: T, timeout: float) -> None:
    """Puts `item`, waiting at most `timeout` seconds for room; raises TimeoutError.

    A queue with room takes the item at once (what `put` does then) without arming a timer, and
    a full one is waited on under a timeout scope, not `wait_for`, which on Python 3.11 runs the
    put as a task of its own: both were per-item costs on the intake's hot path."""
    if not queue.full():
        queue.put_nowait(item)
        return
    async with asyncio.timeout(timeout):
        await queue.put(item)
