"""ClickHouse access through clickhouse-connect: ``chdb:///dir`` (in-process) or ``http://...``.

clickhouse-connect's client is synchronous and one client must not run two queries at once
("concurrent queries within the same session"), and chdb is one engine per process and data
directory. So the process holds one client, calls it from a worker thread under a lock, and
never blocks the event loop. Inserts carry an ``insert_deduplication_token`` so a retried
batch is stored once (tables are created with ``non_replicated_deduplication_window``).
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Sequence
from typing import Any

import clickhouse_connect
import orjson


def absolute_chdb(dsn: str) -> str:
    """A ``chdb://`` DSN with its data directory made absolute: ``chdb://var/chdb`` would be
    read by clickhouse-connect as host ``var`` and database ``chdb``. Other DSNs pass through."""
    if dsn.startswith("chdb://") and not dsn.startswith("chdb:///"):
        return "chdb://" + os.path.abspath(dsn.removeprefix("chdb://"))
    return dsn


class ClickHouse:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._lock = threading.Lock()
        # No session ids on a server: the lock already serialises this process's queries.
        extra = {} if dsn.startswith("chdb:") else {"autogenerate_session_id": False}
        self._client = clickhouse_connect.get_client(dsn=dsn, **extra)

    def _run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return fn(*args, **kwargs)

    async def query(self, sql: str, parameters: dict[str, Any] | None = None) -> list[tuple]:
        result = await asyncio.to_thread(self._run, self._client.query, sql, parameters=parameters)
        return list(result.result_rows)

    async def command(self, sql: str) -> Any:
        return await asyncio.to_thread(self._run, self._client.command, sql)

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
        await asyncio.to_thread(
            self._run,
            self._client.raw_insert,
            table,
            columns,
            body,
            settings=settings,
            fmt="JSONEachRow",
        )

    async def insert_json_each_row(
        self, table: str, columns: Sequence[str], body: bytes, token: str
    ) -> None:
        """Inserts a ready JSONEachRow body; `token` makes an exact retry a no-op."""
        await asyncio.to_thread(
            self._run,
            self._client.raw_insert,
            table,
            list(columns),
            body,
            settings={"insert_deduplication_token": token},
            fmt="JSONEachRow",
        )

    def close(self) -> None:
        with self._lock:
            self._client.close()
