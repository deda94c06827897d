"""`coffee events`: the gRPC event intake, on GIN_PORT the HTTP one (webhooks, GET /heartbeat/),
and on EVENTS_ADMIN_PORT (loopback) PUT /heartbeat/ and /metrics."""

from __future__ import annotations

import argparse

import uvloop

from coffee.config import SettingsError, setup_logging
from coffee.events.server import EventServer
from coffee.events.settings import load_settings


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="coffee events", description=__doc__)
    parser.add_argument(
        "--no-http",
        action="store_true",
        help="gRPC and the admin listener only: no webhooks, no public /heartbeat/",
    )
    args = parser.parse_args(argv)
    try:
        setup_logging()
        settings = load_settings()
    except SettingsError as exc:
        print(f"coffee events: {exc}")
        return 2
    uvloop.run(_serve(settings, serve_http=not args.no_http))
    return 0


async def _serve(settings, serve_http: bool) -> None:
    # Built inside the loop: grpc.aio binds its server to the loop running when it is made, and
    # granian's embedded server runs on it too.
    await EventServer(settings, serve_http=serve_http).run_until_signalled()
