import pytest
from coffee.config import CacheSettings, CommonSettings, GiB, SettingsError, load


def test_defaults_when_environment_is_empty():
    assert load(CacheSettings, {}).l1_max_cost == GiB


def test_values_are_converted_from_strings():
    settings = load(CacheSettings, {"L1_MAX_COST": "4096", "L1_SESSION_TTL": "2.5"})
    assert settings.l1_max_cost == 4096
    assert settings.l1_session_ttl == 2.5


@pytest.mark.parametrize(
    ("cls", "name", "value"),
    [
        (CacheSettings, "L1_MAX_COST", "-1"),
        (CacheSettings, "L1_MAX_COST", "lots"),
        (CacheSettings, "L1_SESSION_TTL", "0"),
        (CommonSettings, "LOG_LEVEL", "loud"),
    ],
)
def test_bad_value_names_the_variable_and_the_value(cls, name, value):
    with pytest.raises(SettingsError) as info:
        load(cls, {name: value})
    assert name in str(info.value)
    assert repr(value) in str(info.value)
