import pytest
from coffee.config import SettingsError
from coffee.gateway.settings import load_route_table, load_settings

ORIGINAL_SERVICES = {
    f"{name}-service"
    for name in (
        "discovery", "leaderboard", "profile-collection", "activity", "collection-analytics",
        "post-collection", "genre-insights", "content", "social-profile", "collection-group",
        "keyword-collection", "partner-usage", "campaign-profile",
    )
}  # fmt: skip

ENV = {"SAAS_URL": "http://saas:1", "SAAS_DATA_URL": "http://data:2"}


def test_default_table_is_the_originals_13_services():
    table = load_route_table(load_settings(ENV), ENV)
    assert set(table.routes) == ORIGINAL_SERVICES
    assert table.routes["social-profile-service"].upstream == "http://data:2"
    others = ORIGINAL_SERVICES - {"social-profile-service"}
    assert {table.routes[s].upstream for s in others} == {"http://saas:1"}
    assert all(route.auth for route in table.routes.values())


def test_one_environment_line_adds_a_service():
    env = {**ENV, "GATEWAY_ROUTE__NEW_THING_SERVICE": "http://10.0.0.9:7000/;noauth"}
    table = load_route_table(load_settings(env), env)
    route = table.routes["new-thing-service"]
    assert (route.upstream, route.auth) == ("http://10.0.0.9:7000", False)
    assert len(table.routes) == 14


def test_a_routes_file_replaces_the_table(tmp_path):
    path = tmp_path / "routes.toml"
    path.write_text('[services]\n"x-service" = { upstream = "saas_data" }\n')
    env = {**ENV, "GATEWAY_ROUTES_FILE": str(path)}
    table = load_route_table(load_settings(env), env)
    assert list(table.routes) == ["x-service"]
    assert table.routes["x-service"].upstream == "http://data:2"


@pytest.mark.parametrize(
    "env",
    [
        {"GATEWAY_ROUTE__X": "ftp://nope"},
        {"GATEWAY_ROUTE__X": "saas;maybe"},
        {"PORT": "99999"},
        {"REDIS_TIMEOUT": "0"},
    ],
)
def test_bad_settings_are_refused_with_the_name(env):
    with pytest.raises(SettingsError) as info:
        load_route_table(load_settings(env), env)
    assert any(name in str(info.value) or "upstream" in str(info.value) for name in env)


def test_original_setting_names_are_read():
    env = {
        "REDIS_CLUSTER_ADDRESSES": "a:1,b:2",
        "REDIS_CLUSTER_PASSWORD": "pw",
        "PORT": "9000",
        "IDENTITY_URL": "http://id:3",
        "PARTNER_URL": "http://p:4",
        "HMAC_SECRET": "c2VjcmV0",
    }
    settings = load_settings(env)
    assert settings.redis_cluster_addresses == "a:1,b:2"
    assert settings.port == 9000
    assert (settings.identity_url, settings.partner_url) == ("http://id:3", "http://p:4")
