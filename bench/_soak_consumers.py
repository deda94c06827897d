"""`coffee consumers` for the soak, plus a control line on stdin.

chdb is one engine per process and data directory, so a ClickHouse fault on the embedded engine
(DETACH DATABASE) and the final row count can only be made by the process that owns it. This
runs the real ConsumerService (settings from the environment, as `coffee consumers`) and
executes control lines through the same client, serialised with the sinkers' inserts:

    sql <statement>       -> "ok <result>" or "err <message>"
    ids <db>.<table> <path>  -> writes every event_id (one per line), "ok <rows>"

SIGTERM stops it as `coffee consumers` stops: consumption ends, buffers flush, exit 0.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import threading

import uvloop
from coffee.events.consumers.main import ConsumerService
from coffee.events.consumers.settings import load_settings
from coffee.events.consumers.topology import load_topology
from coffee.infra.clickhouse import ClickHouse


def _answer(text: str) -> None:
    sys.stdout.write(text.replace("\n", " ") + "\n")
    sys.stdout.flush()


async def _control(clickhouse: ClickHouse, line: str) -> str:
    verb, _, rest = line.partition(" ")
    try:
        if verb == "sql":
            result = await clickhouse.command(rest)
            # A value for a SELECT; a DDL statement gives a summary object, not worth printing.
            return f"ok {result if isinstance(result, int | float | str) else 'done'}"
        if verb == "ids":
            table, path = rest.split()
            rows = await clickhouse.query(f"SELECT event_id FROM {table}")
            with open(path, "w") as out:
                out.writelines(f"{row[0]}\n" for row in rows)
            return f"ok {len(rows)}"
    except Exception as exc:  # an answer, never a dead harness
        return f"err {exc!r}"
    return f"err unknown verb {verb!r}"


async def _serve() -> None:
    settings = load_settings()
    clickhouse = ClickHouse(settings.clickhouse_dsn)
    service = ConsumerService(settings, load_topology(settings.topology_file, settings), clickhouse)
    await service.start()
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):  # after start: chdb installs its own handlers
        loop.add_signal_handler(sig, stopping.set)

    def read_stdin() -> None:
        for line in sys.stdin:
            future = asyncio.run_coroutine_threadsafe(_control(clickhouse, line.strip()), loop)
            _answer(future.result())

    threading.Thread(target=read_stdin, daemon=True).start()
    _answer("ready")
    await stopping.wait()
    await service.stop()


if __name__ == "__main__":
    uvloop.run(_serve())
