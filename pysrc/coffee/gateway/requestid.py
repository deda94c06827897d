"""Request ids shaped as UUIDs (version 4 layout), cheap enough for every request.

A random 80-bit prefix per process plus a 48-bit counter: unique within the process by the
counter and across processes by the prefix, at the cost of one format per request instead of
16 bytes from the OS random source.
"""

from __future__ import annotations

import os


class RequestIds:
    __slots__ = ("counter", "prefix")

    def __init__(self) -> None:
        raw = bytearray(os.urandom(10))
        raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
        raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
        h = raw.hex()
        self.prefix = f"{h[0:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-".encode()
        self.counter = int.from_bytes(os.urandom(4))

    def next(self) -> bytes:
        # Gateway.dispatch inlines this; keep the two the same.
        self.counter = n = (self.counter + 1) & 0xFFFFFFFFFFFF
        return self.prefix + b"%012x" % n
