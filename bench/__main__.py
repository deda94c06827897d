"""``python -m bench <suite> [--quick] [--json]``: run one benchmark suite (or ``all``)."""

from __future__ import annotations

import argparse
import importlib
import inspect
import pathlib
import sys

import orjson

# A suite is any module bench/<name>.py (not private, not a pytest file) exposing
# run(quick: bool, progress: Callable[[str], None]) -> dict and summary(dict) -> str.
# Discovered, not listed, so that adding a suite touches no shared file.
_BENCH_DIR = pathlib.Path(__file__).parent
SUITES: dict[str, str] = {
    path.stem: f"bench.{path.stem}"
    for path in sorted(_BENCH_DIR.glob("*.py"))
    if not path.stem.startswith(("_", "bench_", "test_", "conftest"))
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("suite", choices=[*SUITES, "all"])
    parser.add_argument("--quick", action="store_true", help="smaller traces, same keys")
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    parser.add_argument("--minutes", type=float, help="run time, for suites that take one (soak)")
    args = parser.parse_args(argv)

    names = list(SUITES) if args.suite == "all" else [args.suite]
    results = {}
    for name in names:
        suite = importlib.import_module(SUITES[name])

        def progress(message: str, _name: str = name) -> None:
            print(f"[{_name}] {message}", file=sys.stderr, flush=True)

        options = {}
        if args.minutes is not None and "minutes" in inspect.signature(suite.run).parameters:
            options["minutes"] = args.minutes
        results[name] = suite.run(quick=args.quick, progress=progress, **options)
        if not args.json:
            print(suite.summary(results[name]))
    if args.json:
        out = results[names[0]] if len(names) == 1 else results
        print(orjson.dumps(out).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
