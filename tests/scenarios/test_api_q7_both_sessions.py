"""Q7: one request writes PostgreSQL and ClickHouse; commit keeps both, an error keeps neither."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from tests.conftest import require_port
from tests.scenarios.api_fixtures import insert_profiles
from tests.support.api_process import ApiProcess


@pytest.fixture(scope="module")
def api():
    require_port("PostgreSQL", "127.0.0.1", 5432)
    require_port("RabbitMQ", "127.0.0.1", 5672)
    with ApiProcess() as proc:
        insert_profiles(proc, 4)
        yield proc


def growth(api: ApiProcess, pid: int) -> list[dict]:
    status, _, body = api.request(
        "GET", f"/discovery-service/api/profile/instagram/pp{pid}/timeseries"
    )
    assert status == 200, body
    return body["timeseries"]


def test_commit_writes_both_databases_and_the_outbox(api):
    status, _, body = api.request("PUT", "/discovery-service/api/profile/1", {"followers": 5555})
    assert status == 200, body
    assert body["profile"]["followers"] == 5555
    assert api.sql("SELECT followers FROM profiles WHERE id = 1")[0]["followers"] == 5555
    today = dt.date.today().isoformat()
    assert {"date": today, "followers": 5555} in growth(api, 1)
    events = api.sql("SELECT routing_key, payload FROM outbox")
    assert [(e["routing_key"], e["payload"]["profileId"]) for e in events] == [
        ("profile_updated", 1)
    ]
    # The held ClickHouse write was sent after the commit and its PostgreSQL copy removed.
    assert api.sql("SELECT count(*) AS n FROM ch_pending")[0]["n"] == 0


def test_error_after_both_writes_leaves_neither(api):
    before = growth(api, 2)
    status, _, body = api.request("POST", "/test-service/api/profile/2/then-fail", {})
    assert status == 500
    assert body == {"status": {"status": "ERROR", "message": "internal error: nothing was saved"}}
    row = api.sql("SELECT followers, category FROM profiles WHERE id = 2")[0]
    assert (row["followers"], row["category"]) == (2000, "fashion")
    assert growth(api, 2) == before
    assert not any(p["followers"] == 131313 for p in growth(api, 2))
    assert (
        api.sql("SELECT count(*) AS n FROM outbox WHERE payload->>'profileId' = '2'")[0]["n"] == 0
    )
    assert api.sql("SELECT count(*) AS n FROM ch_pending")[0]["n"] == 0


def test_a_refused_request_rolls_back_too(api):
    # 400 from validation after nothing was written; the same path as any error status.
    status, _, body = api.request("PUT", "/discovery-service/api/profile/3", {"followers": -1})
    assert status == 400
    assert body["status"]["status"] == "ERROR"
    assert api.sql("SELECT followers FROM profiles WHERE id = 3")[0]["followers"] == 3000


def test_clickhouse_failing_after_the_commit_loses_nothing(api):
    """The PostgreSQL commit succeeded, the ClickHouse insert after it failed (its table is
    missing): the write waits in ch_pending and the relay sends it, once, when ClickHouse can
    take it."""
    status, _, body = api.request("POST", "/test-service/api/late-table/write", {})
    assert status == 200, body
    assert api.sql("SELECT bio FROM profiles WHERE id = 1")[0]["bio"] == "late"
    assert api.sql("SELECT count(*) AS n FROM ch_pending")[0]["n"] == 1
    assert api.metric("coffee_api_clickhouse_flush_failures_total") >= 1
    status, _, body = api.request("POST", "/test-service/api/late-table/create", {})
    assert status == 200
    deadline = time.monotonic() + 30
    while api.sql("SELECT count(*) AS n FROM ch_pending")[0]["n"] and time.monotonic() < deadline:
        time.sleep(0.3)
    assert api.sql("SELECT count(*) AS n FROM ch_pending")[0]["n"] == 0
    _, _, body = api.request("POST", "/test-service/api/late-table/create", {})
    assert body["count"] == 1
