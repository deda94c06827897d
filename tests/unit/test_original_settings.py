"""Issue 18 item 3: every environment name the original services read is read by the role
here (a settings field or alias) or listed in coffee.original_settings with a message. The
lists below are the names the originals read (os.Getenv in saas-gateway and event-grpc, viper
keys in Coffee), copied by hand from their source."""

from __future__ import annotations

import msgspec
import pytest
from coffee import original_settings
from coffee.api.settings import ApiSettings
from coffee.config import CommonSettings, env_names, load
from coffee.events.consumers.settings import ConsumerSettings
from coffee.events.consumers.topology import load_topology
from coffee.events.settings import EventSettings
from coffee.gateway.settings import GatewaySettings

ORIGINAL_NAMES = {
    "gateway": """DEBUG ENV ERP_CLIENT_ID HMAC_SECRET IDENTITY_URL LOG_LEVEL PARTNER_URL PORT
        REDIS_CLUSTER_ADDRESSES REDIS_CLUSTER_PASSWORD SAAS_DATA_URL SAAS_URL SENTRY_DSN""",
    "events": """BRANCH_EVENT_BUFFERED_CHANNEL_SIZE BRANCH_EVENT_EXCHANGE
        BRANCH_EVENT_WORKER_POOL_SIZE CLICKHOUSE_DBNAME CLICKHOUSE_DB_NAMES CLICKHOUSE_HOST
        CLICKHOUSE_PASSWORD CLICKHOUSE_PORT CLICKHOUSE_USER CUSTOMER_APP_CLIENT_ID DEBUG ENV
        EVENT_BUFFERED_CHANNEL_SIZE EVENT_EXCHANGE EVENT_WORKER_POOL_SIZE GCC_BRAND_CLIENT_ID
        GCC_HOST_APP_CLIENT_ID GIN_PORT GRAPHY_EVENT_BUFFERED_CHANNEL_SIZE GRAPHY_EVENT_EXCHANGE
        GRAPHY_EVENT_WORKER_POOL_SIZE HMAC_SECRET HOST_APP_CLIENT_ID IDENTITY_URL LOG_LEVEL PORT
        POSTGRES_DBNAME POSTGRES_EVENT_SCHEMA POSTGRES_HOST POSTGRES_PASSWORD POSTGRES_PORT
        POSTGRES_USER RABBIT_HEARTBEAT RABBIT_HOST RABBIT_PASSWORD RABBIT_PORT RABBIT_USER
        RABBIT_VHOST REDIS_CLUSTER_ADDRESSES REDIS_CLUSTER_PASSWORD SCRAPE_LOG_BUFFER_LIMIT
        SHOPIFY_EVENT_BUFFERED_CHANNEL_SIZE SHOPIFY_EVENT_EXCHANGE SHOPIFY_EVENT_WORKER_POOL_SIZE
        SOCIAL_STREAM_URL VIDOOLY_EVENT_BUFFERED_CHANNEL_SIZE VIDOOLY_EVENT_EXCHANGE
        VIDOOLY_EVENT_WORKER_POOL_SIZE WEBENGAGE_API_KEY WEBENGAGE_BRAND_API_KEY
        WEBENGAGE_BRAND_URL WEBENGAGE_BRAND_USER_URL WEBENGAGE_EVENT_BUFFERED_CHANNEL_SIZE
        WEBENGAGE_EVENT_EXCHANGE WEBENGAGE_EVENT_WORKER_POOL_SIZE WEBENGAGE_URL
        WEBENGAGE_USER_URL""",
    "api": """AMQP_URI CH_DB CH_HOST CH_PASS CH_PORT CH_USER ENV PG_DB PG_HOST PG_PASS PG_PORT
        PG_USER REDIS_CLUSTER_ADDRESSES REDIS_CLUSTER_PASSWORD SENTRY_DSN SERVER_TIMEOUT
        INTEGRATION""",
}
SETTINGS = {
    "gateway": (GatewaySettings, CommonSettings),
    "events": (EventSettings, ConsumerSettings, CommonSettings),
    "api": (ApiSettings,),
}


def read_names(role: str) -> set[str]:
    return {
        name
        for cls in SETTINGS[role]
        for field in msgspec.structs.fields(cls)
        for name in env_names(field.name)
    }


@pytest.mark.parametrize("role", sorted(ORIGINAL_NAMES))
def test_every_original_name_is_read_or_answered(role):
    listed = set(original_settings.REFUSED.get(role, {})) | set(
        original_settings.IGNORED.get(role, {})
    )
    missing = [n for n in ORIGINAL_NAMES[role].split() if n not in read_names(role) | listed]
    assert missing == []
    # and nothing listed as not read is in fact read (the table would lie)
    assert not listed & read_names(role)


def test_a_refused_name_stops_the_role_with_its_reason():
    with pytest.raises(original_settings.RefusedSetting, match="WEBENGAGE_URL: the original"):
        original_settings.check("events", {"WEBENGAGE_URL": "https://api.webengage.com"})
    assert original_settings.check("events", {"WEBENGAGE_URL": ""}) == []  # unset in effect


def test_an_ignored_name_is_a_warning(caplog):
    warnings = original_settings.check("gateway", {"DEBUG": "true", "ENV": "prod"})
    assert warnings == [
        f"DEBUG is set but not used: {original_settings.IGNORED['gateway']['DEBUG']}"
    ]
    assert "DEBUG is set but not used" in caplog.text


def test_scrape_log_buffer_limit_sizes_every_buffered_kind():
    settings = load(ConsumerSettings, {"SCRAPE_LOG_BUFFER_LIMIT": "500"})
    kinds = load_topology(settings.topology_path, settings)
    buffered = [k for k in kinds if k.sinker == "buffered"]
    assert buffered and all(k.flush_rows == 500 and k.prefetch >= 500 for k in buffered)
    assert all(k.flush_rows != 500 for k in kinds if k.sinker == "direct")
