"""The consumers' ClickHouse settings as an operator of the original sets them: a server named
by CLICKHOUSE_HOST/USER/PASSWORD/DBNAME is used, and never replaced by the embedded engine."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import pytest
from coffee.config import SettingsError
from coffee.events.consumers.settings import load_settings


def test_the_originals_server_settings_name_the_server():
    settings = load_settings(
        {
            "CLICKHOUSE_HOST": "ch.internal",
            "CLICKHOUSE_HTTP_PORT": "8124",
            "CLICKHOUSE_USER": "sink",
            "CLICKHOUSE_PASSWORD": "p@ss:w/rd#",
            "CLICKHOUSE_DB_NAMES": "events,logs",
            "CLICKHOUSE_DBNAME": "logs",
        }
    )
    dsn = urlsplit(settings.clickhouse_dsn)
    assert (dsn.scheme, dsn.hostname, dsn.port) == ("http", "ch.internal", 8124)
    assert (unquote(dsn.username or ""), unquote(dsn.password or "")) == ("sink", "p@ss:w/rd#")
    assert settings.databases == ["logs", "events"]


def test_without_server_settings_the_embedded_engine_is_the_default():
    assert load_settings({}).clickhouse_dsn.startswith("chdb:///")


@pytest.mark.parametrize("url", ["chdb://var/chdb", "http://other:8123"])
def test_a_server_setting_beside_another_clickhouse_is_a_start_error_naming_both(url):
    with pytest.raises(SettingsError) as info:
        load_settings({"CLICKHOUSE_HOST": "ch.internal", "CLICKHOUSE_URL": url})
    assert "CLICKHOUSE_HOST" in str(info.value) and "CLICKHOUSE_URL" in str(info.value)


def test_the_originals_native_port_is_refused_with_the_setting_to_use():
    with pytest.raises(SettingsError) as info:
        load_settings({"CLICKHOUSE_HOST": "ch.internal", "CLICKHOUSE_PORT": "9000"})
    assert "CLICKHOUSE_PORT" in str(info.value) and "CLICKHOUSE_HTTP_PORT" in str(info.value)
