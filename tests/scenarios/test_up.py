"""`coffee up` supervises real roles, runs the demo end to end (events -> RabbitMQ ->
consumers -> ClickHouse) and stops every child cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

from bench._net import free_port
from tests.conftest import require_port
from tests.support.cleanup import default_kinds, delete_topology
from tests.support.events_harness import AMQP, unique


async def _delete(prefix: str) -> None:
    await delete_topology(AMQP, default_kinds(prefix), prefix)


def test_up_runs_the_event_pipeline_demo_and_stops_cleanly(tmp_path):
    require_port("RabbitMQ", "127.0.0.1", 5672)
    prefix = unique("coffee_test_up") + "."
    env = {
        **os.environ,
        "NAME_PREFIX": prefix,
        "EVENTS_PORT": str(free_port()),
        "GIN_PORT": str(free_port()),
        "EVENTS_ADMIN_PORT": str(free_port()),
        "CONSUMER_METRICS_PORT": str(free_port()),
        "AMQP_URI": AMQP,
    }
    proc = subprocess.Popen(
        # A relative data directory, as `make run` uses: chdb paths must still be absolute.
        [sys.executable, "-m", "coffee.cli", "up", "--roles", "events,consumers",
         "--data-dir", "data"],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,  # its own group: a failed test kills every role it started
    )  # fmt: skip
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "demo done" in line:
                break
        output = "".join(lines)
        assert "demo done" in output, output
        assert "accepted 940, rejected 40" in output
        assert "timestamp-corrected 20" in output
        assert "ClickHouse: 940 rows for 940 accepted events" in output
        assert "webhooks: 6 of 6 accepted" in output
        assert "webhooks: 4 rows in the direct webhook tables" in output
        proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0
        assert "events stopped (0)" in rest and "consumers stopped (0)" in rest, rest
    finally:
        if proc.poll() is None:  # the supervisor and every role it started
            os.killpg(proc.pid, signal.SIGKILL)
        asyncio.run(_delete(prefix))
