"""Shared fixtures. A test that needs a backing service fails loudly when it is missing."""

from __future__ import annotations

import socket

import pytest


def require_port(name: str, host: str, port: int) -> None:
    """Fail (never skip) when a backing service does not answer on its port."""
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError as exc:
        pytest.fail(f"{name} is not reachable at {host}:{port} ({exc}); run `make services`")


@pytest.fixture(scope="session")
def clickhouse(tmp_path_factory):
    """The test process's one embedded ClickHouse (chdb is one engine per process and data
    directory, so every test that sinks in-process shares it, each in its own databases)."""
    from coffee.infra.clickhouse import ClickHouse

    client = ClickHouse(f"chdb://{tmp_path_factory.mktemp('chdb')}")
    yield client
    client.close()
