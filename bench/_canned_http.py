"""A keep-alive HTTP/1.1 server that answers every request with one canned JSON answer (with
Content-Length, or chunked as Go's net/http sends bodies over 2 KB): the far side of
bench/service_client.py, in its own process on uvloop so that it costs the client nothing.

    python -m bench._canned_http PORT
"""

from __future__ import annotations

import asyncio
import sys

import uvloop

SMALL = b'{"status":{"type":"SUCCESS","message":""},"token":"' + b"t" * 200 + b'"}'
LARGE = (
    b'{"partners":[{"id":11,"contracts":['
    + b",".join(
        b'{"contractType":"SAAS","plan":"PAID","startTime":1700000000000,"endTime":1900000000000}'
        for _ in range(40)
    )
    + b"]}]}"
)


def _length_answer(body: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s" % (
        len(body),
        body,
    )


def _chunked_answer(body: bytes) -> bytes:
    chunks = b"".join(
        b"%x\r\n%s\r\n" % (len(body[i : i + 2048]), body[i : i + 2048])
        for i in range(0, len(body), 2048)
    )
    return (
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
        + chunks
        + b"0\r\n\r\n"
    )


ANSWERS = {b"/small": _length_answer(SMALL), b"/large": _chunked_answer(LARGE)}


class Canned(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        # Requests here are bodiless GETs or small POSTs with Content-Length.
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end]
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if len(self.buffer) < end + 4 + length:
                return
            target = head.split(b" ", 2)[1].split(b"?")[0]
            self.buffer = self.buffer[end + 4 + length :]
            self.transport.write(ANSWERS.get(target, ANSWERS[b"/small"]))  # type: ignore[attr-defined]


async def main(port: int) -> None:
    server = await asyncio.get_running_loop().create_server(Canned, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    uvloop.run(main(int(sys.argv[1])))
