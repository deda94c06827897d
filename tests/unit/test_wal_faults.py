"""The write-ahead log under real faults (issue 19 items 1 and 2): a writer killed with SIGKILL
at random points of its appends, and a filesystem that fills up under load."""

from __future__ import annotations

import os
import random
import resource
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from coffee.infra.wal import Record, WalFull, WriteAheadLog

from tests.support.tmpfs import small_tmpfs

# Appends numbered records forever, printing each number once its append has returned (the
# acknowledgement). Large records make a kill land inside a write or an fsync often.
_WRITER = textwrap.dedent(
    """
    import sys
    from coffee.infra.wal import Record, WriteAheadLog
    wal = WriteAheadLog(sys.argv[1], max_bytes=1 << 40)
    last = -1
    for _, record in wal.records():
        last = int(record.routing_key)
    print("ready", flush=True)
    seq = last + 1
    while True:
        wal.append(Record(str(seq), bytes([seq % 251]) * (seq * 7919 % 200_000), {"n": seq}))
        print(seq, flush=True)
        seq += 1
    """
)


def test_every_acknowledged_append_survives_a_kill_at_any_point(tmp_path):
    rng = random.Random(19)
    acked: set[int] = set()
    for _ in range(60):
        child = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True
        )
        assert child.stdout.readline() == "ready\n"
        time.sleep(rng.uniform(0, 0.03))  # a random point of some append
        child.kill()
        out, _ = child.communicate()
        acked.update(int(line) for line in out.split())
    wal = WriteAheadLog(tmp_path, max_bytes=1 << 40)
    seqs = [int(r.routing_key) for _, r in wal.records()]
    for _, r in wal.records():
        assert r.body == bytes([int(r.routing_key) % 251]) * (int(r.routing_key) * 7919 % 200_000)
    assert seqs == list(range(len(seqs))), "replayed once each, in order, with no gap"
    assert acked <= set(seqs), f"acknowledged but lost: {sorted(acked - set(seqs))[:10]}"
    # the kept size is what is on disk (no torn tail left after the last reopen)
    assert wal.size == wal.path.stat().st_size


@pytest.fixture
def small_fs():
    with small_tmpfs("2m") as where:
        yield where


def test_a_full_disk_is_a_retryable_refusal_with_no_torn_frame(small_fs):
    wal = WriteAheadLog(small_fs, max_bytes=1 << 30)  # the bound is not what stops it
    appended = 0
    refusals = 0
    for i in range(200):
        try:
            wal.append(Record(str(i), os.urandom(50_000), {}))
            appended += 1
        except WalFull as exc:
            assert "No space left on device" in str(exc)
            refusals += 1
        # the kept size is what is on disk, and the file holds only whole frames
        assert wal.size == wal.path.stat().st_size
    assert appended > 0 and refusals > 0
    assert len(list(wal.records())) == appended
    # Space frees (the replay trimmed what the broker confirmed): appends go on.
    wal.trim(wal.size)
    wal.append(Record("after", b"x" * 50_000, {}))
    assert [r.routing_key for _, r in wal.records()] == ["after"]
    wal.close()
    reopened = WriteAheadLog(small_fs, max_bytes=1 << 30)
    assert reopened.torn_bytes == 0 and [r.routing_key for _, r in reopened.records()] == ["after"]


def _limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a kill


def test_any_write_error_is_the_same_refusal(tmp_path):
    # A file-size limit (EFBIG) in a child: another write error than ENOSPC.
    script = textwrap.dedent(
        """
        import os, sys
        from coffee.infra.wal import Record, WalFull, WriteAheadLog
        wal = WriteAheadLog(sys.argv[1], max_bytes=1 << 30)
        ok = 0
        for i in range(20):
            try:
                wal.append(Record(str(i), b"y" * 40_000, {}))
                ok += 1
            except WalFull as exc:
                assert "File too large" in str(exc), exc
                assert wal.size == os.path.getsize(wal.path)
        print(ok)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        preexec_fn=_limit_file_size,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    ok = int(out)
    assert 0 < ok < 20
    assert len(list(WriteAheadLog(tmp_path, max_bytes=1 << 30).records())) == ok
