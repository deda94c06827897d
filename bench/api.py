"""The api's discovery search vs the same SQL straight through asyncpg, side by side.

Seeds a fresh PostgreSQL database `coffee_api_bench_<id>` (1,000,000 profiles; 100,000 with
--quick) with `coffee api seed`, starts `coffee api` (granian, one worker: chdb) and drives
`POST /discovery-service/api/profile/instagram/search` with wrk at concurrency 32, signed as the
gateway signs, over a mix of filters (category, follower range, country, text) and pages 1-5.
The baseline runs the very same SQL (capped count + page in one statement, built by the same
code, in a transaction as the api does) for the same requests through an asyncpg pool of the
same size and setup (coffee.infra.pg), 32 tasks in one process. Rounds alternate
(sql, api, sql, api, ...) and each side keeps its best round. The database and the chdb
directory are removed at the end.

It also measures the framework alone: a GET answered by a bare ASGI function and by a Litestar
handler returning a msgspec model, each on granian (one worker), same wrk settings.

Budget (issue 4): ratio api_rps / sql_rps >= 0.5 and p99 <= 50 ms.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import asyncpg
import orjson
from coffee.api.modules.discovery import params as sp
from coffee.api.modules.discovery.search import COUNT_CAP, search_query
from coffee.infra import pg, tenant_signature

from bench._net import free_port

CONCURRENCY = 32
POOL = 16
PATH = "/discovery-service/api/profile/instagram/search"
SECRET = "bench-secret"
ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
BODIES = [
    {"filters": [{"filterType": "EQ", "field": "category", "value": "fashion"}]},
    {
        "filters": [
            {"filterType": "RANGE", "field": "followers", "value": {"min": 10000, "max": 50000}}
        ]
    },
    {"filters": [{"filterType": "EQ", "field": "country", "value": "US"}]},
    {
        "filters": [
            {"filterType": "EQ", "field": "category", "value": "food"},
            {"filterType": "GTE", "field": "followers", "value": 100000},
        ]
    },
    {"filters": []},
]
QUERIES = [f"?cursor={page}&size=50" for page in range(1, 6)]


def _requests() -> list[tuple[str, bytes]]:
    return [(q, orjson.dumps(b)) for b in BODIES for q in QUERIES]


def _lua(
    path: Path, headers: dict[str, str], sign: Callable[[str, bytes], str] | None = None
) -> None:
    """wrk script cycling through the requests; `sign(query, body)` gives each its own
    gateway signature (it covers the query and the body), sent as x-bb-gateway-signature."""
    reqs = _requests()
    lines = ["local reqs = {"]
    for query, body in reqs:
        sig = sign(query, body) if sign is not None else ""
        lines.append(f"  {{{_lua_str(PATH + query)}, {_lua_str(body.decode())}, {_lua_str(sig)}}},")
    lines.append("}")
    for k, v in headers.items():
        lines.append(f"wrk.headers[{_lua_str(k)}] = {_lua_str(v)}")
    lines.append("local i = 0")
    lines.append("request = function()")
    lines.append("  i = i + 1")
    lines.append("  local r = reqs[(i % #reqs) + 1]")
    if sign is not None:
        lines.append(f"  wrk.headers[{_lua_str(tenant_signature.SIGNATURE_HEADER)}] = r[3]")
    lines.append('  return wrk.format("POST", r[1], nil, r[2])')
    lines.append("end")
    path.write_text("\n".join(lines) + "\n")


def _lua_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _wrk(port: int, seconds: int, script: Path | None, path: str = "") -> dict[str, float]:
    cmd = ["wrk", "-t1", f"-c{CONCURRENCY}", f"-d{seconds}s", "--latency"]
    if script is not None:
        cmd += ["-s", str(script)]
    out = subprocess.run(
        [*cmd, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {
        "rps": rps,
        "p99_ms": round(float(p99.group(1)) * scale, 2),  # type: ignore[union-attr]
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
    }


async def _sql_round(dsn: str, seconds: float) -> dict[str, float]:
    """The same SQL per request (page + count, in a transaction as the api does)."""
    prepared = []
    for query, body in _requests():
        qs = dict(p.split("=") for p in query[1:].split("&"))
        params = sp.parse(qs, body, "instagram", 1000, 100)
        prepared.append(search_query(params, COUNT_CAP))
    pool = await pg.create_pool(dsn, min_size=POOL, max_size=POOL)  # the api's own pool setup
    latencies: list[float] = []
    stop = time.monotonic() + seconds

    async def worker(k: int) -> None:
        i = k
        while time.monotonic() < stop:
            sql, args = prepared[i % len(prepared)]
            i += 1
            t = time.perf_counter()
            async with pool.acquire() as conn, conn.transaction():
                await conn.fetch(sql, *args)
            latencies.append(time.perf_counter() - t)

    started = time.monotonic()
    await asyncio.gather(*(worker(k) for k in range(CONCURRENCY)))
    elapsed = time.monotonic() - started
    await pool.close()
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 2),
    }


def _admin(sql: str) -> None:
    async def go() -> None:
        conn = await asyncpg.connect(ADMIN)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(go())


def _framework(seconds: int, rounds: int, progress: Callable[[str], None]) -> dict:
    results: dict[str, list[dict[str, float]]] = {"raw_asgi": [], "litestar": []}
    for name, factory in (
        ("raw_asgi", "bench._api_apps:raw"),
        ("litestar", "bench._api_apps:litestar"),
    ):
        port = free_port()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "granian",
                "--interface",
                "asgi",
                "--factory",
                "--no-ws",
                "--loop",
                "uvloop",
                "--port",
                str(port),
                "--log-level",
                "warning",
                factory,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    _wrk(port, 1, None, "/ping")
                    break
                except subprocess.CalledProcessError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
            for i in range(rounds):
                progress(f"framework round {i + 1}/{rounds}: {name}")
                results[name].append(_wrk(port, seconds, None, "/ping"))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(15)
    raw = max(results["raw_asgi"], key=lambda r: r["rps"])
    lit = max(results["litestar"], key=lambda r: r["rps"])
    return {
        "raw_asgi_rps": round(raw["rps"]),
        "litestar_rps": round(lit["rps"]),
        "ratio": round(lit["rps"] / raw["rps"], 3),
        "cost_us_per_request": round((1 / lit["rps"] - 1 / raw["rps"]) * 1e6, 1),
    }


def run(quick: bool, progress: Callable[[str], None]) -> dict:
    if shutil.which("wrk") is None:
        raise SystemExit("bench api needs wrk (Debian package wrk)")
    profiles = 100_000 if quick else 1_000_000
    seconds, rounds = (4, 2) if quick else (10, 3)
    db = f"coffee_api_bench_{uuid.uuid4().hex[:8]}"
    work = Path(tempfile.mkdtemp(prefix="coffee-bench-api-"))
    port = free_port()
    env = {
        **os.environ,
        "PG_DB": db,
        "CH_DSN": f"chdb://{work / 'chdb'}",
        "SERVER_PORT": str(port),
        "API_ADMIN_PORT": str(free_port()),
        "GATEWAY_SIGNATURE_SECRET": SECRET,
        "GATEWAY_SIGNATURE_MAX_SKEW": "3600",
        # wrk replays the same signed requests: the nonce check would refuse the repeats.
        "GATEWAY_SIGNATURE_REPLAY_CHECK": "false",
        "PG_POOL_MIN": str(POOL),
        "PG_POOL_MAX": str(POOL),
        "LISTENERS_ENABLED": "false",
        # Loopback: no TLS to PostgreSQL, on both sides (the baseline's DSN below too).
        "PG_SSLMODE": "disable",
        "HEARTBEAT_START": "true",
        "LOG_LEVEL": "warning",
    }
    proc: subprocess.Popen | None = None
    _admin(f'CREATE DATABASE "{db}"')
    try:
        progress(f"seeding {profiles:,} profiles into {db}")
        t = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "coffee.cli", "api", "seed", "--profiles", str(profiles)],
            env=env,
            check=True,
            capture_output=True,
        )
        seed_s = round(time.monotonic() - t, 1)
        progress(f"seeded in {seed_s} s; starting coffee api")
        log = open(work / "api.log", "w")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "-m", "coffee.cli", "api", "serve"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # granian and its worker, stopped together below
        )
        _wait_ready(port, proc, work / "api.log")
        auth = "Basic " + "N35Bc2hhfjF+NzA6Nw=="  # 7~Asha~1~70:7
        ts = int(time.time())
        headers = {
            "content-type": "application/json",
            "x-bb-partner-id": "11",
            "x-bb-plan-type": "PAID",
            "authorization": auth,
            tenant_signature.TIMESTAMP_HEADER: str(ts),
            tenant_signature.NONCE_HEADER: "bench",
        }

        def sign(query: str, body: bytes) -> str:
            return tenant_signature.sign(
                SECRET.encode(), "POST", PATH, "11", "PAID", auth, ts,
                query=query.removeprefix("?"), nonce="bench", body=body,
            )  # fmt: skip

        script = work / "search.lua"
        _lua(script, headers, sign)
        dsn = f"postgresql://postgres@127.0.0.1:5432/{db}?sslmode=disable"
        _wrk(port, 2, script)  # warm up both the api and PostgreSQL's cache
        api_runs, sql_runs = [], []
        for i in range(rounds):
            progress(f"round {i + 1}/{rounds}: sql ({seconds}s)")
            sql_runs.append(asyncio.run(_sql_round(dsn, seconds)))
            progress(f"round {i + 1}/{rounds}: api ({seconds}s, {CONCURRENCY} conns)")
            api_runs.append(_wrk(port, seconds, script))
        api = max(api_runs, key=lambda r: r["rps"])
        sql = max(sql_runs, key=lambda r: r["rps"])
        ratio = api["rps"] / sql["rps"]
        framework = _framework(seconds, rounds, progress)
        return {
            "framework": framework,
            "search": {
                "api_rps": round(api["rps"]),
                "sql_rps": round(sql["rps"]),
                "ratio": round(ratio, 3),
                "p99_ms": api["p99_ms"],
                "sql_p99_ms": sql["p99_ms"],
                "non_2xx": api["non_2xx"],
                "profiles": profiles,
                "concurrency": CONCURRENCY,
                "seed_seconds": seed_s,
                "met": ratio >= 0.5 and api["p99_ms"] <= 50 and api["non_2xx"] == 0,
            },
        }
    finally:
        if proc is not None:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(15)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        _admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)


def _wait_ready(port: int, proc: subprocess.Popen, log: Path) -> None:
    import http.client

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/heartbeat/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("coffee api did not start:\n" + log.read_text()[-3000:])


def summary(result: dict) -> str:
    s, f = result["search"], result["framework"]
    return (
        f"framework: granian raw ASGI {f['raw_asgi_rps']} req/s, Litestar {f['litestar_rps']} "
        f"req/s (ratio {f['ratio']}, {f['cost_us_per_request']} us per request)\n"
    ) + (
        f"api search on {s['profiles']:,} profiles, concurrency {s['concurrency']}: "
        f"{s['api_rps']} req/s (p99 {s['p99_ms']} ms) vs the same SQL via asyncpg "
        f"{s['sql_rps']} req/s (p99 {s['sql_p99_ms']} ms): ratio {s['ratio']} "
        f"(budget >= 0.5, p99 <= 50 ms): {'met' if s['met'] else 'NOT met'}"
    )
