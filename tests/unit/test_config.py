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


@pytest.mark.parametrize(
    ("raw", "level"),
    [("INFO", "info"), ("Debug", "debug"), (" warning ", "warning"), ("WARN", "warning")],
)
def test_log_level_is_read_in_any_case_as_the_originals_set_it(raw, level):
    assert load(CommonSettings, {"LOG_LEVEL": raw}).log_level == level


def test_a_bad_log_level_is_named_as_it_was_written():
    with pytest.raises(SettingsError) as info:
        load(CommonSettings, {"LOG_LEVEL": "LOUD"})
    assert "LOG_LEVEL='LOUD'" in str(info.value)
