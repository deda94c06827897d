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


class ByteBudget:
    """A bound on the bytes waiting in a queue (a count bound alone lets 1000 batches of 16 MiB
    wait). `take_within` waits at most `timeout` for room; `give_back` returns it once the item
    is done with. One item larger than the whole budget is let in alone, so it is not refused
    for ever."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self._room = asyncio.Condition()
        self._waiting = 0

    def _fits(self, size: int) -> bool:
        return self.used == 0 or self.used + size <= self.limit

    async def take_within(self, size: int, timeout: float) -> None:
        if self._fits(size):  # the usual case: no lock, no timer
            self.used += size
            return
        self._waiting += 1
        try:
            async with asyncio.timeout(timeout), self._room:
                await self._room.wait_for(lambda: self._fits(size))
                self.used += size
        finally:
            self._waiting -= 1

    def give_back(self, size: int) -> None:
        self.used -= size
        if self._waiting:  # nobody waits on the hot path: no lock, no task
            asyncio.get_running_loop().create_task(self._wake())

    async def _wake(self) -> None:
        async with self._room:
            self._room.notify_all()
