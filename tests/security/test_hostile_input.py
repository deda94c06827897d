"""Issue 17 item 10: no client input gets a 500. Deep JSON (RecursionError in the decoder),
a NUL in a string PostgreSQL would store or compare, and invalid UTF-8 all get a 400 with a
message saying what is wrong: against a real `coffee api` process (PostgreSQL) and a real
`coffee events` webhook intake (RabbitMQ)."""

from __future__ import annotations

import asyncio
import base64
from urllib.parse import quote_from_bytes

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import require_port
from tests.scenarios.test_webhooks import ROUTES, WebhookIntake, _bind_queues, _delete
from tests.support.api_process import ApiProcess
from tests.support.events_harness import unique

SEARCH = "/discovery-service/api/profile/instagram/search"
SEARCH_V2 = "/discovery-service/api/v2/search"
DEEP = 50_000


def deep(levels: int = DEEP) -> bytes:
    return b"[" * levels + b"]" * levels


def deep_objects(levels: int = DEEP) -> bytes:
    return b'{"a":' * levels + b"1" + b"}" * levels


def in_filter(raw_value: bytes) -> bytes:
    return b'{"filters":[{"filterType":"EQ","field":"city","value":' + raw_value + b"}]}"


# (method, path, signed): every api endpoint that decodes a JSON body.
JSON_ENDPOINTS = [
    ("POST", SEARCH, True),
    ("POST", SEARCH_V2, True),
    ("PUT", "/discovery-service/api/profile/1", True),
    ("POST", "/identity-service/api/auth/login", False),
    ("POST", "/identity-service/api/users", True),
    ("POST", "/partner-service/api/partner", True),
    ("POST", "/partner-service/api/partner/1/contracts", True),
    ("PUT", "/partner-service/api/contract/1", True),
]


@pytest.fixture(scope="module")
def api():
    for name, port in (("PostgreSQL", 5432), ("Redis", 6379), ("RabbitMQ", 5672)):
        require_port(name, "127.0.0.1", port)
    key = base64.b64encode(b"hostile-input-test-key-0123456789").decode()
    with ApiProcess({"HMAC_SECRET": key}) as proc:
        yield proc


def call(api: ApiProcess, method: str, path: str, body: bytes, signed: bool = True):
    status, _, answer = api.request(method, path, body, signed=signed)
    return status, answer


def assert_400(status: int, answer: object, needle: str) -> None:
    assert status == 400, answer
    assert isinstance(answer, dict), answer
    message = answer["status"]["message"]
    assert needle in message.lower(), message


@pytest.mark.parametrize(("method", "path", "signed"), JSON_ENDPOINTS)
@pytest.mark.parametrize(
    "body", [deep(), deep_objects(), in_filter(deep())], ids=["arrays", "objects", "in-a-filter"]
)
def test_deep_json_is_400_in_every_api_body(api, method, path, signed, body):
    status, answer = call(api, method, path, body, signed)
    # A typed decoder may refuse the body for its type (an array, an unknown field) before any
    # depth is reached: any clear 400 will do there; the search bodies reach the depth.
    assert_400(status, answer, "nested" if "search" in path and body[:1] == b"{" else "")


@pytest.mark.parametrize(("method", "path", "signed"), JSON_ENDPOINTS)
def test_invalid_utf8_in_a_body_is_400(api, method, path, signed):
    status, answer = call(api, method, path, b'{"email":"\xff\xfe","name":"\xc3("}', signed)
    assert_400(status, answer, "utf-8")


def test_nul_at_every_position_of_a_search_filter_value_is_400(api):
    text = "Mumbai"
    for i in range(len(text) + 1):
        value = text[:i] + "\x00" + text[i:]
        for field, kind in (
            ("city", "EQ"),
            ("country", "NEQ"),
            ("text", "LIKE"),
            ("category", "IN"),
        ):
            raw = orjson.dumps([value] if kind == "IN" else value)
            body = b'{"filters":[{"filterType":"%s","field":"%s","value":%s}]}' % (
                kind.encode(),
                field.encode(),
                raw,
            )
            for path in (SEARCH, SEARCH_V2):
                status, answer = call(api, "POST", path, body)
                assert_400(status, answer, "nul")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "/discovery-service/api/profile/1", b'{"city":"Pu\\u0000ne"}'),
        ("POST", "/identity-service/api/auth/login", b'{"email":"a\\u0000@x.io","password":"p"}'),
        ("POST", "/identity-service/api/users", b'{"email":"\\u0000","name":"n","password":"p"}'),
        ("POST", "/partner-service/api/partner", b'{"name":"\\u0000"}'),
    ],
)
def test_nul_in_any_stored_or_compared_string_is_400(api, method, path, body):
    signed = "auth/login" not in path
    status, answer = call(api, method, path, body, signed)
    assert_400(status, answer, "nul")


def test_an_escaped_backslash_before_u0000_is_not_a_nul(api):
    body = in_filter(orjson.dumps("back\\u0000slash"))  # the text `\u0000`, not a NUL
    status, answer = call(api, "POST", SEARCH, body)
    assert status == 200, answer


