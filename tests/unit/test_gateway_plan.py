from coffee.gateway.auth import Principal
from coffee.gateway.partners import FREE, NO_CONTRACT, contract_from_answer
from coffee.gateway.requestid import RequestIds


def answer(contracts):
    return {"status": {"type": "SUCCESS"}, "partners": [{"id": 1, "contracts": contracts}]}


def test_the_saas_contract_gives_the_plan_inside_its_window_only():
    contract = contract_from_answer(answer([
        {"contractType": "OTHER", "plan": "PAID", "startTime": 0, "endTime": 10**13},
        {"contractType": "SAAS", "plan": "saas", "startTime": 1000_000, "endTime": 2000_000},
    ]))  # fmt: skip
    assert contract.plan_at(999.999) == FREE
    assert contract.plan_at(1000.0) == b"SAAS"
    assert contract.plan_at(1999.999) == b"SAAS"
    assert contract.plan_at(2000.0) == FREE  # [start, end): expired at the exact second


def test_malformed_answers_mean_no_contract():
    for body in (None, [], {"partners": "x"}, answer([{"contractType": "SAAS", "plan": 3}])):
        assert contract_from_answer(body) is NO_CONTRACT


def test_principal_prepares_the_originals_basic_authorization():
    import base64

    p = Principal({"sid": "s", "uid": 42, "userAccountId": 9, "partnerId": 5, "exp": 10})
    assert p.auth_value == b"Basic " + base64.b64encode(b"42~42~1~9:42")
    assert p.partner == 5 and p.partner_id == b"5" and p.exp == 10.0
    assert b"x-bb-partner-id: 5\r\n" in p.tenant


def test_the_basic_value_is_formatted_as_the_originals_printf():
    """`fmt.Sprintf("%d~%s~1~%d:%d")` of the ints the original took from the claims: JSON
    numbers without a fraction, and account 0 when the token has no userAccountId."""
    import base64

    floats = Principal({"sid": "s", "uid": 42.0, "userAccountId": 9.0, "exp": 10})
    assert floats.auth_value == b"Basic " + base64.b64encode(b"42~42~1~9:42")
    no_account = Principal({"sid": "s", "uid": 42, "exp": 10})
    assert no_account.auth_value == b"Basic " + base64.b64encode(b"42~42~1~0:42")


def test_request_ids_are_unique_uuid_shaped():
    import uuid

    ids = RequestIds()
    seen = {ids.next() for _ in range(1000)}
    assert len(seen) == 1000
    assert all(uuid.UUID(i.decode()).version == 4 for i in list(seen)[:10])


def test_the_identity_path_puts_the_accounts_name_in_the_basic_value():
    """The original gateway built `uid~name~1~account:uid` with the name identity gave on its
    identity path, and the user id on its Redis path (session entry True)."""
    import base64

    from coffee.gateway.sessions import account_name

    p = Principal({"sid": "s", "uid": 42, "userAccountId": 9, "exp": 10})
    assert p.headers_for(True) == (p.tenant, p.auth_value)
    tenant, auth = p.headers_for("Asha K")
    assert auth == b"Basic " + base64.b64encode(b"42~Asha K~1~9:42")
    assert b"authorization: " + auth in tenant
    assert p.headers_for("Asha K") == (tenant, auth)  # made once per name

    def answer(name):
        return {"status": {"type": "SUCCESS"}, "userClientAccount": {"userId": 42, "name": name}}

    assert account_name(answer("Asha K")) == "Asha K"
    # a name that would shift the Basic fields, or none at all: the user id stands
    for bad in ("a~1~7", "a:b", "", "x" * 129, None, 7, "a\r\nb"):
        assert account_name(answer(bad)) is None
    assert account_name({"status": {"type": "SUCCESS"}}) is None
