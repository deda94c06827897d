"""Small real HTTP servers for the gateway's tests: an upstream that echoes what it received,
and the identity and partner services speaking the originals' protocols.

They run on threads (ThreadingHTTPServer) on loopback port 0; the gateway under test is a
real `coffee gateway` process talking to them over TCP (through a FaultProxy when a test
injects faults).
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Server:
    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.owner = self  # type: ignore[attr-defined]
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.lock = threading.Lock()
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:  # quiet
        return

    @property
    def owner(self) -> Any:
        return self.server.owner  # type: ignore[attr-defined]

    def _body(self) -> bytes:
        length = int(self.headers.get("content-length") or 0)
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, payload: object, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            return  # the gateway gave up on this answer (its upstream timeout): expected


class EchoUpstream(_Server):
    """Answers every request with what it received: method, path, headers (all values of
    each name, lower-cased names) and body. `/slow/{seconds}/...` waits first."""

    def __init__(self) -> None:
        super().__init__(_EchoHandler)
        self.requests: list[dict[str, Any]] = []


class _EchoHandler(_Handler):
    def _echo(self) -> None:
        body = self._body()
        parts = self.path.split("/")
        if len(parts) > 3 and parts[2] == "slow":
            time.sleep(float(parts[3]))
        if len(parts) > 2 and parts[2] == "chunked":  # a streamed answer, three chunks
            self.send_response(200)
            self.send_header("transfer-encoding", "chunked")
            self.end_headers()
            for piece in (b"one,", b"two,", b"three"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.flush()
                time.sleep(0.05)
            self.wfile.write(b"0\r\n\r\n")
            return
        headers: dict[str, list[str]] = {}
        for name, value in self.headers.items():
            headers.setdefault(name.lower(), []).append(value)
        record = {
            "method": self.command,
            "path": self.path,
            "headers": headers,
            "body": body.decode("latin-1"),
        }
        with self.owner.lock:
            self.owner.requests.append(record)
        self._send(200, record, {"access-control-allow-origin": "https://evil.example"})

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _echo


class IdentityService(_Server):
    """`POST /auth/verify/token`: SUCCESS for a token in `valid` (with the account's name from
    `names`, as the original identity answers `userClientAccount`); counts its calls."""

    def __init__(self) -> None:
        super().__init__(_IdentityHandler)
        self.valid: set[str] = set()
        self.names: dict[str, str] = {}
        self.calls = 0
        self.calls_by_token: dict[str, int] = {}


class _IdentityHandler(_Handler):
    def do_POST(self) -> None:
        body = json.loads(self._body() or b"{}")
        owner = self.owner
        token = body.get("token")
        with owner.lock:
            owner.calls += 1
            owner.calls_by_token[token] = owner.calls_by_token.get(token, 0) + 1
            ok = token in owner.valid
            name = owner.names.get(token)
        if not self.path.startswith("/auth/verify/token"):
            self._send(404, {"error": "not found"})
            return
        answer: dict[str, Any] = {"status": {"type": "SUCCESS" if ok else "FAILURE", "message": ""}}
        if ok and name is not None:
            answer["userClientAccount"] = {"userId": 7, "name": name, "partnerProfile": {}}
        self._send(200, answer)


class PartnerService(_Server):
    """`GET /partner/{id}`: the partner with its contracts; counts its calls per partner."""

    def __init__(self) -> None:
        super().__init__(_PartnerHandler)
        self.contracts: dict[int, list[dict[str, Any]]] = {}
        self.calls: dict[int, int] = {}

    def set_contract(self, partner_id: int, plan: str, start: float, end: float) -> None:
        """A SAAS contract valid over [start, end) (epoch seconds)."""
        contract = {
            "id": 1,
            "partnerId": partner_id,
            "contractType": "SAAS",
            "status": "ACTIVE",
            "plan": plan,
            "startTime": int(start * 1000),
            "endTime": int(end * 1000),
        }
        with self.lock:
            self.contracts[partner_id] = [contract]


class _PartnerHandler(_Handler):
    def do_GET(self) -> None:
        parts = self.path.strip("/").split("/")
        if len(parts) != 2 or parts[0] != "partner" or not parts[1].isdigit():
            self._send(404, {"error": "not found"})
            return
        pid = int(parts[1])
        owner = self.owner
        with owner.lock:
            owner.calls[pid] = owner.calls.get(pid, 0) + 1
            contracts = list(owner.contracts.get(pid, []))
        partner = {"id": pid, "name": f"partner {pid}", "status": "ACTIVE", "contracts": contracts}
        self._send(200, {"status": {"type": "SUCCESS"}, "partners": [partner]})
