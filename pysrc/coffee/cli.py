"""The `coffee` command: one entry point for every role of the platform."""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coffee", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("version", help="print the version of the package and of the native core")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "version":
        from coffee import __version__, _native

        print(f"coffee {__version__} (native core {_native.__version__})")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
