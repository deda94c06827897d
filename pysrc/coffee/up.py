"""`coffee up [--no-demo] [--roles ...]`: the whole platform under one supervisor.

Starts each role as a child process (`coffee api`, `gateway`, `events`, `consumers`), with
embedded defaults where they serve (ClickHouse through chdb, one data directory per role that
owns one, since chdb is one engine per process and directory), waits until each is ready,
turns the heartbeats on, then runs a short demo unless --no-demo. Ctrl-C or SIGTERM stops
every child cleanly (SIGTERM, then SIGKILL after a grace period). A child that dies takes the
platform down with a non-zero exit: a supervisor that hides crashes helps nobody.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field

from coffee.events.webhooks.sources import SOURCES

ROLES = ("api", "gateway", "events", "consumers")


@dataclass
class Child:
    name: str
    argv: list[str]
    ready: tuple[str, int] | None  # a TCP port that accepts once the role serves
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self, env: dict[str, str], log_dir: str) -> None:
        log = open(os.path.join(log_dir, f"{self.name}.log"), "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "coffee.cli", *self.argv], env=env, stdout=log, stderr=log
        )

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, grace: float) -> int | None:
        return None if self.proc is None else stop_process(self.proc, grace)


def stop_process(proc: subprocess.Popen, grace: float) -> int:
    """SIGTERM, then SIGKILL if it still runs after `grace` seconds; its exit code (-9 when
    killed). Used for every child process this package, its benchmarks and tests start."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def _say(message: str) -> None:
    print(f"[coffee up] {message}", flush=True)


