"""Issue 17 item 7: the gateway's identity and partner calls through aiohttp (ServiceClient).
Real servers over loopback: answers chunked as Go's net/http sends bodies over 2 KB, a service
that closes a pooled keep-alive connection when the next request arrives (the race of a
keep-alive timeout), and https with a CA made in the test, trusted through SERVICE_CA_FILE."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import json
import socket
import ssl
import threading
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from coffee.gateway.service_client import HttpError, ServiceClient
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.conftest import require_port
from tests.support.gateway_process import GatewayProcess, make_token
from tests.support.services import EchoUpstream

PAD = "x" * 3000  # over Go's 2 KB: net/http would chunk it


def answer_for(method: str, path: str, body: bytes) -> dict:
    if path.startswith("/auth/verify/token"):
        token = json.loads(body or b"{}").get("token", "")
        kind = "SUCCESS" if token.startswith("ey") else "FAILURE"
        return {"status": {"type": kind, "message": ""}, "pad": PAD}
    if path.startswith("/partner/"):
        contract = {"contractType": "SAAS", "plan": "PAID",
                    "startTime": 0, "endTime": 4102444800000}  # fmt: skip
        return {"partners": [{"id": 11, "contracts": [contract]}], "pad": PAD}
    return {"echo": path}


class ChunkedService:
    """identity + partner in one server, answering every body chunked (2 KB pieces)."""

    def __init__(self, context: ssl.SSLContext | None = None) -> None:
        owner = self
        self.requests = 0

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                return

            def _answer(self) -> None:
                owner.requests += 1
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                data = json.dumps(answer_for(self.command, self.path, body)).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("transfer-encoding", "chunked")
                self.end_headers()
                for i in range(0, len(data), 2048):
                    piece = data[i : i + 2048]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.write(b"0\r\n\r\n")

            do_GET = do_POST = _answer

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        scheme = "http"
        if context is not None:
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class StaleService:
    """Answers the first request of each connection (keep-alive, chunked), then closes the
    connection when a second request arrives on it, without answering: what a service whose
    keep-alive timeout fires as the client reuses the connection looks like."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.connections = 0
        self.answered = 0
        self.dropped = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            reader = conn.makefile("rb")
            for n in range(2):
                line = reader.readline()
                if not line:
                    return
                method, path, _ = line.decode().split(" ", 2)
                length = 0
                while (header := reader.readline()) not in (b"\r\n", b""):
                    name, _, value = header.decode().partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                body = reader.read(length) if length else b""
                if n == 1:
                    self.dropped += 1
                    return  # the second request: closed unanswered
                data = json.dumps(answer_for(method, path, body)).encode()
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                    b"transfer-encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n" % (len(data), data)
                )
                self.answered += 1

    def close(self) -> None:
        self.sock.close()


def run(coro_fn: Callable[[], object]) -> object:
    return asyncio.run(coro_fn())  # type: ignore[arg-type]


# -- the client alone, against the real servers -----------------------------------------------
def test_chunked_answers_are_read_whole():
    service = ChunkedService()

    async def go() -> tuple:
        client = ServiceClient(service.url, timeout=5, connect_timeout=2)
        try:
            return await client.request_json("GET", "/partner/11")
        finally:
            await client.close()

    try:
        status, body = run(go)
        assert status == 200 and body["pad"] == PAD
        assert body["partners"][0]["contracts"][0]["plan"] == "PAID"
    finally:
        service.close()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_stale_pooled_connection_is_retried_once_on_a_fresh_one(method):
    service = StaleService()
    target = "/partner/11" if method == "GET" else "/auth/verify/token"
    body = None if method == "GET" else {"token": "eyJ.x.y"}

    async def go() -> list:
        client = ServiceClient(service.url, timeout=5, connect_timeout=2, pool_size=1)
        try:
            return [await client.request_json(method, target, body) for _ in range(3)]
        finally:
            await client.close()

    try:
        answers = run(go)
        assert [status for status, _ in answers] == [200, 200, 200]
        assert service.dropped >= 1  # the stale connection was met, and survived
        assert service.connections == 3
    finally:
        service.close()


