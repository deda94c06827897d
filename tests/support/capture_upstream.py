"""A raw-bytes upstream that records exactly what the gateway forwards.

Each connection's bytes are parsed with h11 (a strict, independent HTTP/1.1 parser), so a
request the gateway smuggled or mis-framed shows up as an extra request or a parse error
rather than being papered over. Answers are canned per path: `responses[path]` is sent raw
(for hostile upstream framing), otherwise a small 200 JSON. A path containing `/slow` waits
`slow_seconds` before answering (to keep a pipelined request queued behind it).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field

import h11


@dataclass
class Captured:
    method: bytes
    target: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes = b""
    trailers: list[tuple[bytes, bytes]] = field(default_factory=list)

    def header(self, name: bytes) -> list[bytes]:
        return [v for k, v in self.headers if k == name.lower()]


class CaptureUpstream:
    def __init__(self, slow_seconds: float = 0.6) -> None:
        self.slow_seconds = slow_seconds
        self.requests: list[Captured] = []
        self.errors: list[str] = []
        self.responses: dict[bytes, bytes | str] = {}  # raw bytes, or 'stream'
        self.connections = 0
        self.lock = threading.Lock()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stop = False

    def __enter__(self) -> CaptureUpstream:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop = True
        self._sock.close()

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.errors.clear()

    def _accept(self) -> None:
        while not self._stop:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with self.lock:
                self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        parser = h11.Connection(h11.SERVER, max_incomplete_event_size=1 << 20)
        current: Captured | None = None
        try:
            while True:
                event = parser.next_event()
                if event is h11.NEED_DATA:
                    data = conn.recv(65536)
                    parser.receive_data(data)
                    if not data:
                        return
                    continue
                if isinstance(event, h11.ConnectionClosed):
                    return
                if isinstance(event, h11.Request):
                    current = Captured(event.method, event.target, list(event.headers))
                elif isinstance(event, h11.Data):
                    current.body += event.data  # type: ignore[union-attr]
                elif isinstance(event, h11.EndOfMessage):
                    current.trailers = list(event.headers)  # type: ignore[union-attr]
                    with self.lock:
                        self.requests.append(current)  # type: ignore[arg-type]
                    self._answer(conn, current)  # type: ignore[arg-type]
                    current = None
                    # The answer was written raw (not through h11): start a fresh parser with
                    # the bytes already received after this request.
                    leftover, closed = parser.trailing_data
                    parser = h11.Connection(h11.SERVER, max_incomplete_event_size=1 << 20)
                    if leftover:
                        parser.receive_data(leftover)
                    if closed:
                        parser.receive_data(b"")  # h11: empty bytes mean end of stream
        except h11.RemoteProtocolError as exc:
            with self.lock:
                self.errors.append(str(exc))
        except (OSError, h11.LocalProtocolError):
            pass
        finally:
            conn.close()

    def _answer(self, conn: socket.socket, req: Captured) -> None:
        path = req.target.partition(b"?")[0]
        if b"/slow" in path:
            time.sleep(self.slow_seconds)
        raw = self.responses.get(path)
        if raw == "stream":  # a chunked body that keeps flowing for 3 s, a chunk every 0.25 s
            conn.sendall(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
            for _ in range(12):
                time.sleep(0.25)
                conn.sendall(b"4\r\ntick\r\n")
            conn.sendall(b"0\r\n\r\n")
            return
        if raw is None:
            body = b'{"ok":true}'
            raw = (
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%b"
                % (
                    len(body),
                    body,
                )
            )
        conn.sendall(raw)
