"""`coffee consumers` for the soak, plus a control line on stdin.

chdb is one engine per process and data directory, so a ClickHouse fault on the embedded engine
(DETACH DATABASE) and the final row count can only be made by the process that owns it. This
runs the real ConsumerService (settings from the environment, as `coffee consumers`) and
executes control lines through the same client, serialised with the sinkers' inserts:

    sql <statement>       -> "ok <result>" or "err <message>"
    ids <db>.<table> <path>  -> writes every event_id (one per line), "ok <rows>"

SIGTERM stops it as `coffee consumers` stops: consumption ends, buffers flush, exit 0.
`ControlledConsumers` starts it as a child process and speaks the control lines.
"""

from __future__ import annotations

import asyncio
import select
import signal
import subprocess
import sys
import threading

import uvloop
from coffee.events.consumers.main import ConsumerService
from coffee.events.consumers.settings import load_settings
from coffee.events.consumers.topology import load_topology
from coffee.infra.clickhouse import ClickHouse
from coffee.up import stop_process


class ControlledConsumers:
    """This harness as a child process (environment `env`, stderr appended to `log_path`),
    ready once constructed."""

    def __init__(self, env: dict[str, str], log_path: str) -> None:
        self._log = open(log_path, "ab")  # noqa: SIM115 (closed by stop/kill)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench._soak_consumers"], env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log,
        )  # fmt: skip
        if self.read() != "ready":
            raise RuntimeError(f"the consumers did not start (see {log_path})")

    @property
    def running(self) -> bool:
        return self.proc.poll() is None

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def read(self) -> str:
        assert self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    def answered(self) -> bool:
        """Whether an answer is waiting, without reading it."""
        assert self.proc.stdout is not None
        return bool(select.select([self.proc.stdout], [], [], 0)[0])

    def control(self, line: str) -> str:
        self.send(line)
        return self.read()

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()
        self._log.close()

    def stop(self, grace: float = 60) -> int:
        """SIGTERM (buffers flush), SIGKILL after `grace`; the exit code."""
        code = stop_process(self.proc, grace)
        self._log.close()
        return code


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
    service = ConsumerService(settings, load_topology(settings.topology_path, settings), clickhouse)
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
