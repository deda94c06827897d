"""Pure parts of the api: tenant headers, redaction, search parameters, migrations on disk."""

from __future__ import annotations

import base64
import json
import os

import orjson
import pytest
from coffee.api import migrate
from coffee.api.envelope import ApiError
from coffee.api.modules.discovery import params as sp
from coffee.api.modules.discovery.search import search_query
from coffee.api.modules.identity.passwords import check_password, hash_password
from coffee.api.redact import MASK, redact_body
from coffee.api.settings import ApiSettings
from coffee.api.tenant import from_headers, parse_basic
from coffee.config import load


def basic(raw: str) -> str:
    return "Basic " + base64.b64encode(raw.encode()).decode()


def test_basic_user_and_device_as_the_gateway_writes_them():
    user = parse_basic(basic("7~Asha~1~70:7"))
    assert (user["user_id"], user["account_id"], user["device_id"]) == ("7", "70", None)
    device = parse_basic(basic("dev-1~dev-1~0:dev-1"))
    assert (device["user_id"], device["device_id"]) == (None, "dev-1")


@pytest.mark.parametrize("value", ["", "Bearer abc", "Basic !!!", "Basic " + "\xff", basic("")])
def test_bad_authorization_gives_an_anonymous_tenant(value):
    out = parse_basic(value)
    assert out["user_id"] is None and out["device_id"] is None


def test_plan_defaults_to_free_and_unknown_plans_are_free():
    assert from_headers({}).plan == "FREE"
    assert from_headers({"x-bb-plan-type": "paid"}).premium
    assert not from_headers({"x-bb-plan-type": "PLATINUM"}).premium


def test_redaction_masks_secret_keys_at_any_depth():
    body = orjson.dumps(
        {"password": "p", "user": {"Email": "a@b", "name": "n"}, "list": [{"apiKey": "k"}]}
    )
    out = redact_body(body)
    assert out == {
        "password": MASK,
        "user": {"Email": MASK, "name": "n"},
        "list": [{"apiKey": MASK}],
    }
    text = redact_body(b"user=a&password=hunter2&token=xyz")
    assert "hunter2" not in text and "xyz" not in text and "user=a" in text
    assert redact_body(b"") is None


def parse(query=None, body=b"{}", platform="instagram"):
    return sp.parse(query or {}, body, platform, 1000, 100)


def test_defaults_of_the_original():
    p = parse()
    assert (p.sort_by, p.sort_dir, p.page, p.size) == ("id", "DESC", 1, 50)


def test_caps_are_inclusive_and_settings():
    assert parse({"cursor": "1000", "size": "100"}).size == 100
    with pytest.raises(ApiError, match="between 1 and 10"):
        sp.parse({"cursor": "11"}, b"{}", "instagram", 10, 5)
    settings = load(ApiSettings, {"PAGE_CAP": "10", "SIZE_CAP": "5", "SERVER_TIMEOUT": "2.5"})
    assert (settings.page_cap, settings.size_cap, settings.server_timeout) == (10, 5, 2.5)


def test_values_never_reach_sql_text():
    body = orjson.dumps(
        {"filters": [{"filterType": "EQ", "field": "category", "value": "x'; DROP TABLE p;--"}]}
    )
    sql, args = search_query(parse(body=body))
    assert "DROP" not in sql
    assert "x'; drop table p;--" in args


def test_follower_counts_are_literals_so_each_range_gets_its_own_plan():
    rng = {"filterType": "RANGE", "field": "followers", "value": {"min": "10000", "max": 50000}}
    body = orjson.dumps({"filters": [rng]})
    sql, args = search_query(parse(body=body))
    assert "followers >= 10000 AND followers <= 50000" in sql
    assert args == ["instagram"]


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, "9" * 40, True, "1e3"])
def test_follower_counts_beyond_int8_or_not_integers_are_refused(value):
    # json, not orjson: the body carries integers past 64 bits, as a client may send them
    body = json.dumps({"filters": [{"filterType": "GTE", "field": "followers", "value": value}]})
    with pytest.raises(ApiError, match="bad value"):
        parse(body=body)


def test_text_filter_escapes_like_wildcards():
    body = orjson.dumps({"filters": [{"filterType": "LIKE", "field": "text", "value": "50%_off"}]})
    _, args = search_query(parse(body=body))
    assert "%50\\%\\_off%" in args


def test_platform_from_filters_and_case():
    body = orjson.dumps(
        {"filters": [{"filterType": "EQ", "field": "platform", "value": "YouTube"}]}
    )
    assert parse(body=body, platform=None).platform == "youtube"


def test_migrations_are_ordered_and_versioned():
    pg = [v for v, _ in migrate._files("postgres")]
    assert pg == sorted(pg) and pg[0].startswith("0001_")
    assert next(v for v, _ in migrate._files("clickhouse")).startswith("0001_")


def test_password_hashes():
    stored = hash_password("correct horse")
    assert check_password("correct horse", stored)
    assert not check_password("wrong", stored)
    assert not check_password("x", "garbage")
    assert hash_password("same") != hash_password("same")  # salted


def test_chdb_dsn_by_default_and_server_settings():
    assert load(ApiSettings, {}).clickhouse_dsn().startswith("chdb:///"), "an absolute path"
    relative = load(ApiSettings, {"CH_DSN": "chdb://data/ch"}).clickhouse_dsn()
    assert relative == f"chdb://{os.path.abspath('data/ch')}"
    server = load(ApiSettings, {"CH_HOST": "ch", "CH_USER": "u", "CH_PASS": "p", "CH_DB": "d"})
    assert server.clickhouse_dsn() == "http://u:p@ch:8123/d"
    assert (
        load(ApiSettings, {"PG_DB": "x", "PG_PASS": "s"})
        .pg_dsn()
        .endswith(":s@127.0.0.1:5432/x?sslmode=prefer")
    )
