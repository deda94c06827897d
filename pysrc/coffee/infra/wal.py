"""A write-ahead log for messages the broker could not confirm: append-only, checksummed,
fsynced before an append returns, bounded by size, replayed in order and then trimmed.

Record layout: 4-byte big-endian length, 4-byte CRC-32 of the payload, payload (msgpack of
routing key, body and headers).

A kill can stop an append at any byte. On open the log is scanned for its last whole frame and
whatever follows (a torn or corrupt tail) is moved aside to `publish.wal.torn-<ns>` and cut off,
so later appends land after good frames and a replay reaches them. An append that fails (disk
full, any I/O error) cuts the file back to where it began, so no partial frame stays behind, and
raises `WalFull`: the same retryable refusal as a log at its bound.
"""

from __future__ import annotations

import logging
import os
import pathlib
import shutil
import struct
import threading
import time
import zlib
from collections.abc import Iterator

import msgspec

log = logging.getLogger(__name__)

_HEADER = struct.Struct(">II")
_COPY_CHUNK = 1 << 20  # trim copies the rest through a buffer of this size, never all at once


class WalFull(Exception):
    """The log cannot take the record (at its bound, disk full, a write error): the caller must
    push back (retryable) instead of dropping."""


class Record(msgspec.Struct, array_like=True, frozen=True):
    routing_key: str
    body: bytes
    headers: dict[str, str | int]


def _whole_frames_end(path: pathlib.Path) -> int:
    """The end offset of the last whole, checksummed frame (0 for an empty or missing file)."""
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return 0
    with f:
        file_size = os.fstat(f.fileno()).st_size
        offset = 0
        while True:
            head = f.read(_HEADER.size)
            if len(head) < _HEADER.size:
                return offset
            length, crc = _HEADER.unpack(head)
            # A garbage length must not make us allocate gigabytes: it cannot pass the end.
            if offset + _HEADER.size + length > file_size:
                return offset
            payload = f.read(length)
            if len(payload) < length or zlib.crc32(payload) != crc:
                return offset
            offset += _HEADER.size + length


class WriteAheadLog:
    def __init__(self, directory: str | os.PathLike[str], max_bytes: int) -> None:
        self.path = pathlib.Path(directory) / "publish.wal"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self._lock = threading.Lock()  # appends come from worker threads (fsync off the loop)
        self.torn_bytes = self._repair_tail()
        self._fd = self._open_for_append()
        # Kept, not asked of the file: read before every publish and by the metrics scrape, so
        # no syscall per message, and still readable once the log is closed at shutdown. Writes
        # are unbuffered (os.write), so it is what is in the file, never bytes held in memory.
        self._size = os.fstat(self._fd).st_size
        self._encoder = msgspec.msgpack.Encoder()

    def _open_for_append(self) -> int:
        return os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def _repair_tail(self) -> int:
        """Moves a torn or corrupt tail aside and cuts it off; returns its length."""
        end = _whole_frames_end(self.path)
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return 0
        if size == end:
            return 0
        aside = self.path.with_name(f"{self.path.name}.torn-{time.time_ns()}")
        with open(self.path, "rb") as src, open(aside, "wb") as dst:
            src.seek(end)
            shutil.copyfileobj(src, dst, _COPY_CHUNK)
        with open(self.path, "r+b") as f:
            f.truncate(end)
            f.flush()
            os.fsync(f.fileno())
        log.warning(
            "write-ahead log %s had a torn tail of %d bytes after its last whole record "
            "(a crash mid-append); cut off and kept in %s",
            self.path, size - end, aside,
        )  # fmt: skip
        return size - end

    @property
    def size(self) -> int:
        return self._size

    def append(self, record: Record) -> None:
        """Durable when it returns (written and fsynced); raises WalFull when it cannot be."""
        payload = self._encoder.encode(record)
        frame = _HEADER.pack(len(payload), zlib.crc32(payload)) + payload
        with self._lock:
            start = self._size
            if start + len(frame) > self.max_bytes:
                raise WalFull(f"write-ahead log full ({start} of {self.max_bytes} bytes)")
            try:
                view = memoryview(frame)
                while view:  # os.write may write less than asked (a signal, a nearly full disk)
                    view = view[os.write(self._fd, view) :]
                os.fsync(self._fd)
            except OSError as exc:
                self._cut_back(start)
                raise WalFull(
                    f"write-ahead log cannot write ({exc.strerror or exc}); retry later"
                ) from exc
            self._size = start + len(frame)

    def _cut_back(self, start: int) -> None:
        """Removes a partial frame a failed append left, so the next open finds no torn tail.
        If even that fails, the open-time repair cuts it off; the size is then read back."""
        try:
            os.ftruncate(self._fd, start)
            os.fsync(self._fd)
            self._size = start
        except OSError:
            log.exception("cutting a failed append out of %s failed", self.path)
            self._size = os.fstat(self._fd).st_size

    def records(self, start: int = 0, max_bytes: int | None = None) -> Iterator[tuple[int, Record]]:
        """(end offset, record) in append order from `start`, up to the first torn or corrupt
        record; with `max_bytes`, stops after the first record that reaches that many bytes
        past `start` (a bounded chunk: the replay never holds the whole log in memory)."""
        decoder = msgspec.msgpack.Decoder(Record)
        # Only what appends have finished (written and fsynced): a frame being written now may
        # already be whole in the file, but its append can still fail and be cut back.
        durable = self._size
        with open(self.path, "rb") as f:
            file_size = min(os.fstat(f.fileno()).st_size, durable)
            f.seek(start)
            offset = start
            while max_bytes is None or offset - start < max_bytes:
                head = f.read(_HEADER.size)
                if len(head) < _HEADER.size:
                    return
                length, crc = _HEADER.unpack(head)
                if offset + _HEADER.size + length > file_size:
                    return
                payload = f.read(length)
                if len(payload) < length or zlib.crc32(payload) != crc:
                    return
                offset += _HEADER.size + length
                yield offset, decoder.decode(payload)

    def trim(self, upto: int) -> None:
        """Forgets the first `upto` bytes (records replayed and confirmed). The rest is copied
        through a small buffer into a new file that replaces the log atomically."""
        with self._lock:
            tmp = self.path.with_suffix(".tmp")
            try:
                with open(self.path, "rb") as src, open(tmp, "wb") as dst:
                    src.seek(min(upto, self._size))
                    shutil.copyfileobj(src, dst, _COPY_CHUNK)
                    dst.flush()
                    os.fsync(dst.fileno())
            except OSError:  # disk full: the log stays whole, the replayed records are resent
                tmp.unlink(missing_ok=True)
                raise
            os.replace(tmp, self.path)  # atomic: a crash leaves the old or the new log
            os.close(self._fd)
            self._fd = self._open_for_append()
            self._size = os.fstat(self._fd).st_size

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
