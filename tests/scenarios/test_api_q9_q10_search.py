"""Q9 (huge page/size, a search without platform) and Q10 (v1 and v2 side by side, heartbeat
drain), plus the tenant rules every request goes through (gateway signature, FREE plan)."""

from __future__ import annotations

import time

import pytest
from coffee.infra import tenant_signature

from tests.conftest import require_port
from tests.scenarios.api_fixtures import insert_profiles
from tests.support.api_process import SECRET, ApiProcess, basic_user

V1 = "/discovery-service/api/profile/instagram/search"
V2 = "/discovery-service/api/v2/search"


@pytest.fixture(scope="module")
def api():
    require_port("PostgreSQL", "127.0.0.1", 5432)
    with ApiProcess({"SEARCH_COUNT_CAP": "200"}) as proc:
        insert_profiles(proc, 250)
        insert_profiles(proc, 5, platform="youtube", start=1001)
        yield proc


def test_pages_are_cut_in_sql_and_counted_exactly(api):
    status, _, body = api.request("POST", V1 + "?cursor=2&size=100", {"filters": []})
    assert status == 200, body
    assert len(body["profiles"]) == 100
    # 250 match: counted up to the cap (200 here), then reported as capped.
    assert body["status"]["filteredCount"] == 200
    assert body["status"]["filteredCountCapped"] is True
    assert body["status"]["hasNextPage"] is True
    assert body["status"]["nextCursor"] == "3"
    # Default order: id descending; page 2 starts at the 101st.
    assert body["profiles"][0]["id"] == 150
    status, _, body = api.request("POST", V1 + "?cursor=3&size=100", {"filters": []})
    assert len(body["profiles"]) == 50
    assert body["status"]["hasNextPage"] is False
    assert body["status"]["nextCursor"] is None


def test_filters_and_sort(api):
    filters = [
        {"filterType": "EQ", "field": "category", "value": "fashion"},
        {"filterType": "RANGE", "field": "followers", "value": {"min": 10000, "max": 20000}},
    ]
    status, _, body = api.request(
        "POST", V1 + "?sortBy=followers&sortDir=ASC&size=3", {"filters": filters}
    )
    assert status == 200, body
    assert [p["followers"] for p in body["profiles"]] == [10000, 12000, 14000]
    assert body["status"]["filteredCount"] == 6
    assert body["status"]["filteredCountCapped"] is False
    fashion = [{"filterType": "EQ", "field": "category", "value": "fashion"}]
    status, _, body = api.request("POST", V1 + "?size=10&cursor=13", {"filters": fashion})
    assert body["status"]["filteredCount"] == 125  # exact below the cap
    assert [p["id"] for p in body["profiles"]] == [10, 8, 6, 4, 2]
    assert body["status"]["hasNextPage"] is False
    none = [{"filterType": "EQ", "field": "category", "value": "knitting"}]
    status, _, body = api.request("POST", V1, {"filters": none})
    assert status == 200
    assert body["profiles"] == []
    assert body["status"]["filteredCount"] == 0
    text = [{"filterType": "LIKE", "field": "text", "value": "creator_24"}]
    status, _, body = api.request("POST", V1, {"filters": text})
    assert sorted(p["id"] for p in body["profiles"]) == [
        24,
        240,
        241,
        242,
        243,
        244,
        245,
        246,
        247,
        248,
        249,
    ]


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        ("?cursor=1001", "between 1 and 1000"),
        ("?cursor=0", "between 1 and 1000"),
        ("?size=101", "between 1 and 100"),
        ("?size=1000000", "between 1 and 100"),
        ("?cursor=abc", "integer"),
        ("?sortBy=email", "sortBy"),
        ("?sortDir=sideways", "sortDir"),
    ],
)
def test_out_of_range_parameters_get_400_naming_the_cap(api, query, needle):
    status, _, body = api.request("POST", V1 + query, {"filters": []})
    assert status == 400
    assert body["status"]["status"] == "ERROR"
    assert needle in body["status"]["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"filters": []},
        {"filters": [{"filterType": "EQ", "field": "category", "value": "food"}]},
        {},
    ],
)
def test_search_without_platform_is_refused(api, body):
    status, _, answer = api.request("POST", V2, body)
    assert status == 400
    assert answer["status"]["message"] == "a platform filter is required"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        {"filters": [{"filterType": "EQ", "field": "password", "value": 1}]},
        {"filters": [{"filterType": "DROP", "field": "followers", "value": 1}]},
        {"filters": [{"filterType": "GT", "field": "followers", "value": "many"}]},
        {"filters": [{"filterType": "IN", "field": "country", "value": []}]},
    ],
)
def test_bad_filters_get_400(api, body):
    status, _, answer = api.request("POST", V1, body)
    assert status == 400
    assert answer["status"]["status"] == "ERROR"


def test_unknown_platform_in_path_is_400(api):
    status, _, _body = api.request("POST", "/discovery-service/api/profile/myspace/search", {})
    assert status == 400


def test_v1_and_v2_side_by_side(api):
    platform = {"filterType": "EQ", "field": "platform", "value": "youtube"}
    s2, _, v2 = api.request("POST", V2 + "?size=10", {"filters": [platform]})
    s1, _, v1 = api.request("POST", "/discovery-service/api/profile/youtube/search?size=10", {})
    assert (s1, s2) == (200, 200)
    assert [p["id"] for p in v1["profiles"]] == [p["id"] for p in v2["data"]["items"]]
    assert [p["id"] for p in v1["profiles"]] == [1005, 1004, 1003, 1002, 1001]
    assert v2["data"]["size"] == 10
    assert "data" not in v1


