"""Redis behind Sentinel, for real: a master, a replica and a Sentinel (redis-server processes
of their own on free ports, not the shared Redis). The platform's client finds the master
through the Sentinel and, after the master is killed and the Sentinel promotes the replica,
reaches the new master without a restart."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time

import pytest
import redis.asyncio as aioredis
from coffee.infra import redis_connect

from bench._net import free_port, wait_port

MASTER = "coffee-test"


@pytest.fixture
def sentinel_setup(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed; run `make services`")
    master, replica, sentinel = free_port(), free_port(), free_port()
    procs = []

    def start(*args: str) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            ["redis-server", *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        procs.append(proc)
        return proc

    base = ("--save", "", "--appendonly", "no", "--bind", "127.0.0.1")
    master_proc = start("--port", str(master), *base, "--dir", str(tmp_path))
    start("--port", str(replica), *base, "--dir", str(tmp_path),
          "--replicaof", "127.0.0.1", str(master))  # fmt: skip
    config = tmp_path / "sentinel.conf"
    config.write_text(
        f"port {sentinel}\nbind 127.0.0.1\n"
        f"sentinel monitor {MASTER} 127.0.0.1 {master} 1\n"
        f"sentinel down-after-milliseconds {MASTER} 1000\n"
        f"sentinel failover-timeout {MASTER} 5000\n"
    )
    for port in (master, replica):
        wait_port(port, timeout=10)
    start(str(config), "--sentinel")
    wait_port(sentinel, timeout=10)
    try:
        yield master_proc, f"127.0.0.1:{sentinel}"
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


async def _eventually(action, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return await action()
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.3)


def test_the_client_follows_the_master_through_a_sentinel_failover(sentinel_setup):
    master_proc, sentinels = sentinel_setup

    async def scenario() -> tuple[bytes | None, bytes | None]:
        client = redis_connect.connect(sentinels, timeout=1.0, sentinel_master=MASTER)
        await _eventually(lambda: client.set("session:1", "alive"))
        before = await client.get("session:1")

        # Wait until the replica has the key, so the promoted node still holds it.
        async def replicated() -> None:
            if await client.wait(1, 1000) < 1:
                raise RuntimeError("not replicated yet")

        await _eventually(replicated)

        # The Sentinel learns of replicas from the master's INFO (every 10 s); killed before
        # that, the master has no replica to promote and no failover ever happens.
        host, port = sentinels.split(":")
        sentinel = aioredis.Redis(host=host, port=int(port), socket_timeout=1.0)

        async def replica_known() -> None:
            if not await sentinel.execute_command("SENTINEL", "REPLICAS", MASTER):
                raise RuntimeError("the Sentinel does not know the replica yet")

        await _eventually(replica_known, timeout=30)
        await sentinel.aclose()
        master_proc.kill()
        after = await _eventually(lambda: client.get("session:1"), timeout=60)
        await client.aclose()
        return before, after

    before, after = asyncio.run(scenario())
    assert before == b"alive"
    assert after == b"alive", "the promoted replica answers through the same client"
