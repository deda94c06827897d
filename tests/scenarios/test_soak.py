"""A short run of the chaos soak (bench/soak.py; the 10-minute run is the benchmark): the whole
platform under load while RabbitMQ is restarted, a consumer is killed and the events database
is detached from the consumers' ClickHouse. Nothing answered OK may be lost or stored twice,
and no HTTP request may fail. No timing is asserted."""

from __future__ import annotations

import socket
import time

import pytest

from bench import soak
from tests.conftest import require_port

FAULTS = ("rabbitmq_restart", "consumer_kill", "clickhouse_detach")


@pytest.fixture
def broker_restored():
    """The soak restarts the shared RabbitMQ; whatever happens, it is running afterwards."""
    yield
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", 5672), timeout=1).close()
            return
        except OSError:
            soak._rabbitmqctl("start_app")
            time.sleep(2)


def test_a_short_soak_with_broker_consumer_and_database_faults_loses_nothing(
    broker_restored, tmp_path
):
    for name, port in (("PostgreSQL", 5432), ("Redis", 6379), ("RabbitMQ", 5672)):
        require_port(name, "127.0.0.1", port)
    result = soak.run(
        quick=True,
        progress=print,
        minutes=1.5,
        faults=FAULTS,
        gap=(3.0, 6.0),
        work_dir=str(tmp_path),  # its logs stay with pytest's, not in /tmp
    )
    assert {f["name"] for f in result["faults"]} == set(FAULTS), result["faults"]
    assert result["events_accepted"] > 0 and result["queues_drained"], result
    assert result["lost"] == 0 and result["duplicates"] == 0, result
    assert result["http_requests"] > 0 and result["http_errors_5xx"] == 0, result
    assert result["consumers_exit_code"] == 0, result
