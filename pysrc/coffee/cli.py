"""The `coffee` command: one entry point for every role of the platform.

Each role lives in its own module exposing ``main(argv: list[str]) -> int``; it is imported only
when chosen, so `coffee events` never pays for the gateway's imports (and a role that is not
built yet does not break the others).
"""

from __future__ import annotations

import importlib
import os
import sys

# command -> (module exposing main(argv) -> int, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "gateway": ("coffee.gateway.main", "run the gateway (JWT, sessions, plan, reverse proxy)"),
    "api": ("coffee.api.main", "run the api service (modules on PostgreSQL + ClickHouse)"),
    "events": ("coffee.events.main", "run the gRPC event intake and the webhook intake"),
    "consumers": ("coffee.events.consumers.main", "run the event consumers and sinkers"),
    "dlq": ("coffee.events.consumers.dlq", "inspect and replay dead-lettered events"),
    "up": ("coffee.up", "run every role under one supervisor (and a demo)"),
}


def _usage() -> str:
    lines = ["usage: coffee <command> [options]", "", "commands:"]
    lines.append(f"  {'version':<10} print the version of the package and of the native core")
    lines += [f"  {name:<10} {help_}" for name, (_, help_) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in {"-h", "--help"}:
        print(_usage())
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command == "version":
        from coffee import __version__, _native

        print(f"coffee {__version__} (native core {_native.__version__})")
        return 0
    if command not in COMMANDS:
        print(f"coffee: unknown command {command!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    from coffee import original_settings

    try:
        original_settings.check(command, os.environ)
    except original_settings.RefusedSetting as exc:
        print(f"coffee {command}: {exc}", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[command][0])
    return int(module.main(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
