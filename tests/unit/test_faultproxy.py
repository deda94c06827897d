"""The fault proxy itself: forwards bytes, cuts links, refuses while cut, restores."""

import contextlib
import socket
import threading

import pytest

from tests.support.faultproxy import FaultProxy


@pytest.fixture
def echo_server():
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            threading.Thread(target=_echo, args=(conn,), daemon=True).start()

    def _echo(conn):
        with conn, contextlib.suppress(OSError):
            while data := conn.recv(1024):
                conn.sendall(data)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()
    stop.set()
    thread.join()
    server.close()


def _roundtrip(port: int, payload: bytes) -> bytes:
    """Send and read back; b"" when the link is closed or reset."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(payload)
            return sock.recv(1024)
    except OSError:
        return b""


def _closed(sock: socket.socket) -> bool:
    try:
        return sock.recv(10) == b""
    except OSError:
        return True


def test_forwards_cuts_and_restores(echo_server):
    with FaultProxy(echo_server) as proxy:
        assert _roundtrip(proxy.port, b"hello") == b"hello"
        held = socket.create_connection(("127.0.0.1", proxy.port), timeout=2)
        held.sendall(b"x")
        assert held.recv(10) == b"x"
        proxy.cut()
        assert _closed(held)
        held.close()
        assert _roundtrip(proxy.port, b"refused") == b""
        proxy.restore()
        assert _roundtrip(proxy.port, b"back") == b"back"
