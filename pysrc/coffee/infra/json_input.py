"""Client JSON, decoded so that no input can turn into a 500.

msgspec refuses bad syntax and types, but a deeply nested document (`[[[[...` 50,000 levels)
raises RecursionError out of the decoder, and a `\\u0000` escape decodes to a NUL that
PostgreSQL text refuses with an error of its own. Both become `BadJson` here, with a message
for the client, like any other decoding error.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

# A `\u0000` escape preceded by an even number of backslashes (so not the text `\\u0000`).
# Outside strings JSON has no backslashes, so this finds exactly the NULs the document holds.
_ESCAPED_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


class BadJson(ValueError):
    """The client's JSON cannot be used; the message says why (for a 400)."""


def check_text(body: bytes) -> None:
    """Refuses a body that is not UTF-8 or holds a NUL escape (text for PostgreSQL)."""
    try:
        body.decode()
    except UnicodeDecodeError as exc:
        raise BadJson(f"not valid UTF-8 at byte {exc.start}") from None
    if _ESCAPED_NUL.search(body):
        raise BadJson("a string holds a NUL (\\u0000), which text cannot store")


def decode(body: bytes, typ: Any = Any) -> Any:
    """`msgspec.json.decode`, with every way it can fail turned into BadJson."""
    try:
        return msgspec.json.decode(body, type=typ)
    except msgspec.DecodeError as exc:
        message = str(exc)
        if "UTF-8" in message:
            message = f"not valid UTF-8: {message}"
        raise BadJson(message) from None
    except RecursionError:
        raise BadJson("JSON nested too deeply") from None
