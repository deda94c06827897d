"""Q2: a handler runs past SERVER_TIMEOUT: 504, both sessions rolled back, nothing written to
either database, the error in Sentry with the body redacted, the slow log written, and the pool
still healthy after a burst of timed-out requests."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import orjson
import pytest

from tests.conftest import require_port
from tests.scenarios.api_fixtures import insert_profiles
from tests.support.api_process import ApiProcess
from tests.support.sentry_sink import SentrySink

POOL_MAX = 3


@pytest.fixture(scope="module")
def sentry():
    with SentrySink() as sink:
        yield sink


@pytest.fixture(scope="module")
def api(sentry):
    require_port("PostgreSQL", "127.0.0.1", 5432)
    env = {
        "SERVER_TIMEOUT": "1",
        "SLOW_REQUEST_THRESHOLD": "0.5",
        "PG_POOL_MIN": "1",
        "PG_POOL_MAX": str(POOL_MAX),
        "SENTRY_DSN": sentry.dsn,
    }
    with ApiProcess(env) as proc:
        insert_profiles(proc, 3)
        yield proc


def sleep_request(api: ApiProcess, pid: int = 1) -> tuple[int, dict]:
    body = {"password": "hunter2", "token": "tok-123", "note": "keep me"}
    status, _, answer = api.request(
        "POST", f"/test-service/api/profile/{pid}/then-sleep?seconds=30", body
    )
    return status, answer


def test_timeout_answers_504_and_writes_nothing(api, sentry):
    status, body = sleep_request(api)
    assert status == 504
    assert body["status"]["status"] == "ERROR"
    assert "SERVER_TIMEOUT" in body["status"]["message"]
    # PostgreSQL: the update, the outbox row and the held ClickHouse rows were rolled back.
    assert api.sql("SELECT followers FROM profiles WHERE id = 1")[0]["followers"] == 1000
    assert api.sql("SELECT count(*) AS n FROM outbox")[0]["n"] == 0
    assert api.sql("SELECT count(*) AS n FROM ch_pending")[0]["n"] == 0
    # ClickHouse: the growth point the handler recorded never arrived.
    status, _, ts = api.request("GET", "/discovery-service/api/profile/instagram/pp1/timeseries")
    assert status == 200
    assert all(p["followers"] != 424242 for p in ts["timeseries"])
    # The connection is back in the pool and not left in a transaction on the server.
    stuck = api.sql(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 "
        "AND pid <> pg_backend_pid() AND (state LIKE 'idle in transaction%' "
        "OR query LIKE '%pg_sleep%' AND state = 'active')",
        api.db,
    )
    assert stuck[0]["n"] == 0


def test_timeout_is_reported_to_sentry_with_the_body_redacted(api, sentry):
    sleep_request(api, 2)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not any(b"then-sleep" in e for e in sentry.envelopes):
        time.sleep(0.2)
    events = [e for e in sentry.envelopes if b"then-sleep" in e]
    assert events, "no Sentry event arrived"
    event = events[-1]
    assert b"hunter2" not in event and b"tok-123" not in event
    assert b"[redacted]" in event and b"keep me" in event
    assert b'"partner_id":"11"' in event.replace(b" ", b"")


def test_slow_request_is_logged_as_json(api):
    lines = [ln for ln in api.output().splitlines() if '"slow_request"' in ln]
    assert lines
    entry = orjson.loads(lines[-1])
    assert entry["method"] == "POST"
    assert entry["path"].startswith("/test-service/api/profile/")
    assert entry["tenant"]["partnerId"] == "11"
    assert entry["duration_ms"] >= 500
    assert entry["body"]["password"] == "[redacted]"
    assert entry["body"]["note"] == "keep me"


def test_pool_survives_a_burst_of_timeouts(api):
    burst = POOL_MAX * 3
    with ThreadPoolExecutor(burst) as pool:
        statuses = list(pool.map(lambda _: sleep_request(api, 3)[0], range(burst)))
    # Each either timed out in its handler (504) or never got a connection in time (503).
    assert set(statuses) <= {503, 504}
    assert 504 in statuses
    # Right after the burst every request is served: no connection leaked or stuck.
    for _ in range(POOL_MAX * 4):
        status, _, body = api.request(
            "POST", "/discovery-service/api/profile/instagram/search", {"filters": []}
        )
        assert status == 200, body
    assert api.sql("SELECT followers FROM profiles WHERE id = 3")[0]["followers"] == 3000
