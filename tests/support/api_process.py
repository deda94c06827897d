"""A real `coffee api` process (granian) on its own PostgreSQL database and chdb directory.

The database `coffee_api_test_<id>` is created for the process and dropped after it. Requests
are signed as the gateway signs them (coffee.infra.tenant_signature).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import http.client
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import orjson
from coffee.api.listeners import LISTENERS
from coffee.infra import pg, tenant_signature

from bench._net import free_port

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
SECRET = "api-test-signature-secret"


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def create_database(name: str) -> None:
    run(_admin(f'CREATE DATABASE "{name}"'))


def drop_database(name: str) -> None:
    run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _delete_broker_objects(exchanges: list[str], queues: list[str]) -> None:
    import aio_pika

    conn = await aio_pika.connect("amqp://guest:guest@127.0.0.1:5672/")
    try:
        for name in queues:
            channel = await conn.channel()
            with contextlib.suppress(Exception):
                await channel.queue_delete(name)
        for name in exchanges:
            channel = await conn.channel()
            with contextlib.suppress(Exception):
                await channel.exchange_delete(name)
    finally:
        await conn.close()


def basic_user(user_id: str = "7", name: str = "Asha", account: str = "70") -> str:
    raw = f"{user_id}~{name}~1~{account}:{user_id}".encode()
    return "Basic " + base64.b64encode(raw).decode()


class ApiProcess:
    def __init__(self, env: dict[str, str] | None = None, pg_port: int = 5432) -> None:
        self.id = uuid.uuid4().hex[:10]
        self.db = f"coffee_api_test_{self.id}"
        self.port = free_port()
        self.admin_port = int((env or {}).get("API_ADMIN_PORT") or free_port())
        self.data_dir = tempfile.mkdtemp(prefix="coffee-api-chdb-")
        self.env = {
            "SERVER_PORT": str(self.port),
            "PG_HOST": "127.0.0.1",
            "PG_PORT": str(pg_port),
            "PG_DB": self.db,
            "PG_USER": "postgres",
            "CH_DSN": f"chdb://{self.data_dir}",
            "GATEWAY_SIGNATURE_SECRET": SECRET,
            "HEARTBEAT_START": "true",
            "OUTBOX_POLL_INTERVAL": "0.2",
            "AMQP_EXCHANGE": f"coffee.test.{self.id}.dx",
            "LOG_LEVEL": "warning",
            **(env or {}),
            "API_ADMIN_PORT": str(self.admin_port),
        }
        self.proc: subprocess.Popen | None = None
        create_database(self.db)

    @property
    def pg_dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:5432/{self.db}"

    def start(self) -> ApiProcess:
        env = {**os.environ, **self.env, "PYTHONPATH": str(ROOT)}
        self.log = open(Path(self.data_dir) / "api.log", "w+")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "coffee.cli",
                "api",
                "serve",
                "--app",
                "tests.support.api_app:create",
            ],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            # Its own process group: granian's worker is a child, and a kill must reach it too.
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                status, _, _ = self.request("GET", "/heartbeat/", signed=False)
                if status in (200, 410):
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("api did not start:\n" + self.output())

    def output(self) -> str:
        self.log.flush()
        return (Path(self.data_dir) / "api.log").read_text()

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Signals the whole process group (granian and its worker), then makes sure it is gone."""
        if self.proc is None:
            return
        group = self.proc.pid
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(15)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)  # a worker left behind by its parent's death
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(5)

    @property
    def exchange(self) -> str:
        return self.env["AMQP_EXCHANGE"]

    def close(self) -> None:
        self.stop()
        drop_database(self.db)
        queues = [f"{self.exchange}___{name}" for name in LISTENERS]
        queues += [q + ".error" for q in queues]
        run(_delete_broker_objects([self.exchange, self.exchange + ".error"], queues))
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> ApiProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def headers(
        self,
        method: str,
        path: str,
        partner: str = "11",
        plan: str = "PAID",
        authorization: str | None = None,
        body: bytes = b"",
    ) -> dict[str, str]:
        auth = basic_user() if authorization is None else authorization
        ts = int(time.time())
        nonce = uuid.uuid4().hex
        target, _, query = path.partition("?")
        sig = tenant_signature.sign(
            SECRET.encode(), method, target, partner, plan, auth, ts,
            query=query, nonce=nonce, body=body,
        )  # fmt: skip
        return {
            tenant_signature.NONCE_HEADER: nonce,
            "x-bb-partner-id": partner,
            "x-bb-plan-type": plan,
            "authorization": auth,
            tenant_signature.TIMESTAMP_HEADER: str(ts),
            tenant_signature.SIGNATURE_HEADER: sig,
            "content-type": "application/json",
        }

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        signed: bool = True,
        plan: str = "PAID",
        headers: dict[str, str] | None = None,
        timeout: float = 30,
        admin: bool = False,
    ) -> tuple[int, dict[str, str], Any]:
        """One request on the public port, or on the admin listener (`admin=True`)."""
        data = body if isinstance(body, bytes) or body is None else orjson.dumps(body)
        hdrs = self.headers(method, path, plan=plan, body=data or b"") if signed else {}
        hdrs.update(headers or {})
        port = self.admin_port if admin else self.port
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            raw = resp.read()
            out_headers = {k.lower(): v for k, v in resp.getheaders()}
            try:
                decoded = orjson.loads(raw) if raw else None
            except orjson.JSONDecodeError:
                decoded = raw
            return resp.status, out_headers, decoded
        finally:
            conn.close()

    def metric(self, sample: str) -> float:
        """The value of one sample of GET /metrics (0 when absent)."""
        _, _, body = self.request("GET", "/metrics", signed=False, admin=True)
        text = body.decode() if isinstance(body, bytes) else str(body)
        for line in text.splitlines():
            name, _, value = line.rpartition(" ")
            if name == sample:
                return float(value)
        return 0.0

    def sql(self, query: str, *args: Any) -> list[asyncpg.Record]:
        async def go() -> list[asyncpg.Record]:
            conn = await pg.connect(self.pg_dsn)
            try:
                return await conn.fetch(query, *args)
            finally:
                await conn.close()

        return run(go())
