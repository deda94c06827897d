"""compose.yaml is a valid Compose file, and both it and the Dockerfile only use commands and
settings the code really accepts (read against the roles' settings, not against a copy)."""

from __future__ import annotations

import json
import pathlib

import jsonschema
import msgspec
import yaml
from coffee.api.settings import ApiSettings
from coffee.cli import COMMANDS
from coffee.events.consumers.settings import ConsumerSettings
from coffee.events.settings import EventSettings
from coffee.gateway.settings import GatewaySettings

ROOT = pathlib.Path(__file__).resolve().parents[2]
SETTINGS = {
    "api": ApiSettings,
    "gateway": GatewaySettings,
    "events": EventSettings,
    "consumers": ConsumerSettings,
}
# Read by the container itself (its HEALTHCHECK), not by a role.
CONTAINER_ONLY = {"HEALTHCHECK_URL"}


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def accepted_names(role: str) -> set[str]:
    fields = msgspec.structs.fields(SETTINGS[role])
    return {f.name.upper() for f in fields}


def test_compose_file_matches_the_compose_specification():
    schema = json.loads((ROOT / "tests/data/compose-spec.json").read_text())
    jsonschema.validate(compose(), schema)


def test_every_role_runs_a_real_command_with_settings_it_accepts():
    services = compose()["services"]
    for role in SETTINGS:
        service = services[role]
        assert service["command"][0] in COMMANDS
        unknown = set(service["environment"]) - accepted_names(role) - CONTAINER_ONLY
        # Settings shared by the image but meant for another role are allowed only when some
        # role accepts them (a typo would be accepted by none).
        everyone = set().union(*(accepted_names(r) for r in SETTINGS))
        assert unknown <= everyone, f"{role}: {sorted(unknown - everyone)} are read by no role"


def test_backing_services_have_healthchecks_and_roles_wait_for_them():
    services = compose()["services"]
    for name in ("postgres", "redis", "rabbitmq", "clickhouse"):
        assert "healthcheck" in services[name]
    for role in SETTINGS:
        conditions = services[role]["depends_on"]
        assert all(c["condition"] == "service_healthy" for c in conditions.values())


def test_dockerfile_builds_with_maturin_and_runs_as_a_non_root_coffee():
    text = (ROOT / "Dockerfile").read_text()
    assert "maturin build --release" in text
    assert "USER coffee" in text and 'ENTRYPOINT ["coffee"]' in text
    assert "HEALTHCHECK" in text
    default = text.split("CMD [", 1)[1].split("]", 1)[0]
    assert default.split(",")[0].strip().strip('"') in COMMANDS
