"""The cost of an L1 entry in bytes of memory, so that `L1_MAX_COST` bounds memory, not a count.

Measured once when an entry is stored: the key's and the value's Python objects (followed
through containers and `__slots__`/`__dict__` attributes, each object counted once) plus what
the native cache spends per entry besides them.
"""

from __future__ import annotations

import sys
from typing import Any

# What one entry costs inside the native cache beyond the key and value objects: its slot,
# links, hash-table cell and the table's growth headroom (measured: about 193 bytes per entry
# over a million entries, tests/unit/test_l1_cost.py bounds the whole).
NATIVE_ENTRY_BYTES = 200


def _deep_size(obj: Any) -> int:
    seen: set[int] = set()
    stack = [obj]
    total = 0
    while stack:
        o = stack.pop()
        if id(o) in seen:
            continue
        seen.add(id(o))
        total += sys.getsizeof(o)
        if isinstance(o, str | bytes | bytearray | int | float | bool) or o is None:
            continue
        if isinstance(o, dict):
            stack.extend(o.keys())
            stack.extend(o.values())
        elif isinstance(o, list | tuple | set | frozenset):
            stack.extend(o)
        else:
            for cls in type(o).__mro__:
                for name in getattr(cls, "__slots__", ()):
                    if hasattr(o, name):
                        stack.append(getattr(o, name))
            if hasattr(o, "__dict__"):
                stack.append(o.__dict__)
    return total


def entry_cost(key: object, value: object) -> int:
    """Bytes one L1 entry holds: the key, the value and the native entry."""
    return NATIVE_ENTRY_BYTES + _deep_size(key) + _deep_size(value)
