"""Public real-world traces vendored from Caffeine's simulator (bench/traces/, Apache-2.0),
each read as Caffeine's own parser reads its format, into a list of int keys."""

from __future__ import annotations

import gzip
import lzma
import struct
from pathlib import Path

TRACES_DIR = Path(__file__).parent / "traces"

# name -> (file under bench/traces, format, (cache sizes in entries)). The two sizes are about
# 10% of the trace's distinct keys (under pressure) and 50% (near its working set).
TRACES: dict[str, tuple[str, str, tuple[int, int]]] = {
    "2_pools": ("lirs/2_pools.trace.gz", "lirs", (1_000, 5_000)),  # 9,939 keys
    "cpp": ("lirs/cpp.trace.gz", "lirs", (120, 600)),  # 1,223
    "cs": ("lirs/cs.trace.gz", "lirs", (140, 700)),  # 1,409
    "ps": ("lirs/ps.trace.gz", "lirs", (300, 1_500)),  # 3,083
    "multi1": ("lirs/multi1.trace.gz", "lirs", (260, 1_300)),  # 2,606
    "multi3": ("lirs/multi3.trace.gz", "lirs", (750, 3_700)),  # 7,454
    "zigzag": ("lirs/zigzag.trace.gz", "lirs", (200, 1_000)),  # 2,001
    "orm-night": ("cache2k/orm-night.trace.xz", "cache2k", (8_600, 43_000)),  # 86,466
    "web12": ("cache2k/web12.trace.xz", "cache2k", (1_400, 6_900)),  # 13,756
    "gcc": ("address/gcc.trace.gz", "address", (3_500, 17_500)),  # 35,070
    "swim": ("address/swim.trace.gz", "address", (2_300, 11_300)),  # 22,605
}

QUICK = ("cs", "multi1", "web12", "gcc")  # one or two of each family, the fast ones


def _open(path: Path) -> bytes:
    opener = lzma.open if path.suffix == ".xz" else gzip.open
    with opener(path, "rb") as f:
        return f.read()


def _lirs(data: bytes) -> list[int]:
    """LirsTraceReader: one decimal key per line; '*' lines and empty lines are skipped."""
    return [int(line) for line in data.split() if line != b"*"]


def _cache2k(data: bytes) -> list[int]:
    """Cache2kTraceReader: DataInputStream.readInt, so big-endian signed 32-bit keys."""
    return list(struct.unpack(f">{len(data) // 4}i", data[: len(data) // 4 * 4]))


def _address(data: bytes) -> list[int]:
    """AddressTraceReader: `<type> 0x<hex address> <n>`, the key is the address."""
    return [int(line.split(b" ", 2)[1][2:], 16) for line in data.splitlines() if line]


_READERS = {"lirs": _lirs, "cache2k": _cache2k, "address": _address}


def load(name: str) -> list[int]:
    file, fmt, _ = TRACES[name]
    return _READERS[fmt](_open(TRACES_DIR / file))
