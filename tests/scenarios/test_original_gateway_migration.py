"""Issue 18 item 1: the api behind the ORIGINAL Go gateway during a migration.

The client here sends exactly what the original saas-gateway sends upstream (its headers, its
Basic value built as its `GenerateUserAuthorization` formats it, no signature of ours), and the
identity answer is decoded with structs that mirror the original gateway's Go types field for
field (written here from saas-gateway/client/response/identity.go, not from our code), with
Go's strictness about types: a string where Go has an int fails the decode as it would there.
"""

from __future__ import annotations

import base64
import time

import msgspec
import orjson
import pytest
import redis

from tests.conftest import require_port
from tests.scenarios.api_fixtures import insert_profiles
from tests.support.api_process import ApiProcess
from tests.support.gateway_process import HMAC_SECRET

SEARCH = "/discovery-service/api/profile/instagram/search"
CLIENT_ID = "original-web"


# The original gateway's decode targets (json tags as in its Go source; omitempty fields
# optional). msgspec ignores unknown fields, as encoding/json does.
class GoStatus(msgspec.Struct):
    type: str = ""
    message: str = ""


class GoPartnerUserProfile(msgspec.Struct):
    partnerId: int = 0
    planType: str = ""


class GoUserClientAccount(msgspec.Struct):
    id: int = 0
    clientId: str = ""
    clientAppType: str = ""
    userId: int = 0
    status: str = ""
    name: str | None = None
    email: str | None = None
    partnerProfile: GoPartnerUserProfile | None = None


class GoClient(msgspec.Struct):
    id: str = ""
    appName: str = ""
    appType: str = ""


class GoUserAuthResponse(msgspec.Struct):
    status: GoStatus = msgspec.field(default_factory=GoStatus)
    token: str = ""
    client: GoClient | None = None
    userClientAccount: GoUserClientAccount | None = None


class GoContract(msgspec.Struct):
    id: int
    partnerId: int
    contractType: str
    plan: str
    startTime: int
    endTime: int


class GoPartner(msgspec.Struct):
    id: int
    contracts: list[GoContract]


class GoPartnerResponse(msgspec.Struct):
    partners: list[GoPartner]


def original_basic_user(user_id: int, name: str | None, account_id: int) -> str:
    """`fmt.Sprintf("%d~%s~%d~%d:%d", userId, name or userId, 1, accountId, userId)`."""
    shown = str(user_id) if name is None else name
    raw = f"{user_id}~{shown}~1~{account_id}:{user_id}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def original_basic_client(client_id: str) -> str:
    raw = f"{client_id}~{client_id}:{client_id}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def original_upstream_headers(basic: str, partner: int | str, plan: str) -> dict[str, str]:
    """What the original ReverseProxy's Director leaves on the request (no signature)."""
    return {
        "authorization": basic,
        "x-bb-partner-id": str(partner),
        "x-bb-plan-type": plan,
        "x-bb-deviceid": "",
        "x-bb-clientid": CLIENT_ID,
        "x-bb-clienttype": "CUSTOMER",
        "x-bb-requestid": "req-1",
        "content-type": "application/json",
    }


def search_unsigned(api: ApiProcess, headers: dict[str, str]) -> tuple[int, dict]:
    status, _, found = api.request(
        "POST", SEARCH, b'{"filters": []}', signed=False, headers=headers
    )
    return status, found


def jwt_claims(token: str) -> dict:
    payload = token.split(".")[1]
    return orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@pytest.fixture(scope="module")
def services():
    for name, port in (("PostgreSQL", 5432), ("Redis", 6379), ("RabbitMQ", 5672)):
        require_port(name, "127.0.0.1", port)


def seed_paid_partner(api: ApiProcess) -> dict:
    """A partner with a live PAID contract, its user logged in; profiles to search."""
    insert_profiles(api, 3)
    _, _, body = api.request("POST", "/partner-service/api/partner", {"name": "Orig"})
    partner = body["partner"]["id"]
    now = int(time.time() * 1000)
    contract = {"plan": "PAID", "startTime": now - 60_000, "endTime": now + 3_600_000}
    assert api.request("POST", f"/partner-service/api/partner/{partner}/contracts", contract)[0]
    user = {
        "email": "orig@example.com",
        "name": "Orig User",
        "password": "long enough",
        "partnerId": partner,
        "accountId": 77,
    }
    assert api.request("POST", "/identity-service/api/users", user)[0] == 201
    login = {"email": "orig@example.com", "password": "long enough"}
    status, _, answer = api.request("POST", "/identity-service/api/auth/login", login, signed=False)
    assert status == 200, answer
    return {"partner": partner, "token": answer["token"], "user": answer["user"]["id"]}


@pytest.fixture(scope="module")
def migrating(services):
    env = {
        "ORIGINAL_GATEWAY_MIGRATION": "true",
        "ORIGINAL_GATEWAY_PEERS": "127.0.0.1/32",
        "HMAC_SECRET": HMAC_SECRET,
    }
    with ApiProcess(env) as api:
        yield api, seed_paid_partner(api)


def identity_lookup(api: ApiProcess, token: str) -> GoUserAuthResponse:
    """The original's identity.VerifyToken call: POST with its client Basic and x-headers."""
    status, _, raw = api.request(
        "POST",
        "/auth/verify/token?loadPreferences=true&skipTokenCache=false",
        orjson.dumps({"token": token}),
        signed=False,
        headers={
            "authorization": original_basic_client(CLIENT_ID),
            "x-bb-clientid": CLIENT_ID,
            "x-bb-clienttype": "CUSTOMER",
        },
    )
    assert status == 200, raw
    return msgspec.json.decode(orjson.dumps(raw), type=GoUserAuthResponse)