def _wait_port(host: str, port: int, child: Child, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not child.alive():
            raise RuntimeError(f"{child.name} exited while starting (see its log)")
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{child.name} did not open {host}:{port} within {timeout:.0f}s")


def _environment(data_dir: str, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """The roles' environment: os.environ, then `overrides`, then defaults derived from both
    (so a NAME_PREFIX or SERVER_PORT given either way names the exchanges and upstreams)."""
    env = {**os.environ, **(overrides or {})}
    # Shared secrets: taken from the environment, or made for this run (printed nowhere).
    env.setdefault("HMAC_SECRET", base64.b64encode(secrets.token_bytes(32)).decode())
    env.setdefault("GATEWAY_SIGNATURE_SECRET", secrets.token_hex(32))
    env.setdefault("CH_DATA_DIR", os.path.join(data_dir, "chdb-api"))
    if not env.get("CLICKHOUSE_HOST"):  # a server named the original's way is used as it is
        env.setdefault("CLICKHOUSE_URL", f"chdb://{os.path.join(data_dir, 'chdb-events')}")
    env.setdefault("EVENT_WAL_DIR", os.path.join(data_dir, "events-wal"))
    # The embedded ClickHouse stages each insert in a temporary file; one killed mid-insert
    # leaves it behind. Under the data directory it goes away with the rest of a run.
    env.setdefault("TMPDIR", os.path.join(data_dir, "tmp"))
    os.makedirs(env["TMPDIR"], exist_ok=True)
    env.setdefault("PG_DB", "coffee")
    # The gateway's upstreams, identity and partner lookups are the api unless set otherwise.
    api = f"http://127.0.0.1:{env.get('SERVER_PORT', '8000')}"
    for name in ("SAAS_URL", "SAAS_DATA_URL", "IDENTITY_URL", "PARTNER_URL"):
        env.setdefault(name, api)
    env.setdefault("CONSUMER_METRICS_PORT", "8019")
    # The consumers' exchanges carry NAME_PREFIX; the publishers must use the same names.
    prefix = env.get("NAME_PREFIX", "")
    env.setdefault("EVENT_EXCHANGE", prefix + "grpc_event.tx")
    env.setdefault("AMQP_EXCHANGE", prefix + "coffee.dx")
    for source in SOURCES:
        env.setdefault(f"{source.name.upper()}_EVENT_EXCHANGE", prefix + source.default_exchange)
    return env


def _children(env: dict[str, str], roles: list[str]) -> list[Child]:
    api_port = int(env.get("SERVER_PORT", "8000"))
    table = {
        "api": Child("api", ["api"], ("127.0.0.1", api_port)),
        "gateway": Child(
            "gateway", ["gateway"], ("127.0.0.1", int(env.get("PORT_GATEWAY", "8080")))
        ),
        "events": Child("events", ["events"], ("127.0.0.1", int(env.get("PORT", "8017")))),
        "consumers": Child(
            "consumers", ["consumers"], ("127.0.0.1", int(env["CONSUMER_METRICS_PORT"]))
        ),
    }
    return [table[r] for r in roles]


def _prepare_api(env: dict[str, str]) -> None:
    from coffee.infra.pg_admin import ensure_database

    created = asyncio.run(
        ensure_database(
            env.get("PG_HOST", "127.0.0.1"), int(env.get("PG_PORT", "5432")),
            env.get("PG_USER", "postgres"), env.get("PG_PASS", ""), env["PG_DB"],
        )
    )  # fmt: skip
    _say(f"PostgreSQL database {env['PG_DB']!r} {'created' if created else 'present'}; migrating")
    subprocess.run([sys.executable, "-m", "coffee.cli", "api", "migrate"], env=env, check=True)
    marker = os.path.join(env["COFFEE_DATA_DIR"], f"seeded-{env['PG_DB']}")
    if not os.path.exists(marker):  # a small data set, once per database
        _say("seeding 2,000 synthetic creators")
        subprocess.run(
            [sys.executable, "-m", "coffee.cli", "api", "seed", "--profiles", "2000"],
            env=env,
            check=True,
        )
        open(marker, "w").close()


# The admin listeners (PUT /heartbeat/, GET /metrics) of the api, the gateway and events.
ADMIN_PORTS = {
    "api": ("API_ADMIN_PORT", "9000"),
    "gateway": ("GATEWAY_ADMIN_PORT", "9080"),
    "events": ("EVENTS_ADMIN_PORT", "9018"),
}


def _admin_port(env: dict[str, str], role: str) -> str:
    name, default = ADMIN_PORTS[role]
    return env.get(name, default)


def _heartbeat_on(url: str) -> None:
    request = urllib.request.Request(f"{url}/heartbeat/?beat=true", method="PUT")
    try:
        urllib.request.urlopen(request, timeout=5).close()
    except OSError as exc:
        _say(f"could not turn the heartbeat on at {url}: {exc}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="coffee up", description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-demo", action="store_true", help="keep running, no demo")
    parser.add_argument("--roles", default=",".join(ROLES), help="comma-separated roles to run")
    parser.add_argument("--data-dir", default=".coffee", help="embedded data and logs")
    parser.add_argument("--grace", type=float, default=15.0, help="seconds a role gets to stop")
    args = parser.parse_args(argv)
    roles = [r.strip() for r in args.roles.split(",") if r.strip()]
    unknown = set(roles) - set(ROLES)
    if unknown:
        parser.error(f"unknown roles: {', '.join(sorted(unknown))}")
    # Absolute: a relative chdb:// DSN would be read as host/database, not as a directory.
    args.data_dir = os.path.abspath(args.data_dir)
    os.makedirs(args.data_dir, exist_ok=True)
    log_dir = os.path.join(args.data_dir, "logs")
    os.makedirs(log_dir, exist_ok=True)
    env = _environment(args.data_dir)
    env["COFFEE_DATA_DIR"] = args.data_dir
    env["PORT"] = env.get("EVENTS_PORT", "8017")  # PORT is the events role's name (original)
    children = _children(env, roles)
    stopping = False

    def on_signal(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    code = 0
    try:
        if "api" in roles:
            _prepare_api(env)
        for child in children:
            child_env = dict(env)
            if child.name == "gateway":
                child_env["PORT"] = env.get("PORT_GATEWAY", "8080")
            _say(f"starting {child.name}")
            child.start(child_env, log_dir)
        for child in children:
            if child.ready is not None:
                _wait_port(*child.ready, child, timeout=60)
            _say(f"{child.name} ready")
        for child in children:
            if child.name in ADMIN_PORTS:  # heartbeat changes: the admin listener only
                _heartbeat_on(f"http://127.0.0.1:{_admin_port(env, child.name)}")
        _print_urls(children, env)
        if not args.no_demo:
            from coffee.demo import run_demo

            run_demo(env, roles, _say)
            _say("demo done; Ctrl-C to stop (or run `coffee up --no-demo` to keep serving)")
        while not stopping:
            for child in children:
                if not child.alive():
                    raise RuntimeError(f"{child.name} exited with {child.proc.returncode}")
            time.sleep(0.5)
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        _say(f"error: {exc}; logs in {log_dir}")
        code = 1
    finally:
        for child in reversed(children):
            rc = child.stop(args.grace)
            if rc is not None:
                _say(f"{child.name} stopped ({rc})")
    return code


def _print_urls(children: list[Child], env: dict[str, str]) -> None:
    urls = {
        "api": f"http://127.0.0.1:{env.get('SERVER_PORT', '8000')}/  (heartbeat /heartbeat/;"
        f" admin: metrics http://127.0.0.1:{_admin_port(env, 'api')}/metrics)",
        "gateway": f"http://127.0.0.1:{env.get('PORT_GATEWAY', '8080')}/{{service}}/..."
        f"  (admin: metrics http://127.0.0.1:{_admin_port(env, 'gateway')}/metrics)",
        "events": f"grpc 127.0.0.1:{env['PORT']}, webhooks"
        f" http://127.0.0.1:{env.get('GIN_PORT', '8018')}/  (heartbeat /heartbeat/;"
        f" admin: metrics http://127.0.0.1:{_admin_port(env, 'events')}/metrics)",
        "consumers": f"metrics http://127.0.0.1:{env['CONSUMER_METRICS_PORT']}/metrics",
    }
    for child in children:
        _say(f"{child.name:<10} {urls[child.name]}")
