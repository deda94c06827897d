"""Redis clients from the original's settings: REDIS_CLUSTER_ADDRESSES (comma-separated
host:port) and REDIS_CLUSTER_PASSWORD. Several addresses give a cluster client; so does one
address whose server says it is a cluster node (the original always used go-redis's cluster
client, which discovers the cluster from one node); otherwise one address is a plain client (a
single server or a proxy in front of a cluster). With REDIS_SENTINEL_MASTER set,
the addresses are Sentinels instead, and the client follows that master through failovers
(redis-py asks the Sentinels for the current master on every new connection)."""

from __future__ import annotations

import logging

import redis
import redis.asyncio as aioredis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.sentinel import Sentinel

log = logging.getLogger(__name__)
# How long start-up waits to learn whether a single address is a cluster node.
CLUSTER_PROBE_TIMEOUT = 2.0


def parse_addresses(addresses: str) -> list[tuple[str, int]]:
    out = []
    for item in addresses.split(","):
        item = item.strip()
        if not item:
            continue
        host, _, port = item.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"bad Redis address {item!r}: expected host:port")
        out.append((host, int(port)))
    if not out:
        raise ValueError("no Redis address given")
    return out


def connect(
    addresses: str,
    password: str = "",
    timeout: float | None = 0.05,
    sentinel_master: str = "",
) -> aioredis.Redis | RedisCluster:
    """A client whose every command gives up after `timeout` seconds (None: waits, for pub/sub)."""
    nodes = parse_addresses(addresses)
    common = {
        "password": password or None,
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
    }
    if sentinel_master:
        # The Sentinels themselves get a bounded timeout even for pub/sub clients: a dead
        # Sentinel must not hang discovery when another one can answer.
        sentinel_timeout = {
            "socket_timeout": timeout or 1.0,
            "socket_connect_timeout": timeout or 1.0,
        }
        sentinel = Sentinel(nodes, sentinel_kwargs=sentinel_timeout, **sentinel_timeout)
        return sentinel.master_for(sentinel_master, **common)
    if len(nodes) == 1 and not is_cluster_node(*nodes[0], password):
        host, port = nodes[0]
        return aioredis.Redis(host=host, port=port, retry_on_timeout=False, **common)
    return RedisCluster(startup_nodes=[ClusterNode(h, p) for h, p in nodes], **common)


def is_cluster_node(host: str, port: int, password: str = "") -> bool:
    """Whether the server at host:port runs in cluster mode (INFO cluster). Unreachable at
    start: False, a plain client, as before (logged: if it is a cluster node, keys on other
    shards will answer MOVED until the process restarts with it up)."""
    probe = redis.Redis(
        host=host,
        port=port,
        password=password or None,
        socket_timeout=CLUSTER_PROBE_TIMEOUT,
        socket_connect_timeout=CLUSTER_PROBE_TIMEOUT,
    )
    try:
        return bool(probe.info("cluster").get("cluster_enabled"))
    except redis.RedisError as exc:
        log.warning("could not ask %s:%s whether it is a cluster node (%s)", host, port, exc)
        return False
    finally:
        probe.close()
