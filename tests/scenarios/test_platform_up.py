"""`coffee up` with all four roles and its demo (events into ClickHouse; a login and the same
search through the gateway on a paid and on an expired contract); then every metric the alert
rules and the dashboard use is found on the running roles' /metrics pages."""

from __future__ import annotations

import asyncio
import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import time
import urllib.request

import yaml

from bench._net import free_port
from tests.conftest import require_port
from tests.scenarios.test_up import _delete as delete_broker_objects
from tests.support.cleanup import delete_api_listener_queues, drop_pg_database
from tests.support.events_harness import AMQP, unique

ROOT = pathlib.Path(__file__).resolve().parents[2]
METRIC = re.compile(r"\b((?:coffee|gateway|rabbitmq)_[a-zA-Z0-9_]+|requests_winkl)\b")
EXTERNAL = ("rabbitmq_",)  # exported by RabbitMQ's own Prometheus plugin, not by Coffee


def exposed_names(text: str) -> set[str]:
    names: set[str] = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(maxsplit=3)
            names.add(name)
            if kind == "counter":
                names |= {name + "_total", name.removesuffix("_total")}
            if kind == "histogram":
                names |= {name + "_bucket", name + "_sum", name + "_count"}
        elif line and not line.startswith("#"):
            names.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    return names


def referenced_names() -> set[str]:
    rules = yaml.safe_load((ROOT / "ops/alerts.yml").read_text())
    exprs = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    dashboard = json.loads((ROOT / "ops/grafana-dashboard.json").read_text())
    exprs += [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    return {name for expr in exprs for name in METRIC.findall(expr)}


def test_the_platform_demo_runs_and_every_alert_metric_is_exported(tmp_path):
    for name, port in (("PostgreSQL", 5432), ("Redis", 6379), ("RabbitMQ", 5672)):
        require_port(name, "127.0.0.1", port)
    db = unique("coffee_up_test")
    names = ("SERVER_PORT", "PORT_GATEWAY", "EVENTS_PORT", "GIN_PORT", "CONSUMER_METRICS_PORT",
             "API_ADMIN_PORT", "GATEWAY_ADMIN_PORT", "EVENTS_ADMIN_PORT")  # fmt: skip
    ports = {name: str(free_port()) for name in names}
    api = f"http://127.0.0.1:{ports['SERVER_PORT']}"
    prefix = unique("coffee_test_ops") + "."
    env = {
        **os.environ, **ports, "PG_DB": db, "NAME_PREFIX": prefix,
        "SAAS_URL": api, "SAAS_DATA_URL": api, "IDENTITY_URL": api, "PARTNER_URL": api,
        "REDIS_KEY_PREFIX": prefix,
    }  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "coffee.cli", "up", "--data-dir", str(tmp_path)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,  # its own group: a failed test kills every role it started
    )  # fmt: skip
    try:
        lines = []
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not any("demo done" in x for x in lines):
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
        output = "".join(lines)
        assert "demo done" in output, output
        assert "as the paid partner: 200, 50 profiles, plan seen by the api PAID" in output
        assert "as the expired partner: 200, 50 profiles, plan seen by the api FREE" in output
        assert "ClickHouse: 940 rows for 940 accepted events" in output
        exposed: set[str] = set()
        # The api's, the gateway's and the events' metrics are on their admin listeners.
        for port in (ports["API_ADMIN_PORT"], ports["GATEWAY_ADMIN_PORT"],
                     ports["EVENTS_ADMIN_PORT"], ports["CONSUMER_METRICS_PORT"]):  # fmt: skip
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
                exposed |= exposed_names(r.read().decode())
        referenced = referenced_names()
        assert len(referenced) >= 15
        missing = {n for n in referenced if not n.startswith(EXTERNAL)} - exposed
        assert not missing, f"referenced but not exported: {sorted(missing)}"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        finally:
            if proc.poll() is None:  # the supervisor and every role it started
                os.killpg(proc.pid, signal.SIGKILL)
            asyncio.run(drop_pg_database(db))
            asyncio.run(delete_broker_objects(prefix))
            asyncio.run(delete_api_listener_queues(AMQP, prefix + "coffee.dx"))