def test_free_plan_never_sees_premium_fields(api):
    _, _, paid = api.request("POST", V1 + "?size=1", {}, plan="PAID")
    assert {"email", "phone", "audience"} <= set(paid["profiles"][0])
    _, _, free = api.request("POST", V1 + "?size=1", {}, plan="FREE")
    assert not {"email", "phone", "audience"} & set(free["profiles"][0])
    _, _, free = api.request("GET", "/discovery-service/api/profile/1", plan="FREE")
    assert "email" not in free["profile"]
    _, _, aud = api.request(
        "GET", "/discovery-service/api/profile/instagram/pp1/audience", plan="FREE"
    )
    assert "audience" not in aud
    _, _, aud = api.request("GET", "/discovery-service/api/profile/instagram/pp1/audience")
    assert aud["audience"] == {"gender": {"female": 60}}


def test_a_profile_has_one_shape_in_search_and_by_id(api):
    api.sql(
        "UPDATE profiles SET engagement_rate = 0.04567, "
        "updated_at = '2026-01-02 03:04:05.678+00' WHERE id = 7"
    )
    _, _, found = api.request("POST", V1 + "?size=100&cursor=3", {"filters": []})
    (searched,) = [p for p in found["profiles"] if p["id"] == 7]
    _, _, by_id = api.request("GET", "/discovery-service/api/profile/7")
    assert (
        searched
        == by_id["profile"]
        == {
            "id": 7,
            "platform": "instagram",
            "platformProfileId": "pp7",
            "handle": "creator_7",
            "name": "Creator 7",
            "bio": "",
            "category": "food",
            "country": "IN",
            "city": "",
            "followers": 7000,
            "engagementRate": 0.0457,
            "updatedAt": 1767323045678,
            "email": "c7@example.com",
            "phone": "+91007",
            "audience": {"gender": {"female": 60}},
        }
    )
    _, _, free = api.request("GET", "/discovery-service/api/profile/7", plan="FREE")
    assert free["profile"] == {
        k: v for k, v in searched.items() if k not in ("email", "phone", "audience")
    }


def test_heartbeat_drain_and_back(api):
    assert api.request("GET", "/heartbeat/", signed=False)[0] == 200
    assert api.request("PUT", "/heartbeat/?beat=false", signed=False, admin=True)[0] == 200
    assert api.request("GET", "/heartbeat/", signed=False)[0] == 410
    # Draining only tells the load balancer; requests already routed here are still served.
    assert api.request("POST", V1, {})[0] == 200
    assert api.request("PUT", "/heartbeat/?beat=maybe", signed=False, admin=True)[0] == 400
    assert api.request("PUT", "/heartbeat/?beat=true", signed=False, admin=True)[0] == 200
    assert api.request("GET", "/heartbeat/", signed=False)[0] == 200


def _signed_headers(path: str, **changes: object) -> dict[str, str]:
    values: dict[str, object] = {
        "method": "POST",
        "path": path,
        "partner": "11",
        "plan": "PAID",
        "auth": basic_user(),
        "ts": int(time.time()),
        "secret": SECRET.encode(),
    }
    values.update(changes)
    sig = tenant_signature.sign(
        values["secret"],
        values["method"],
        values["path"],
        values["partner"],  # type: ignore[arg-type]
        values["plan"],
        values["auth"],
        values["ts"],  # type: ignore[arg-type]
    )
    return {
        "x-bb-partner-id": "11",
        "x-bb-plan-type": "PAID",
        "authorization": basic_user(),
        tenant_signature.TIMESTAMP_HEADER: str(values["ts"]),
        tenant_signature.SIGNATURE_HEADER: sig,
    }


@pytest.mark.parametrize(
    "headers",
    [
        {},  # straight to the api, no gateway
        _signed_headers(V1, partner="99"),  # tenant header changed after signing
        _signed_headers(V1, plan="FREE"),
        _signed_headers(V1, secret=b"guessed"),
        _signed_headers(V1, ts=int(time.time()) - 3600),  # replayed an hour later
        _signed_headers("/discovery-service/api/v2/search"),  # signed for another path
    ],
)
def test_requests_without_a_valid_gateway_signature_get_401(api, headers):
    status, _, body = api.request("POST", V1, {}, signed=False, headers=headers)
    assert status == 401
    assert body["status"]["status"] == "ERROR"


def test_openapi_document_is_served(api):
    status, _, doc = api.request("GET", "/schema/openapi.json", signed=False)
    assert status == 200
    assert V2 in doc["paths"]


def test_a_body_past_the_limit_gets_413(api):
    status, _, body = api.request("POST", V1, b"{" + b" " * (2 << 20) + b"}")
    assert status == 413
    assert "larger than" in body["status"]["message"]


def test_a_signed_request_is_accepted_once_and_only_with_its_query_and_body(api):
    """Issue 17 item 9: the signature covers query and body, and its nonce is single use."""
    body = b'{"filters":[]}'
    headers = api.headers("POST", V1 + "?page=1&size=5", body=body)
    status, _, _ = api.request("POST", V1 + "?page=1&size=5", body, signed=False, headers=headers)
    assert status == 200
    replayed, _, _ = api.request("POST", V1 + "?page=1&size=5", body, signed=False, headers=headers)
    assert replayed == 401  # the same nonce inside the skew window
    fresh = api.headers("POST", V1 + "?page=1&size=5", body=body)
    other_query, _, _ = api.request(
        "POST", V1 + "?page=2&size=5", body, signed=False, headers=fresh
    )
    assert other_query == 401
    fresh = api.headers("POST", V1 + "?page=1&size=5", body=body)
    other_body, _, _ = api.request(
        "POST", V1 + "?page=1&size=5", b"{}", signed=False, headers=fresh
    )
    assert other_body == 401
