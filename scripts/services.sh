#!/usr/bin/env bash
# Makes sure the backing servers the tests and the platform use are up on loopback:
# PostgreSQL (5432, trust), Redis (6379) and RabbitMQ (5672, guest/guest). A server that is
# installed but stopped is started; one that is missing is installed from Debian first.
# ClickHouse needs no server: chdb runs it in-process unless CLICKHOUSE_URL names one.
set -euo pipefail

wait_for() {  # wait_for NAME SECONDS COMMAND...
  local name=$1 secs=$2; shift 2
  for _ in $(seq "$secs"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  echo "ERROR: $name did not come up within ${secs}s" >&2
  return 1
}

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  [ -n "${_apt_updated:-}" ] || { apt-get update -qq; _apt_updated=1; }
  apt-get install -y -qq --no-install-recommends "$@"
}

ensure_redis() {
  command -v redis-cli >/dev/null || apt_install redis-server
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && return 0
  echo "starting redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for redis 30 redis-cli -h 127.0.0.1 -p 6379 ping
}

ensure_postgres() {
  command -v pg_ctlcluster >/dev/null || apt_install postgresql
  pg_isready -q -h 127.0.0.1 -p 5432 && return 0
  echo "starting postgresql"
  local version
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  local hba="/etc/postgresql/$version/main/pg_hba.conf"
  # Tests connect as postgres over loopback without a password, as on the CI machines.
  if ! grep -qE '^host\s+all\s+all\s+127\.0\.0\.1/32\s+trust' "$hba"; then
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  wait_for postgresql 60 pg_isready -q -h 127.0.0.1 -p 5432
}

ensure_rabbitmq() {
  command -v rabbitmq-server >/dev/null || apt_install rabbitmq-server
  rabbitmq-diagnostics -q check_port_connectivity >/dev/null 2>&1 && return 0
  echo "starting rabbitmq"
  rabbitmq-server -detached || true
  wait_for rabbitmq 120 rabbitmq-diagnostics -q check_port_connectivity
}

ensure_redis
ensure_postgres
ensure_rabbitmq
echo "services up: postgresql:5432 redis:6379 rabbitmq:5672"
