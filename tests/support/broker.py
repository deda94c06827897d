"""Restarting the shared RabbitMQ for a test, and making sure it is running afterwards.

Other tests and helpers use the same broker, so a restart is short (`stop_app`/`start_app`,
the node stays up) and always undone: `broker_restarts` starts the app again in its teardown
if anything left it stopped."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator

import aio_pika
import pytest

from bench.soak import _rabbitmqctl
from tests.support.events_harness import AMQP


async def _answers(amqp: str) -> bool:
    try:
        connection = await aio_pika.connect(amqp, timeout=2)
    except Exception:  # any refusal means "not yet"
        return False
    await connection.close()
    return True


def wait_until_up(timeout: float = 60.0, amqp: str = AMQP) -> bool:
    """True once the broker accepts an AMQP connection (an open port is not enough)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if asyncio.run(_answers(amqp)):
            return True
        time.sleep(0.5)
    return False


def restart_broker() -> None:
    """Stops and starts the RabbitMQ application, and waits until it answers again."""
    _rabbitmqctl("stop_app")
    _rabbitmqctl("start_app")  # the fixture starts it again if this one fails
    if not wait_until_up():
        raise RuntimeError("RabbitMQ did not come back within 60 s after start_app")


@pytest.fixture
def broker_restarts() -> Iterator[Callable[[], None]]:
    """Yields `restart_broker`; whatever the test did, the broker runs afterwards."""
    yield restart_broker
    if not wait_until_up(timeout=5):
        _rabbitmqctl("start_app")
        assert wait_until_up(), "RabbitMQ did not come back after the test"
