"""The gateway's service calls (identity on a session miss, partner on a contract miss): aiohttp,
which the gateway uses (coffee.gateway.service_client), against httpx, the other well-kept async
client, on the same keep-alive connection to a canned server in its own process
(bench/_canned_http.py): a small answer with Content-Length and a 4 KB one chunked.

Reported: median and p99 latency per call, and the client's CPU per call (process time).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

import orjson
import uvloop

from bench._net import free_port, wait_port

Call = Callable[[str], Awaitable[object]]


async def _measure(call: Call, path: str, calls: int) -> dict[str, float]:
    for _ in range(calls // 10):  # warm the connection and the code
        await call(path)
    latencies = []
    cpu = time.process_time()
    for _ in range(calls):
        start = time.perf_counter()
        await call(path)
        latencies.append(time.perf_counter() - start)
    cpu = time.process_time() - cpu
    latencies.sort()
    return {
        "median_us": statistics.median(latencies) * 1e6,
        "p99_us": latencies[int(len(latencies) * 0.99)] * 1e6,
        "cpu_us": cpu / calls * 1e6,
    }


async def _run(quick: bool, progress: Callable[[str], None]) -> dict[str, object]:
    import aiohttp
    import httpx
    from coffee.gateway.service_client import ServiceClient

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "bench._canned_http", str(port)])
    calls, rounds = (1000, 1) if quick else (3000, 3)
    base = f"http://127.0.0.1:{port}"
    body = {"token": "x" * 120}
    try:
        wait_port(port)
        ours = ServiceClient(base, timeout=5, connect_timeout=2)
        session = aiohttp.ClientSession()
        other = httpx.AsyncClient(base_url=base)

        async def via_service_client(path: str) -> object:
            return await ours.request_json("POST", path, body)

        async def via_aiohttp(path: str) -> object:
            async with session.post(base + path, data=orjson.dumps(body)) as resp:
                return orjson.loads(await resp.read())

        async def via_httpx(path: str) -> object:
            resp = await other.post(path, content=orjson.dumps(body))
            return orjson.loads(resp.content)

        clients: dict[str, Call] = {
            "service_client (aiohttp)": via_service_client,
            "aiohttp": via_aiohttp,
            "httpx": via_httpx,
        }
        samples: dict[str, dict[str, list[dict[str, float]]]] = {}
        for r in range(rounds):  # interleaved rounds: drift hits every client alike
            for name, call in clients.items():
                for path in ("/small", "/large"):
                    progress(f"round {r + 1}/{rounds}: {name} {path}")
                    samples.setdefault(name, {}).setdefault(path, []).append(
                        await _measure(call, path, calls)
                    )
        await ours.close()
        await session.close()
        await other.aclose()
    finally:
        server.kill()
        server.wait()
    result: dict[str, object] = {}
    for name, by_path in samples.items():
        result[name] = {
            path: {k: statistics.median(s[k] for s in runs) for k in runs[0]}
            for path, runs in by_path.items()
        }
    return result


def run(quick: bool = False, progress: Callable[[str], None] = print) -> dict[str, object]:
    return uvloop.run(_run(quick, progress))


def summary(result: dict[str, object]) -> str:
    lines = ["service calls (one keep-alive connection, POST JSON):"]
    for name, by_path in result.items():
        for path, m in by_path.items():  # type: ignore[attr-defined]
            lines.append(
                f"  {name:<26} {path:<7} median {m['median_us']:7.1f} us"
                f"  p99 {m['p99_us']:7.1f} us  client CPU {m['cpu_us']:7.1f} us/call"
            )
    return "\n".join(lines)
