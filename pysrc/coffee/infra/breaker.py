"""A circuit breaker: after `failures` consecutive failures it opens and calls fail fast;
after `reset_after` seconds one probe is let through (half-open) and its outcome closes or
re-opens it. Single event loop thread: no lock."""

from __future__ import annotations

import time

CLOSED, OPEN, HALF_OPEN = 0, 1, 2
STATE_NAMES = {CLOSED: "closed", OPEN: "open", HALF_OPEN: "half_open"}


class CircuitBreaker:
    __slots__ = ("_clock", "_failures", "_opened_at", "failures", "opened", "reset_after", "state")

    def __init__(self, failures: int = 5, reset_after: float = 2.0, clock=time.monotonic) -> None:
        if failures < 1 or reset_after <= 0:
            raise ValueError("failures must be >= 1 and reset_after > 0")
        self.failures = failures
        self.reset_after = reset_after
        self.state = CLOSED
        self.opened = 0  # how many times it opened, for metrics
        self._failures = 0
        self._opened_at = 0.0
        self._clock = clock

    def allow(self) -> bool:
        """Whether a call may be tried now (in half-open, only the one probe)."""
        state = self.state
        if state == CLOSED:
            return True
        # From open after `reset_after`, or from half-open when the probe never reported back.
        now = self._clock()
        if now - self._opened_at >= self.reset_after:
            self.state = HALF_OPEN
            self._opened_at = now
            return True
        return False

    def rejecting(self) -> bool:
        """Whether calls fail fast now; unlike allow(), it never takes the half-open probe."""
        if self.state == CLOSED:
            return False
        return self._clock() - self._opened_at < self.reset_after

    def success(self) -> None:
        self._failures = 0
        self.state = CLOSED

    def failure(self) -> None:
        self._failures += 1
        if self.state == HALF_OPEN or self._failures >= self.failures:
            if self.state != OPEN:
                self.opened += 1
            self.state = OPEN
            self._opened_at = self._clock()
