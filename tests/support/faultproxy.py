"""A TCP proxy that injects real network faults between a client and a server.

Tests put it between the code under test and Redis, RabbitMQ, PostgreSQL or an upstream:

    with FaultProxy(("127.0.0.1", 5672)) as proxy:
        url = f"amqp://guest:guest@127.0.0.1:{proxy.port}/"
        ...
        proxy.cut()        # drop every open connection and refuse new ones (RST)
        proxy.restore()    # accept again
        proxy.slow(0.2)    # add 200 ms before each forwarded chunk

It runs on plain threads so it works whatever event loop (or none) the test uses.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading
import time


class FaultProxy:
    def __init__(self, target: tuple[str, int], listen_host: str = "127.0.0.1") -> None:
        self.target = target
        self._listener = socket.create_server((listen_host, 0), reuse_port=False)
        self._listener.settimeout(0.1)
        self.host, self.port = self._listener.getsockname()[:2]
        self._lock = threading.Lock()
        self._pairs: set[tuple[socket.socket, socket.socket]] = set()
        self._cut = False
        self._delay = 0.0
        self._running = True
        self.accepted = 0
        self._thread = threading.Thread(target=self._accept_loop, name="faultproxy", daemon=True)
        self._thread.start()

    # -- faults -------------------------------------------------------------------------------
    def cut(self) -> None:
        """Reset every open connection and refuse (reset) new ones until restore()."""
        with self._lock:
            self._cut = True
            pairs = list(self._pairs)
            self._pairs.clear()
        for pair in pairs:
            for sock in pair:
                _reset(sock)

    def restore(self) -> None:
        with self._lock:
            self._cut = False
            self._delay = 0.0

    def slow(self, seconds: float) -> None:
        """Delay every forwarded chunk by ``seconds`` (both directions)."""
        with self._lock:
            self._delay = seconds

    @property
    def url_host(self) -> str:
        return f"{self.host}:{self.port}"

    # -- plumbing -----------------------------------------------------------------------------
    def _accept_loop(self) -> None:
        while self._running:
            try:
                client, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            with self._lock:
                refused = self._cut
            if refused:
                _reset(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _reset(client)
                continue
            for sock in (client, upstream):
                sock.settimeout(None)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            pair = (client, upstream)
            with self._lock:
                self._pairs.add(pair)
                self.accepted += 1
            threading.Thread(target=self._pump, args=(pair,), daemon=True).start()

    def _pump(self, pair: tuple[socket.socket, socket.socket]) -> None:
        client, upstream = pair
        peer = {client: upstream, upstream: client}
        try:
            while self._running:
                with self._lock:
                    if pair not in self._pairs:
                        return
                    delay = self._delay
                readable, _, _ = select.select([client, upstream], [], [], 0.1)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if delay:
                        time.sleep(delay)
                    peer[sock].sendall(data)
        except OSError:
            return
        finally:
            with self._lock:
                self._pairs.discard(pair)
            for sock in pair:
                _reset(sock)

    def close(self) -> None:
        self._running = False
        self.cut()
        self._thread.join(timeout=2)
        self._listener.close()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _reset(sock: socket.socket) -> None:
    """Close with RST (SO_LINGER 0), as a dropped link looks to the peer."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()
