"""The events side of ops/ checked by the tools that run it (issue 19 item 12): the dead-letter
alert fires on the series RabbitMQ's per-object metrics really produce (`promtool test rules`),
the dashboard's retries-and-dead-letters panel shows a queue that has only one of the two (a
promtool expression test on the panel's own query), the Dockerfile's `curl | sh` fails on a
failed download, and compose gives each role more time to stop than its drain takes."""

from __future__ import annotations

import json
import pathlib
import re
import shutil
import subprocess

import pytest
import yaml
from coffee.events.settings import EventSettings

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        pytest.fail("promtool is missing: scripts/system-deps.sh installs it")
    return path


def _panel_expr(title: str) -> str:
    dashboard = json.loads((ROOT / "ops/grafana-dashboard.json").read_text())
    (panel,) = [p for p in dashboard["panels"] if p.get("title") == title]
    (target,) = panel["targets"]
    return target["expr"]


def test_dead_letter_alert_and_retries_panel_under_promtool(tmp_path):
    retries_panel = _panel_expr("Retries and dead letters")
    tests = {
        "rule_files": [str(ROOT / "ops/alerts.yml")],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [
                    # the name and labels of rabbitmq_prometheus with return_per_object_metrics
                    {
                        "series": 'rabbitmq_queue_messages{queue="error.clicks",vhost="/"}',
                        "values": "1500x20",
                    },
                    {
                        "series": 'rabbitmq_queue_messages{queue="error.quiet",vhost="/"}',
                        "values": "10x20",
                    },
                    {
                        "series": 'coffee_consumer_retried_total{queue="only_retries"}',
                        "values": "0+60x20",
                    },
                    {
                        "series": 'coffee_consumer_dead_lettered_total{queue="only_dead"}',
                        "values": "0+120x20",
                    },
                    {"series": 'coffee_consumer_retried_total{queue="both"}', "values": "0+60x20"},
                    {
                        "series": 'coffee_consumer_dead_lettered_total{queue="both"}',
                        "values": "0+60x20",
                    },
                ],
                "alert_rule_test": [
                    {
                        "eval_time": "10m",
                        "alertname": "DeadLetterQueueGrowing",
                        "exp_alerts": [
                            {
                                "exp_labels": {"severity": "page", "queue": "error.clicks"},
                                "exp_annotations": {
                                    "summary": "Dead-letter queue error.clicks holds more than "
                                    "1,000 messages for 5 minutes",
                                    "runbook": "coffee dlq list; fix the cause (usually "
                                    "ClickHouse); coffee dlq replay <queue>",
                                },
                            }
                        ],
                    }
                ],
                "promql_expr_test": [
                    {
                        "expr": retries_panel,
                        "eval_time": "10m",
                        "exp_samples": [
                            {"labels": '{queue="only_retries"}', "value": 1},
                            {"labels": '{queue="only_dead"}', "value": 2},
                            {"labels": '{queue="both"}', "value": 2},
                        ],
                    }
                ],
            }
        ],
    }
    path = tmp_path / "events_rules.test.yml"
    path.write_text(yaml.safe_dump(tests, sort_keys=False))
    result = subprocess.run(
        [_promtool(), "test", "rules", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_dead_letter_alert_reads_the_per_object_metric_name():
    # The comment names the setting; /metrics/detailed's rabbitmq_detailed_* would never match.
    alerts = (ROOT / "ops/alerts.yml").read_text()
    assert "return_per_object_metrics = true" in alerts
    assert "rabbitmq_detailed_" not in alerts.split("groups:", 1)[1]


def test_the_dockerfile_pipes_fail_when_any_stage_fails():
    dockerfile = (ROOT / "Dockerfile").read_text()
    shell = re.search(r"^SHELL (\[.*\])$", dockerfile, re.M)
    assert shell is not None, "no SHELL line: RUN uses sh, without pipefail"
    argv = json.loads(shell.group(1))
    assert dockerfile.index("SHELL ") < dockerfile.index("curl -sSf")
    # the shell itself says a failed first command fails the pipe
    result = subprocess.run([*argv, "false | cat"], check=False)
    assert result.returncode != 0


def _seconds(duration: str) -> float:
    match = re.fullmatch(r"(\d+)(s|m)", duration)
    assert match, duration
    return int(match.group(1)) * (60 if match.group(2) == "m" else 1)


def test_compose_lets_every_role_finish_its_drain():
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    events = EventSettings()
    # gRPC in-flight RPCs, then the queue, each up to the grace; then the log's last replay.
    events_drain = 2 * events.event_shutdown_grace + events.event_publish_timeout
    assert _seconds(services["events"]["stop_grace_period"]) > events_drain
    for role in ("api", "gateway", "consumers"):
        assert _seconds(services[role]["stop_grace_period"]) > 10, role  # Docker's default


def test_coffee_up_prints_the_api_metrics_url(capsys):
    from types import SimpleNamespace

    from coffee.up import _print_urls

    # The api's metrics are served on its admin listener (API_ADMIN_PORT, issue 17).
    env = {"SERVER_PORT": "8123", "API_ADMIN_PORT": "9123", "PORT": "8017"}
    env["CONSUMER_METRICS_PORT"] = "8019"
    _print_urls([SimpleNamespace(name="api")], env)
    line = capsys.readouterr().out
    assert "http://127.0.0.1:8123/" in line and "http://127.0.0.1:9123/metrics" in line
    # The events' too (EVENTS_ADMIN_PORT, issue 19), beside its webhooks on GIN_PORT.
    env |= {"GIN_PORT": "8124", "EVENTS_ADMIN_PORT": "9124"}
    _print_urls([SimpleNamespace(name="events")], env)
    line = capsys.readouterr().out
    assert "http://127.0.0.1:8124/" in line and "http://127.0.0.1:9124/metrics" in line
