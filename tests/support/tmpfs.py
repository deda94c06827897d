"""A small tmpfs mounted for real, to fill a disk up in a test (the tests run as root, as in
CI); unmounted afterwards whatever happens."""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from collections.abc import Iterator

import pytest


@contextlib.contextmanager
def small_tmpfs(size: str) -> Iterator[str]:
    if os.geteuid() != 0:
        pytest.fail("this test mounts a tmpfs and must run as root")
    where = tempfile.mkdtemp(prefix="coffee-small-fs-")
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", where], check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", where], check=False)
        with contextlib.suppress(OSError):
            os.rmdir(where)
