import pytest
from coffee.gateway.main import main


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({}, "HMAC_SECRET"),
        ({"HMAC_SECRET": "not base64!"}, "HMAC_SECRET"),
        ({"HMAC_SECRET": "c2VjcmV0", "JWT_ALGORITHMS": "none"}, "JWT"),
        ({"HMAC_SECRET": "c2VjcmV0", "REDIS_TIMEOUT": "-1"}, "REDIS_TIMEOUT"),
        ({"HMAC_SECRET": "c2VjcmV0", "LOG_LEVEL": "loud"}, "LOG_LEVEL"),
    ],
)
def test_bad_settings_stop_the_start_with_a_message(environ, named, capsys):
    assert main([], environ=environ) == 2
    assert named in capsys.readouterr().err
