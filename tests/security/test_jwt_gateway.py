"""Issue 17 item 8: the gateway's JWT rules against a real gateway process, RS256 / ES256 /
EdDSA keys served by a real JWKS HTTP server that rotates its keys and then fails: `exp`
required, leeway on exp / nbf / iat, JWT_AUDIENCE and JWT_ISSUER, algorithm confusion, and a
refetch on an unknown kid at most once per interval while the last good key set is kept."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from coffee._native import JwtSigner
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

from tests.conftest import require_port
from tests.gateway.conftest import services_env
from tests.support.gateway_process import HMAC_KEY, GatewayProcess
from tests.support.jwt_keys import _pem_pair
from tests.support.services import EchoUpstream, IdentityService, PartnerService

AUDIENCE = "coffee-gateway"
ISSUER = "https://id.coffee.test"
LEEWAY = 30


class SigningKey:
    def __init__(self, alg: str, kid: str) -> None:
        self.alg = alg
        self.kid = kid
        if alg == "RS256":
            private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            jwk = RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
        elif alg == "ES256":
            private = ec.generate_private_key(ec.SECP256R1())
            jwk = ECAlgorithm.to_jwk(private.public_key(), as_dict=True)
        else:
            private = ed25519.Ed25519PrivateKey.generate()
            jwk = OKPAlgorithm.to_jwk(private.public_key(), as_dict=True)
        self.pair = _pem_pair(private)
        self.jwk = {**jwk, "kid": kid, "alg": alg, "use": "sig"}
        self.signer = JwtSigner(self.pair.private_pem, alg, kid=kid)

    def token(self, **claims: Any) -> str:
        now = time.time()
        base = {"sid": f"jwt-{uuid.uuid4().hex}", "uid": 7, "userAccountId": 70,
                "exp": int(now + 600), "iat": int(now), "aud": AUDIENCE, "iss": ISSUER}  # fmt: skip
        base.update(claims)
        return self.signer.sign({k: v for k, v in base.items() if v is not None})


class JwksServer:
    """Serves `keys` as a JWKS; `failing` makes it answer 500."""

    def __init__(self, keys: list[SigningKey]) -> None:
        owner = self
        self.keys = list(keys)
        self.failing = False
        self.hits = 0

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                return

            def do_GET(self) -> None:
                owner.hits += 1
                if owner.failing:
                    body, status = b"down", 500
                else:
                    body = json.dumps({"keys": [k.jwk for k in owner.keys]}).encode()
                    status = 200
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/.well-known/jwks.json"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class JwtStack:
    def __init__(self, gateway: GatewayProcess, identity: IdentityService, jwks: JwksServer):
        self.gateway = gateway
        self.identity = identity
        self.jwks = jwks

    def status(self, token: str) -> int:
        with self.identity.lock:
            self.identity.valid.add(token)  # the session is valid: only the JWT rules decide
        headers = {"x-bb-clientid": "web", "authorization": f"Bearer {token}"}
        return self.gateway.request("GET", "/content-service/api/x", headers)[0]


def stack_for(keys: list[SigningKey], failing: bool = False, **env: str):
    require_port("Redis", "127.0.0.1", 6379)
    jwks = JwksServer(keys)
    jwks.failing = failing
    try:
        with EchoUpstream() as up, IdentityService() as ident, PartnerService() as part:
            full = {
                **services_env(up, ident, part),
                "JWKS_URL": jwks.url,
                "JWT_ALGORITHMS": "RS256,ES256,EdDSA,HS256",
                "JWT_AUDIENCE": AUDIENCE,
                "JWT_ISSUER": ISSUER,
                "JWT_LEEWAY": str(LEEWAY),
                "JWKS_REFRESH_INTERVAL": "3600",  # only the unknown-kid refetch in these tests
                **env,
            }
            with GatewayProcess(full) as gw:
                yield JwtStack(gw, ident, jwks)
    finally:
        jwks.close()


KEYS = {alg: SigningKey(alg, f"k-{alg}") for alg in ("RS256", "ES256", "EdDSA")}


@pytest.fixture(scope="module")
def claims_stack():
    yield from stack_for(list(KEYS.values()), JWKS_MIN_REFETCH_INTERVAL="3600")


ALGS = sorted(KEYS)


@pytest.mark.parametrize("alg", ALGS)
def test_a_valid_token_of_each_algorithm_passes(claims_stack, alg):
    assert claims_stack.status(KEYS[alg].token()) == 200


@pytest.mark.parametrize("alg", ALGS)
def test_a_token_without_exp_is_refused(claims_stack, alg):
    assert claims_stack.status(KEYS[alg].token(exp=None)) == 401


@pytest.mark.parametrize("alg", ALGS)
def test_leeway_applies_to_exp_nbf_and_iat(claims_stack, alg):
    key, now = KEYS[alg], time.time()
    assert claims_stack.status(key.token(exp=int(now - LEEWAY / 3))) == 200
    assert claims_stack.status(key.token(nbf=int(now + LEEWAY / 3))) == 200
    assert claims_stack.status(key.token(iat=int(now + LEEWAY / 3))) == 200
    assert claims_stack.status(key.token(exp=int(now - 3 * LEEWAY))) == 401
    assert claims_stack.status(key.token(nbf=int(now + 3 * LEEWAY))) == 401
    assert claims_stack.status(key.token(iat=int(now + 3 * LEEWAY))) == 401


def test_a_token_within_leeway_passes_again_from_the_l1_cache(claims_stack):
    token = KEYS["RS256"].token(exp=int(time.time() - LEEWAY / 3))
    assert [claims_stack.status(token) for _ in range(3)] == [200, 200, 200]


@pytest.mark.parametrize("alg", ALGS)
@pytest.mark.parametrize(
    "claims",
    [
        {"aud": "someone-else"},
        {"aud": None},
        {"aud": ["x", "y"]},
        {"iss": "https://evil.test"},
        {"iss": None},
        {"iss": 7},
    ],
    ids=[
        "aud-other",
        "aud-missing",
        "aud-list-without-us",
        "iss-other",
        "iss-missing",
        "iss-not-str",
    ],
)
def test_wrong_audience_or_issuer_is_refused(claims_stack, alg, claims):
    assert claims_stack.status(KEYS[alg].token(**claims)) == 401


def test_an_audience_list_naming_us_passes(claims_stack):
    assert claims_stack.status(KEYS["ES256"].token(aud=["other", AUDIENCE])) == 200


def _b64(obj: Any) -> str:
    raw = json.dumps(obj).encode() if not isinstance(obj, bytes) else obj
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.mark.parametrize("alg", ALGS)
def test_algorithm_confusion_is_refused(claims_stack, alg):
    key = KEYS[alg]
    now = int(time.time())
    claims = {"sid": f"c-{uuid.uuid4().hex}", "uid": 7, "exp": now + 600}
    claims.update(aud=AUDIENCE, iss=ISSUER)
    # HS256 keyed with the public key's PEM (or its JWK text), under the key's own kid.
    for secret in (key.pair.public_pem, json.dumps(key.jwk).encode()):
        forged = JwtSigner(secret, "HS256", kid=key.kid).sign(claims)
        assert claims_stack.status(forged) == 401
    # alg none, and a token whose header claims another asymmetric algorithm.
    unsigned = f"{_b64({'alg': 'none', 'kid': key.kid})}.{_b64(claims)}."
    assert claims_stack.status(unsigned) == 401
    other = "ES256" if alg != "ES256" else "RS256"
    relabelled = key.token().split(".")
    relabelled[0] = _b64({"alg": other, "kid": key.kid, "typ": "JWT"})
    assert claims_stack.status(".".join(relabelled)) == 401


def test_an_unknown_kid_refetches_at_most_once_per_interval(claims_stack):
    gw = claims_stack.gateway
    before = gw.event("jwks_refetch")
    stranger = SigningKey("ES256", "k-unknown-1")
    assert claims_stack.status(stranger.token()) == 401
    assert claims_stack.status(SigningKey("ES256", "k-unknown-2").token()) == 401
    assert claims_stack.status(SigningKey("ES256", "k-unknown-3").token()) == 401
    # The interval is an hour here: one refetch at most for the three.
    assert gw.event("jwks_refetch") - before <= 1
    assert gw.event("jwks_refetch_suppressed") >= 2


@pytest.fixture
def rotating_stack():
    yield from stack_for([KEYS["RS256"]], JWKS_MIN_REFETCH_INTERVAL="0")


def test_keys_rotate_and_the_last_good_set_stays_while_the_jwks_fails(rotating_stack):
    s = rotating_stack
    gw = s.gateway
    old = KEYS["RS256"]
    assert s.status(old.token()) == 200
    # Rotation: a new key appears, the old one goes. A token of the new key makes the gateway
    # refetch (its kid is unknown) and pass; a new token of the removed key is refused.
    new = SigningKey("EdDSA", "k-rotated")
    s.jwks.keys = [new]
    refetches = gw.event("jwks_refetch")
    assert s.status(new.token()) == 200
    assert gw.event("jwks_refetch") == refetches + 1
    assert s.status(old.token()) == 401
    # The JWKS endpoint fails: an unknown kid triggers a fetch that fails, counted; the last
    # good set (the rotated key) keeps working.
    s.jwks.failing = True
    failures = gw.event("jwks_fetch_failed")
    assert s.status(SigningKey("ES256", "k-while-down").token()) == 401
    assert gw.event("jwks_fetch_failed") == failures + 1
    assert s.status(new.token()) == 200
    assert gw.metric("gateway_jwks_fetched_timestamp_seconds") > 0
    # Back up with a third key: it is picked up on its first token.
    third = SigningKey("ES256", "k-third")
    s.jwks.keys = [new, third]
    s.jwks.failing = False
    assert s.status(third.token()) == 200
    assert s.status(new.token()) == 200


def test_the_gateway_starts_while_the_jwks_is_down_and_answers_503_until_it_is_up():
    gen = stack_for([KEYS["ES256"]], JWKS_MIN_REFETCH_INTERVAL="0", failing=True)
    s = next(gen)
    try:
        # No key set yet: 503 (retry), never 401 (which would log the user out).
        assert s.status(KEYS["ES256"].token()) == 503
        s.jwks.failing = False
        assert s.status(KEYS["ES256"].token()) == 200
    finally:
        gen.close()


# -- fixed keys (HMAC_SECRET), the settings most deployments have ----------------------------
@pytest.fixture(scope="module")
def hmac_stack():
    require_port("Redis", "127.0.0.1", 6379)
    with EchoUpstream() as up, IdentityService() as ident, PartnerService() as part:
        env = {**services_env(up, ident, part), "JWT_LEEWAY": str(LEEWAY)}
        with GatewayProcess(env) as gw:
            yield JwtStack(gw, ident, None)  # type: ignore[arg-type]


def hmac_token(**claims: Any) -> str:
    base = {"sid": f"h-{uuid.uuid4().hex}", "uid": 7, "userAccountId": 70}
    base.update(claims)
    return JwtSigner(HMAC_KEY, "HS256").sign({k: v for k, v in base.items() if v is not None})


def test_hmac_a_token_without_exp_is_refused_by_default(hmac_stack):
    assert hmac_stack.status(hmac_token(exp=int(time.time() + 600))) == 200
    assert hmac_stack.status(hmac_token()) == 401
    assert hmac_stack.gateway.event("jwt_rejected_claim_missing") >= 1


def test_hmac_expired_within_the_leeway_passes_and_beyond_it_does_not(hmac_stack):
    assert hmac_stack.status(hmac_token(exp=int(time.time() - LEEWAY / 3))) == 200
    assert hmac_stack.status(hmac_token(exp=int(time.time() - 3 * LEEWAY))) == 401


def test_hmac_exp_may_be_relaxed_by_a_setting():
    require_port("Redis", "127.0.0.1", 6379)
    with EchoUpstream() as up, IdentityService() as ident, PartnerService() as part:
        env = {**services_env(up, ident, part), "JWT_REQUIRE_EXP": "false"}
        with GatewayProcess(env) as gw:
            s = JwtStack(gw, ident, None)  # type: ignore[arg-type]
            assert s.status(hmac_token()) == 200
            assert s.status(hmac_token(exp=int(time.time() - 10))) == 401
