"""`coffee events`: the gRPC event intake."""

from __future__ import annotations

import argparse
import logging

import uvloop
from prometheus_client import start_http_server

from coffee.config import SettingsError
from coffee.events.server import EventServer
from coffee.events.settings import load_settings


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="coffee events", description=__doc__)
    parser.add_argument("--no-metrics", action="store_true", help="do not serve /metrics")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"coffee events: {exc}")
        return 2
    if not args.no_metrics:
        start_http_server(settings.gin_port)
    uvloop.run(_serve(settings))
    return 0


async def _serve(settings) -> None:
    # Built inside the loop: grpc.aio binds its server to the loop running when it is made.
    await EventServer(settings).run_until_signalled()
