"""Gateway vs nginx, side by side in one run, with wrk.

Starts a fixed upstream (nginx answering a small JSON, one worker), nginx as a plain reverse
proxy to it (one worker, keep-alive upstream), and `coffee gateway` (one worker) doing the
full path on every request: JWT HS256 verify via the L1 claims cache, L1 session hit, contract
-> plan, rate-limit lease, header rewrite and signature, proxy on a pooled connection. wrk
drives each with the same connections, duration and request; the runs alternate
(nginx, gateway, nginx, gateway, ...) and each side keeps its best run.

Needs `nginx` and `wrk` (Debian packages nginx-light and wrk) and Redis on 127.0.0.1:6379.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from coffee._native import JwtSigner

from bench._net import free_port, wait_port

CONNECTIONS = 32
PATH = "/discovery-service/api/search?q=coffee"


def _nginx_conf(workdir: Path, name: str, body: str) -> Path:
    conf = workdir / f"{name}.conf"
    conf.write_text(
        "worker_processes 1;\ndaemon off;\n"
        f"pid {workdir}/{name}.pid;\nerror_log {workdir}/{name}.err warn;\n"
        "events { worker_connections 4096; }\n"
        f"http {{\n access_log off;\n client_body_temp_path {workdir}/{name}-body;\n"
        f" proxy_temp_path {workdir}/{name}-proxy;\n{body}\n}}\n"
    )
    return conf


class _Partner(BaseHTTPRequestHandler):
    """The partner service's `GET /partner/{id}`: one SAAS contract valid for a day."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        return

    def do_GET(self) -> None:
        now = int(time.time() * 1000)
        pid = int(self.path.rstrip("/").rsplit("/", 1)[-1] or 0)
        contract = {
            "id": 1,
            "partnerId": pid,
            "contractType": "SAAS",
            "status": "ACTIVE",
            "plan": "SAAS",
            "startTime": now - 60_000,
            "endTime": now + 86_400_000,
        }
        body = json.dumps(
            {"status": {"type": "SUCCESS"}, "partners": [{"id": pid, "contracts": [contract]}]}
        ).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _wrk(port: int, seconds: int, headers: dict[str, str]) -> dict[str, float]:
    cmd = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    out = subprocess.run(
        [*cmd, f"http://127.0.0.1:{port}{PATH}"], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {
        "rps": rps,
        "p99_ms": float(p99.group(1)) * scale,  # type: ignore[union-attr]
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": bool(errors),
    }


def run(quick: bool, progress: Callable[[str], None]) -> dict:
    for tool in ("nginx", "wrk"):
        if shutil.which(tool) is None:
            raise SystemExit(f"bench gateway needs {tool}: apt-get install nginx-light wrk")
    seconds, rounds = (4, 2) if quick else (10, 3)
    procs: list[subprocess.Popen] = []
    work = Path(tempfile.mkdtemp(prefix="coffee-bench-gw-"))
    partner = ThreadingHTTPServer(("127.0.0.1", 0), _Partner)
    threading.Thread(target=partner.serve_forever, daemon=True).start()
    try:
        up_port, px_port, gw_port = free_port(), free_port(), free_port()
        up_conf = _nginx_conf(
            work,
            "upstream",
            (
                f" server {{ listen 127.0.0.1:{up_port} backlog=4096; keepalive_requests 1000000;\n"
                "  location / { default_type application/json; return 200 '{\"ok\":true}'; } }"
            ),
        )
        px_conf = _nginx_conf(
            work,
            "proxy",
            (
                f" upstream up {{ server 127.0.0.1:{up_port}; keepalive 64; }}\n"
                f" server {{ listen 127.0.0.1:{px_port} backlog=4096; keepalive_requests 1000000;\n"
                "  location / { proxy_pass http://up; proxy_http_version 1.1;\n"
                '   proxy_set_header Connection ""; } }'
            ),
        )
        for conf in (up_conf, px_conf):
            procs.append(subprocess.Popen(["nginx", "-c", str(conf)], stderr=subprocess.DEVNULL))
        routes = work / "routes.toml"
        routes.write_text(
            '[services]\n"discovery-service" = { upstream = "saas" }\n'
            "[plans.SAAS]\nrate = 1e9\nburst = 1000000000\n"
        )
        key = os.urandom(32)
        env = {
            **os.environ,
            "PORT": str(gw_port),
            "GATEWAY_ADMIN_PORT": str(free_port()),
            "HOST": "127.0.0.1",
            "HMAC_SECRET": base64.b64encode(key).decode(),
            "SAAS_URL": f"http://127.0.0.1:{up_port}",
            "IDENTITY_URL": "http://127.0.0.1:9",
            "PARTNER_URL": f"http://127.0.0.1:{partner.server_address[1]}",
            "GATEWAY_ROUTES_FILE": str(routes),
            "GATEWAY_SIGNATURE_SECRET": "bench",
            "LOG_LEVEL": "warning",
            "HEARTBEAT_START": "true",
        }
        gateway = subprocess.Popen(
            [sys.executable, "-m", "coffee.cli", "gateway"], env=env, stdout=subprocess.DEVNULL
        )
        procs.append(gateway)
        for port in (up_port, px_port, gw_port):
            wait_port(port)
        sid = f"bench-{uuid.uuid4().hex}"
        _redis_set_session(sid)
        token = JwtSigner(key, "HS256").sign(
            {
                "sid": sid,
                "uid": 7,
                "userAccountId": 70,
                "partnerId": 11,
                "exp": int(time.time()) + 3600,
            }
        )
        headers = {"x-bb-clientid": "bench", "authorization": f"Bearer {token}"}
        check = subprocess.run(
            [
                "curl",
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                *(arg for k, v in headers.items() for arg in ("-H", f"{k}: {v}")),
                f"http://127.0.0.1:{gw_port}{PATH}",
            ],
            capture_output=True,
            text=True,
        )
        if check.stdout != "200":
            raise RuntimeError(f"the gateway answered {check.stdout} to the bench request")
        results: dict[str, list[dict[str, float]]] = {"nginx": [], "gateway": []}
        for i in range(rounds):
            for name, port in (("nginx", px_port), ("gateway", gw_port)):
                progress(f"round {i + 1}/{rounds}: {name} ({seconds}s, {CONNECTIONS} conns)")
                results[name].append(_wrk(port, seconds, headers))
        best = {name: max(runs, key=lambda r: r["rps"]) for name, runs in results.items()}
        ngx, gw = best["nginx"], best["gateway"]
        return {
            "nginx": {"rps": round(ngx["rps"]), "p99_ms": ngx["p99_ms"]},
            "gateway": {"rps": round(gw["rps"]), "p99_ms": gw["p99_ms"], "non_2xx": gw["non_2xx"]},
            "ratio": round(gw["rps"] / ngx["rps"], 3),
            "p99_budget_ms": round(2 * ngx["p99_ms"] + 1, 2),
            "met": gw["rps"] / ngx["rps"] >= 0.5
            and gw["p99_ms"] <= 2 * ngx["p99_ms"] + 1
            and gw["non_2xx"] == 0,
            # Each round ran nginx then the gateway back to back, under the same outside load:
            # the spread of these shows how much the machine's load moved the ratio.
            "pair_ratios": [
                round(g["rps"] / n["rps"], 3)
                for n, g in zip(results["nginx"], results["gateway"], strict=True)
            ],
            "runs": results,
            "setup": {
                "connections": CONNECTIONS,
                "seconds": seconds,
                "rounds": rounds,
                "cores": os.cpu_count(),
            },
        }
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM if proc is not procs[-1] else signal.SIGINT)
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        partner.shutdown()
        shutil.rmtree(work, ignore_errors=True)


def _redis_set_session(sid: str) -> None:
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2)
    client.set(f"session:{sid}", "1", ex=600)
    client.close()


def summary(result: dict) -> str:
    ngx, gw = result["nginx"], result["gateway"]
    verdict = "MET" if result["met"] else "NOT MET"
    return (
        f"nginx   {ngx['rps']:>8} req/s  p99 {ngx['p99_ms']:.2f} ms\n"
        f"gateway {gw['rps']:>8} req/s  p99 {gw['p99_ms']:.2f} ms  (non-2xx {gw['non_2xx']})\n"
        f"ratio {result['ratio']:.3f} (target >= 0.5), p99 budget {result['p99_budget_ms']} ms: "
        f"{verdict}\n"
        f"per-round ratios (same outside load within a round): {result['pair_ratios']}"
    )
