"""A write-ahead log for messages the broker could not confirm: append-only, checksummed,
fsynced before an append returns, bounded by size, replayed in order and then trimmed.

Record layout: 4-byte big-endian length, 4-byte CRC-32 of the payload, payload (msgpack of
routing key, body and headers). A torn last record (a crash mid-append) fails its length or
checksum and ends the replay there; everything before it is intact.
"""

from __future__ import annotations

import os
import pathlib
import struct
import threading
import zlib
from collections.abc import Iterator

import msgspec

_HEADER = struct.Struct(">II")


class WalFull(Exception):
    """The log reached its size bound: the caller must push back instead of dropping."""


class Record(msgspec.Struct, array_like=True, frozen=True):
    routing_key: str
    body: bytes
    headers: dict[str, str | int]


class WriteAheadLog:
    def __init__(self, directory: str | os.PathLike[str], max_bytes: int) -> None:
        self.path = pathlib.Path(directory) / "publish.wal"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self._lock = threading.Lock()  # appends come from worker threads (fsync off the loop)
        self._file = open(self.path, "ab")  # noqa: SIM115 - kept open for the process's life
        # Kept, not asked of the file: read before every publish and by the metrics scrape, so
        # no seek per message, and still readable once the log is closed at shutdown.
        self._size = self._file.tell()
        self._encoder = msgspec.msgpack.Encoder()

    @property
    def size(self) -> int:
        return self._size

    def append(self, record: Record) -> None:
        """Durable when it returns (written and fsynced)."""
        payload = self._encoder.encode(record)
        frame = _HEADER.pack(len(payload), zlib.crc32(payload)) + payload
        with self._lock:
            if self.size + len(frame) > self.max_bytes:
                raise WalFull(f"write-ahead log full ({self.size} of {self.max_bytes} bytes)")
            try:
                self._file.write(frame)
                self._file.flush()
                os.fsync(self._file.fileno())
            finally:
                self._size = self._file.tell()  # what is in the file, even after a failed write

    def records(self) -> Iterator[tuple[int, Record]]:
        """(end offset, record) in append order, up to the first torn or corrupt record."""
        decoder = msgspec.msgpack.Decoder(Record)
        with open(self.path, "rb") as f:
            offset = 0
            while True:
                head = f.read(_HEADER.size)
                if len(head) < _HEADER.size:
                    return
                length, crc = _HEADER.unpack(head)
                payload = f.read(length)
                if len(payload) < length or zlib.crc32(payload) != crc:
                    return
                offset += _HEADER.size + length
                yield offset, decoder.decode(payload)

    def trim(self, upto: int) -> None:
        """Forgets the first `upto` bytes (records replayed and confirmed)."""
        with self._lock:
            rest = b""
            if upto < self.size:
                with open(self.path, "rb") as f:
                    f.seek(upto)
                    rest = f.read()
            tmp = self.path.with_suffix(".tmp")
            with open(tmp, "wb") as f:
                f.write(rest)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)  # atomic: a crash leaves the old or the new log
            self._file.close()
            self._file = open(self.path, "ab")  # noqa: SIM115
            self._size = len(rest)

    def close(self) -> None:
        self._file.close()