@pytest.mark.parametrize(
    "target",
    [
        "/discovery-service/api/profile/instagram/byhandle/a%00b",
        "/discovery-service/api/profile/instagram/byhandle/%FF%FE",
        "/discovery-service/api/profile/instagram/a%00b",
        "/discovery-service/api/profile/instagram/%C3%28/audience",
        "/discovery-service/api/profile/%00/search",
        "/discovery-service/api/profile/%FF/search",
        SEARCH + "?sortBy=%00",
        SEARCH + "?cursor=%FF",
        SEARCH + "?sortDir=%C3%28",
        "/identity-service/api/session/a%00b",
        "/identity-service/api/session/%FF",
    ],
)
def test_nul_and_invalid_utf8_in_paths_and_queries_are_never_500(api, target):
    method = "POST" if "search" in target else "GET"
    status, answer = call(api, method, target, b'{"filters":[]}', "session" not in target)
    assert status < 500, (status, answer)
    if "%00" in target:
        assert status in (400, 404), answer


# -- property: JSON-ish garbage --------------------------------------------------------------
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**64 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=20),
)
_json = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


PROPERTY = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}


@st.composite
def jsonish(draw: st.DrawFn) -> bytes:
    """A JSON document (often a search body), then maybe cut, spliced with bytes that are not
    UTF-8 or JSON, wrapped in deep nesting, or given a NUL escape."""
    if draw(st.booleans()):
        filters = draw(st.lists(st.fixed_dictionaries({
            "filterType": st.sampled_from(["EQ", "IN", "RANGE", "LIKE", "GT", "x"]),
            "field": st.sampled_from(["city", "country", "followers", "text", "platform", "x"]),
            "value": _json,
        }), max_size=3))  # fmt: skip
        doc = orjson.dumps({"filters": filters})
    else:
        doc = orjson.dumps(draw(_json))
    mutations = ["none", "cut", "splice", "deep", "nul", "deep-value", "nul-value"]
    mutation = draw(st.sampled_from(mutations))
    if mutation == "cut" and doc:
        doc = doc[: draw(st.integers(0, len(doc) - 1))]
    elif mutation == "splice":
        at = draw(st.integers(0, len(doc)))
        doc = doc[:at] + draw(st.binary(min_size=1, max_size=6)) + doc[at:]
    elif mutation == "deep":
        levels = draw(st.integers(500, 60_000))
        doc = b"[" * levels + doc + b"]" * draw(st.sampled_from([levels, 0]))
    elif mutation == "deep-value":  # deep where the search's `Any` value lets it through
        levels = draw(st.integers(500, 60_000))
        doc = in_filter(deep(levels))
    elif mutation == "nul-value":
        text = draw(st.text(max_size=10))
        at = draw(st.integers(0, len(text)))
        doc = in_filter(orjson.dumps(text[:at] + "\x00" + text[at:]))
    elif mutation == "nul":
        doc = doc.replace(b'"', b'"\\u0000', 1) if b'"' in doc else doc
    return doc


@settings(max_examples=300, **PROPERTY)
@given(body=jsonish(), endpoint=st.sampled_from(JSON_ENDPOINTS))
def test_jsonish_garbage_never_gets_a_500_from_the_api(api, body, endpoint):
    method, path, signed = endpoint
    status, answer = call(api, method, path, body, signed)
    assert status < 500, (status, answer, body[:200])


_QUERY_NAMES = st.sampled_from(["cursor", "size", "sortBy", "sortDir", "q", "x"])


@settings(max_examples=200, **PROPERTY)
@given(
    params=st.lists(st.tuples(_QUERY_NAMES, st.binary(max_size=12)), max_size=4),
    segment=st.binary(min_size=1, max_size=12),
)
def test_garbage_in_queries_and_path_segments_never_gets_a_500_from_the_api(api, params, segment):
    query = "&".join(f"{name}={quote_from_bytes(value)}" for name, value in params)
    piece = quote_from_bytes(segment, safe="")
    for method, target in (
        ("POST", f"{SEARCH}?{query}"),
        ("POST", f"/discovery-service/api/profile/{piece}/search?{query}"),
        ("GET", f"/discovery-service/api/profile/instagram/byhandle/{piece}"),
        ("GET", f"/discovery-service/api/profile/instagram/{piece}/content?{query}"),
    ):
        status, answer = call(api, method, target, b'{"filters":[]}')
        assert status < 500, (status, answer, target)


# -- the webhooks ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def intake(tmp_path_factory):
    require_port("RabbitMQ", "127.0.0.1", 5672)
    prefix = unique("coffee_test_hostile") + "."
    asyncio.run(_bind_queues(prefix))
    proc = WebhookIntake(prefix, str(tmp_path_factory.mktemp("wal")))
    try:
        yield proc
    finally:
        proc.stop()
        asyncio.run(_delete(prefix))


WEBHOOK_PATHS = sorted({path for path, _, _ in ROUTES})


@pytest.mark.parametrize("path", WEBHOOK_PATHS)
@pytest.mark.parametrize(
    ("body", "needle"),
    [(deep(), b"nested"), (deep_objects(), b"nested"), (b'{"name":"\xff"}', b"utf-8")],
    ids=["arrays", "objects", "utf8"],
)
def test_deep_json_and_invalid_utf8_webhooks_are_400(intake, path, body, needle):
    status, answer, _ = intake.call(path, body)
    assert status == 400, answer
    assert needle in answer.lower(), answer


@settings(max_examples=200, **PROPERTY)
@given(body=jsonish(), path=st.sampled_from(WEBHOOK_PATHS))
def test_jsonish_garbage_never_gets_a_500_from_the_webhooks(intake, body, path):
    status, answer, _ = intake.call(path, body)
    assert 0 < status < 500, (status, answer, body[:200])