def partner_plan(api: ApiProcess, partner: int, *, check_time: bool) -> str:
    """The original gateway's plan choice from FindPartnerById (its SAAS contract)."""
    _, _, raw = api.request("GET", f"/partner/{partner}", signed=False)
    found = msgspec.json.decode(orjson.dumps(raw), type=GoPartnerResponse)
    plan = "FREE"
    now = time.time() * 1000
    for contract in found.partners[0].contracts:
        if contract.contractType == "SAAS":
            live = contract.startTime < now < contract.endTime
            plan = contract.plan if live or not check_time else "FREE"
    return plan


def test_identity_answer_decodes_as_the_original_gateway_reads_it(migrating):
    api, seeded = migrating
    answer = identity_lookup(api, seeded["token"])
    assert answer.status.type == "SUCCESS"
    assert answer.token == seeded["token"]
    account = answer.userClientAccount
    assert account is not None and account.userId == seeded["user"]
    assert account.id == 77 and account.name == "Orig User"
    assert account.partnerProfile is not None  # the original dereferences it unchecked
    assert account.partnerProfile.partnerId == seeded["partner"]
    assert answer.client is not None and answer.client.id == CLIENT_ID


def test_an_invalid_token_is_not_success_for_the_original_gateway(migrating):
    api, _ = migrating
    status, _, raw = api.request(
        "POST", "/auth/verify/token", orjson.dumps({"token": "x.y.z"}), signed=False
    )
    # resty decodes only 2xx bodies: a 401 leaves the original's response empty (not SUCCESS)
    assert status == 401
    assert raw["status"]["type"] != "SUCCESS"


def test_identity_path_reaches_the_api_with_partner_plan_and_client(migrating):
    api, seeded = migrating
    answer = identity_lookup(api, seeded["token"])
    account = answer.userClientAccount
    assert account is not None and account.partnerProfile is not None
    plan = partner_plan(api, account.partnerProfile.partnerId, check_time=True)
    assert plan == "PAID"
    basic = original_basic_user(account.userId, account.name, account.id)
    headers = original_upstream_headers(basic, account.partnerProfile.partnerId, plan)
    status, found = search_unsigned(api, headers)
    assert status == 200, found
    assert "email" in found["profiles"][0]  # the PAID plan's fields


def test_redis_session_path_reaches_the_api_with_partner_and_plan(migrating):
    api, seeded = migrating
    claims = jwt_claims(seeded["token"])
    # the original's session check: EXISTS session:<sid> in Redis, set by our login
    assert redis.Redis(host="127.0.0.1", port=6379).exists("session:" + claims["sid"]) == 1
    # it reads uid, userAccountId and partnerId as JSON numbers (float64 assertions)
    for name in ("uid", "userAccountId", "partnerId"):
        assert isinstance(claims[name], int), name
    plan = partner_plan(api, claims["partnerId"], check_time=False)
    basic = original_basic_user(claims["uid"], None, claims["userAccountId"])
    headers = original_upstream_headers(basic, claims["partnerId"], plan)
    status, found = search_unsigned(api, headers)
    assert status == 200, found
    assert "email" in found["profiles"][0]


def test_the_free_plan_from_the_original_gateway_hides_premium_fields(migrating):
    api, seeded = migrating
    headers = original_upstream_headers(
        original_basic_user(seeded["user"], None, 77), seeded["partner"], "FREE"
    )
    status, found = search_unsigned(api, headers)
    assert status == 200, found
    assert "email" not in found["profiles"][0]


def test_device_requests_of_the_original_gateway_are_taken(migrating):
    api, _ = migrating
    device = base64.b64encode(b"dev-1~dev-1~0:dev-1").decode()
    headers = original_upstream_headers("Basic " + device, "", "FREE")
    status, found = search_unsigned(api, headers)
    assert status == 200, found


def test_a_bad_signature_is_never_downgraded_to_migration(migrating):
    api, seeded = migrating
    headers = original_upstream_headers(
        original_basic_user(seeded["user"], None, 77), seeded["partner"], "PAID"
    )
    headers["x-bb-gateway-signature"] = "00" * 32
    headers["x-bb-gateway-timestamp"] = str(int(time.time()))
    status, _, _ = api.request("POST", SEARCH, b"{}", signed=False, headers=headers)
    assert status == 401


def test_the_mode_is_exported_and_counted(migrating):
    api, _ = migrating
    assert api.metric("coffee_api_original_gateway_migration") == 1
    assert api.metric('coffee_api_requests_total{outcome="original_gateway"}') >= 1
    assert "ORIGINAL_GATEWAY_MIGRATION is ON" in api.output()


def test_without_the_mode_the_original_gateway_gets_401(services):
    with ApiProcess() as api:
        headers = original_upstream_headers(original_basic_user(7, None, 70), 11, "PAID")
        status, _, _ = api.request("POST", SEARCH, b"{}", signed=False, headers=headers)
        assert status == 401
        assert api.metric("coffee_api_original_gateway_migration") == 0
        assert "ORIGINAL_GATEWAY_MIGRATION is ON" not in api.output()


def test_only_the_listed_peers_are_the_original_gateway(services):
    env = {"ORIGINAL_GATEWAY_MIGRATION": "true", "ORIGINAL_GATEWAY_PEERS": "10.254.0.0/16"}
    with ApiProcess(env) as api:
        headers = original_upstream_headers(original_basic_user(7, None, 70), 11, "PAID")
        status, _, _ = api.request("POST", SEARCH, b"{}", signed=False, headers=headers)
        assert status == 401