def test_a_service_that_does_not_listen_is_an_http_error_at_once():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: refused

    async def go() -> None:
        client = ServiceClient(f"http://127.0.0.1:{port}", timeout=5, connect_timeout=2)
        try:
            await client.request_json("POST", "/auth/verify/token", {"token": "x"})
        finally:
            await client.close()

    with pytest.raises(HttpError):
        run(go)


# -- https: a CA and a server certificate made here -------------------------------------------
def _certificates(directory: Path) -> tuple[Path, ssl.SSLContext]:
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "coffee test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    ca_file = directory / "ca.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file, key_file = directory / "server.pem", directory / "server.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return ca_file, context


# -- through a real gateway process -----------------------------------------------------------
def gateway_status(gw: GatewayProcess, token: str) -> int:
    headers = {"x-bb-clientid": "web", "authorization": f"Bearer {token}"}
    return gw.request("GET", "/content-service/api/x", headers)[0]


def fresh_token() -> str:
    return make_token(f"svc-{uuid.uuid4().hex}")  # a session Redis does not know: identity asks


def gateway_env(up: EchoUpstream, identity: str, partner: str, **extra: str) -> dict[str, str]:
    return {"SAAS_URL": up.url, "SAAS_DATA_URL": up.url, "IDENTITY_URL": identity,
            "PARTNER_URL": partner, **extra}  # fmt: skip


def test_the_gateway_reads_chunked_identity_and_partner_answers():
    require_port("Redis", "127.0.0.1", 6379)
    service = ChunkedService()
    try:
        with EchoUpstream() as up, GatewayProcess(gateway_env(up, service.url, service.url)) as gw:
            assert gateway_status(gw, fresh_token()) == 200
            assert up.requests[-1]["headers"]["x-bb-plan-type"] == ["PAID"]
    finally:
        service.close()


def test_the_gateway_survives_a_stale_identity_connection():
    require_port("Redis", "127.0.0.1", 6379)
    identity, partner = StaleService(), ChunkedService()
    try:
        with EchoUpstream() as up:
            env = gateway_env(up, identity.url, partner.url)
            with GatewayProcess(env) as gw:
                statuses = [gateway_status(gw, fresh_token()) for _ in range(4)]
        assert statuses == [200] * 4
        assert identity.dropped >= 1
    finally:
        identity.close()
        partner.close()


def test_the_gateway_calls_https_services_trusted_through_service_ca_file(tmp_path):
    require_port("Redis", "127.0.0.1", 6379)
    ca_file, context = _certificates(tmp_path)
    service = ChunkedService(context)
    try:
        with EchoUpstream() as up:
            env = gateway_env(up, service.url, service.url, SERVICE_CA_FILE=str(ca_file))
            with GatewayProcess(env) as gw:
                assert gateway_status(gw, fresh_token()) == 200
                assert up.requests[-1]["headers"]["x-bb-plan-type"] == ["PAID"]
            # Without the CA the certificate is not trusted: no session can be confirmed,
            # and the gateway says 503 (retry), never 200 and never 401.
            with GatewayProcess(gateway_env(up, service.url, service.url)) as gw:
                assert gateway_status(gw, fresh_token()) == 503
        assert service.requests >= 2
    finally:
        service.close()


def test_https_upstreams_are_proxied_with_the_upstreams_certificate_checked(tmp_path):
    """SAAS_URL=https://... (the original's httputil proxy took it; ours refused it at start)."""
    require_port("Redis", "127.0.0.1", 6379)
    ca_file, context = _certificates(tmp_path)
    service = ChunkedService()
    try:
        with EchoUpstream() as up:
            up.httpd.socket = context.wrap_socket(up.httpd.socket, server_side=True)
            secure = up.url.replace("http://", "https://")
            env = {**gateway_env(up, service.url, service.url), "SAAS_URL": secure,
                   "SAAS_DATA_URL": secure, "SERVICE_CA_FILE": str(ca_file)}  # fmt: skip
            with GatewayProcess(env) as gw:
                assert gateway_status(gw, fresh_token()) == 200
                assert up.requests[-1]["path"] == "/content-service/api/x"
            # An upstream certificate nobody vouches for: refused, never proxied in clear.
            env.pop("SERVICE_CA_FILE")
            with GatewayProcess(env) as gw:
                assert gateway_status(gw, fresh_token()) in (502, 503)
    finally:
        service.close()
