"""ops/alerts.yml checked and unit-tested by promtool (Debian's `prometheus` package, installed
by scripts/system-deps.sh): the rules parse, and each tested alert fires when it should and not
when it should not (ops/alerts.test.yml; an idle gateway raises nothing)."""

from __future__ import annotations

import pathlib
import shutil
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]


def promtool() -> str:
    path = shutil.which("promtool")
    # Never a skip: without promtool the rules would go untested. scripts/system-deps.sh
    # installs it (Debian package `prometheus`).
    assert path, "promtool is missing: run scripts/system-deps.sh (Debian package prometheus)"
    return path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool(), *args], cwd=ROOT / "ops", capture_output=True, text=True, timeout=120
    )


def test_the_alert_rules_parse():
    result = run("check", "rules", "alerts.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_alert_rules_pass_their_unit_tests():
    result = run("test", "rules", "alerts.test.yml")
    assert result.returncode == 0, result.stdout + result.stderr
