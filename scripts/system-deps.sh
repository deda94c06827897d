#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks to build and test Coffee: a Python with venv and
# headers, a C compiler (ring and other crates build C), and a Rust toolchain.
set -euo pipefail

need=()
command -v cc >/dev/null || need+=(build-essential)
command -v pkg-config >/dev/null || need+=(pkg-config)
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
python3 -c 'import sysconfig, os, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_path("include"), "Python.h")))' \
  || need+=(python3-dev)
command -v cargo >/dev/null || need+=(cargo rustc)
command -v curl >/dev/null || need+=(curl)
# bench/gateway.py measures the gateway side by side with nginx, driven by wrk.
command -v nginx >/dev/null || need+=(nginx-light)
command -v wrk >/dev/null || need+=(wrk)
# bench/ingest.py drives the gRPC intake with h2load (a C load generator) besides grpcio clients.
command -v h2load >/dev/null || need+=(nghttp2-client)
# tests/unit/test_alert_rules.py runs promtool (ops/alerts.yml and its unit tests).
command -v promtool >/dev/null || need+=(prometheus)
# tests publish a message without a message id with amqp-publish (aio-pika always sets one).
command -v amqp-publish >/dev/null || need+=(amqp-tools)

if [ ${#need[@]} -gt 0 ]; then
  echo "installing from Debian: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
  # Only promtool is wanted from `prometheus`: where systemd runs, the package also starts a
  # Prometheus server (port 9090); stop it and keep it off.
  if [[ " ${need[*]} " == *" prometheus "* ]] && command -v systemctl >/dev/null; then
    systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
fi
