"""`coffee api [serve|migrate|seed]`: the api service, its migrations and its demo data.

serve (default)       granian (ASGI) on SERVER_HOST:SERVER_PORT with WORKERS processes
migrate               applies the PostgreSQL and ClickHouse migrations, then exits
seed --profiles N     fills PostgreSQL and ClickHouse with synthetic creators (after migrate)

On the in-process ClickHouse (chdb:// DSN, the default) one engine owns a data directory per
process, so serve refuses WORKERS > 1 there: use an http:// ClickHouse server to scale out.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from coffee.api.settings import ApiSettings
from coffee.config import SettingsError, load


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="coffee api", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run the api (default)")
    serve.add_argument("--app", default="coffee.api.asgi:create", help="module:factory")
    sub.add_parser("migrate", help="apply the migrations and exit")
    seed = sub.add_parser("seed", help="fill the databases with synthetic data")
    seed.add_argument("--profiles", type=int, default=10_000)
    return p


def serve(settings: ApiSettings, target: str) -> int:
    from granian import Granian
    from granian.constants import Interfaces, Loops

    if settings.clickhouse_dsn().startswith("chdb:") and settings.workers > 1:
        print(
            "coffee api: WORKERS > 1 needs a ClickHouse server (CH_DSN=http://... or CH_HOST): "
            "chdb is one engine per process and data directory",
            file=sys.stderr,
        )
        return 2
    Granian(
        target,
        address=settings.server_host,
        port=settings.server_port,
        interface=Interfaces.ASGI,
        workers=settings.workers,
        loop=Loops.uvloop,
        factory=True,
        log_level=settings.log_level,  # type: ignore[arg-type]
    ).serve()
    return 0


async def _migrate(settings: ApiSettings) -> None:
    from coffee.api.migrate import migrate_clickhouse, migrate_postgres
    from coffee.infra.clickhouse import ClickHouse

    print("postgres:", await migrate_postgres(settings.pg_dsn()) or "up to date")
    ch = ClickHouse(settings.clickhouse_dsn())
    print("clickhouse:", await migrate_clickhouse(ch) or "up to date")
    ch.close()


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load(ApiSettings)
    except SettingsError as exc:
        print(f"coffee api: {exc}", file=sys.stderr)
        return 2
    if args.command in (None, "serve"):
        return serve(settings, getattr(args, "app", "coffee.api.asgi:create"))
    if args.command == "migrate":
        asyncio.run(_migrate(settings))
        return 0
    if args.command == "seed":
        from coffee.api.seed import seed

        asyncio.run(_migrate(settings))
        print(asyncio.run(seed(settings, args.profiles)))
        return 0
    return 2
