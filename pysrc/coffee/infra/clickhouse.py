"""ClickHouse access through clickhouse-connect: ``chdb:///dir`` (in-process) or ``http://...``.

clickhouse-connect's client is synchronous, so every call runs in a worker thread and never
blocks the event loop. How many run at once depends on the engine:

- chdb is one engine per process and data directory, and its queries run one at a time anyway:
  one lock serialises this process's calls (its client keeps one session, which must not run
  two queries at once).
- A server: the client is thread safe without session ids and keeps a pool of HTTP
  connections, so up to ``SERVER_CONCURRENCY`` calls run at once on threads of their own. One
  slow write then holds up only its own caller, not every consumer of the database.

Inserts carry an ``insert_deduplication_token`` so a retried batch is stored once (tables are
created with ``non_replicated_deduplication_window``).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import threading
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import clickhouse_connect
import orjson


def absolute_chdb(dsn: str) -> str:
    """A ``chdb://`` DSN with its data directory made absolute: ``chdb://var/chdb`` would be
    read by clickhouse-connect as host ``var`` and database ``chdb``. Other DSNs pass through."""
    if dsn.startswith("chdb://") and not dsn.startswith("chdb:///"):
        return "chdb://" + os.path.abspath(dsn.removeprefix("chdb://"))
    return dsn


@contextlib.contextmanager
def _bounded(lock: Any, deadline: float) -> Any:
    """Holds `lock` if it can be had before `deadline`; TimeoutError otherwise."""
    if not lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
        raise TimeoutError("the write's deadline passed while the engine was busy")
    try:
        yield
    finally:
        lock.release()


# clickhouse-connect keeps 8 pooled HTTP connections per host by default: as many threads.
SERVER_CONCURRENCY = 8


class ClickHouse:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        embedded = dsn.startswith("chdb:")
        self._lock: contextlib.AbstractContextManager[Any] = (
            threading.Lock() if embedded else contextlib.nullcontext()
        )
        self._executor = (
            None
            if embedded
            else ThreadPoolExecutor(SERVER_CONCURRENCY, thread_name_prefix="clickhouse")
        )
        # No session ids on a server: a session runs one query at a time.
        extra = {} if embedded else {"autogenerate_session_id": False}
        self._client = clickhouse_connect.get_client(dsn=dsn, **extra)

    def _run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return fn(*args, **kwargs)

    async def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        call = functools.partial(self._run, fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    async def query(self, sql: str, parameters: dict[str, Any] | None = None) -> list[tuple]:
        result = await self._call(self._client.query, sql, parameters=parameters)
        return list(result.result_rows)

    async def command(self, sql: str) -> Any:
        return await self._call(self._client.command, sql)

    def command_sync(self, sql: str) -> Any:
        return self._run(self._client.command, sql)

    async def insert_json_rows(
        self, table: str, rows: Sequence[dict[str, Any]], token: str | None = None
    ) -> None:
        """Inserts rows given as dicts (JSONEachRow); `token` makes a retry a no-op."""
        if not rows:
            return
        body = b"\n".join(orjson.dumps(r) for r in rows)
        settings = {"insert_deduplication_token": token} if token else None
        columns = list(rows[0].keys())
        await self._call(
            self._client.raw_insert,
            table,
            columns,
            body,
            settings=settings,
            fmt="JSONEachRow",
        )

    async def insert_json_each_row(
        self,
        table: str,
        columns: Sequence[str],
        body: bytes,
        token: str,
        timeout: float | None = None,
    ) -> None:
        """Inserts a ready JSONEachRow body; `token` makes an exact retry a no-op.

        `timeout` really stops the write, as far as the engine allows: on a server the query
        carries its own id and is killed by it (KILL QUERY) when the deadline passes; with the
        embedded engine a write still waiting for the engine when the deadline passes never
        starts (one that already runs cannot be stopped: its retry, with the same token, is
        then deduplicated). Raises TimeoutError."""
        query_id = uuid.uuid4().hex
        settings: dict[str, Any] = {"insert_deduplication_token": token}
        if self._executor is not None:
            settings["query_id"] = query_id
        deadline = None if timeout is None else time.monotonic() + timeout
        call = functools.partial(
            self._run_before,
            deadline,
            self._client.raw_insert,
            table,
            list(columns),
            body,
            settings=settings,
            fmt="JSONEachRow",
        )
        future = asyncio.get_running_loop().run_in_executor(self._executor, call)
        try:
            await asyncio.wait_for(asyncio.shield(future), timeout)
        except TimeoutError:
            if self._executor is not None:
                await self._kill(query_id)
            raise

    def _run_before(self, deadline: float | None, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """`fn` under the engine's lock, unless the deadline passed before the lock was had."""
        if deadline is None:
            return self._run(fn, *args, **kwargs)
        with self._lock if self._executor is not None else _bounded(self._lock, deadline):
            if time.monotonic() > deadline:
                raise TimeoutError("the write's deadline passed before the engine was free")
            return fn(*args, **kwargs)

    async def _kill(self, query_id: str) -> None:
        """Cancels a server query by its id; best effort (the server may be what is down)."""
        sql = f"KILL QUERY WHERE query_id = '{query_id}' ASYNC"
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._call(self._client.command, sql), 5.0)

    def close(self) -> None:
        if self._executor is not None:  # callers have stopped: nothing is queued behind this
            self._executor.shutdown(wait=False)
        with self._lock:
            self._client.close()
