"""REDIS_CLUSTER_ADDRESSES with one address that is a cluster node: the original's go-redis
cluster client discovered the cluster from it, so ours must be a cluster client too (a plain
client would get MOVED for keys on the other shards). A throwaway redis-server in cluster
mode, on a free port, owning every slot; the shared Redis (not a cluster) stays a plain client."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time

import pytest
import redis
import redis.asyncio as aioredis
from coffee.infra import redis_connect
from redis.asyncio.cluster import RedisCluster

from bench._net import free_port, wait_port
from tests.conftest import require_port


@pytest.fixture
def cluster_node(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed; run `make services`")
    port = free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--cluster-enabled", "yes", "--dir", str(tmp_path),
         "--cluster-config-file", str(tmp_path / "nodes.conf")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_port(port)
        admin = redis.Redis(port=port)
        admin.execute_command("CLUSTER", "ADDSLOTSRANGE", 0, 16383)
        deadline = time.monotonic() + 15
        while admin.cluster("info")["cluster_state"] != "ok":
            assert time.monotonic() < deadline, "the one-node cluster never became ok"
            time.sleep(0.1)
        admin.close()
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


def test_one_address_that_is_a_cluster_node_gives_a_cluster_client(cluster_node):
    client = redis_connect.connect(f"127.0.0.1:{cluster_node}", timeout=2.0)
    assert isinstance(client, RedisCluster)

    async def roundtrip() -> bytes | None:
        try:
            for i in range(50):  # keys over many slots
                await client.set(f"session:{i}", str(i))
            return await client.get("session:42")
        finally:
            await client.aclose()

    assert asyncio.run(roundtrip()) == b"42"


def test_one_plain_server_stays_a_plain_client():
    require_port("Redis", "127.0.0.1", 6379)
    client = redis_connect.connect("127.0.0.1:6379")
    assert isinstance(client, aioredis.Redis) and not isinstance(client, RedisCluster)


def test_an_unreachable_address_at_start_is_a_plain_client_not_a_crash():
    client = redis_connect.connect(f"127.0.0.1:{free_port()}")
    assert isinstance(client, aioredis.Redis)
