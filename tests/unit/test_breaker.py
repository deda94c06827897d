import pytest
from coffee.infra.breaker import CLOSED, HALF_OPEN, OPEN, CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_consecutive_failures_and_probes_half_open():
    clock = Clock()
    breaker = CircuitBreaker(failures=3, reset_after=2.0, clock=clock)
    for _ in range(2):
        assert breaker.allow()
        breaker.failure()
    assert breaker.state == CLOSED
    breaker.failure()
    assert breaker.state == OPEN and not breaker.allow() and breaker.rejecting()
    clock.now = 2.5
    assert not breaker.rejecting()  # a probe may go, but rejecting() does not take it
    assert breaker.allow() and breaker.state == HALF_OPEN
    assert not breaker.allow()  # only one probe at a time
    breaker.failure()
    assert breaker.state == OPEN and breaker.opened == 2
    clock.now = 5.0
    assert breaker.allow()
    breaker.success()
    assert breaker.state == CLOSED and breaker.allow()


def test_a_success_resets_the_failure_count():
    breaker = CircuitBreaker(failures=2, reset_after=1.0)
    breaker.failure()
    breaker.success()
    breaker.failure()
    assert breaker.state == CLOSED


def test_a_lost_probe_does_not_block_forever():
    clock = Clock()
    breaker = CircuitBreaker(failures=1, reset_after=1.0, clock=clock)
    breaker.failure()
    clock.now = 1.0
    assert breaker.allow()  # the probe never reports back
    clock.now = 2.1
    assert breaker.allow()


def test_bad_configuration():
    with pytest.raises(ValueError):
        CircuitBreaker(failures=0)
