"""The one unauthenticated write the gateway lets through: a device initialising itself.

The original gateway skipped the token check when the request PATH contained
`/api/auth/init` (or an Apollo `initDevice*` operation header was sent). Matching the raw URL
let `?x=/api/auth/init` open every route, and the operation header opened every route too.
Here the exemption is exactly the init route: `POST /{service}/api/auth/init[/v2]`, the path
compared whole (query and fragment cut off first, no normalisation: an encoded or dotted
spelling simply needs a token). The operation header grants nothing by itself.

Device ids travel into the upstream's Basic value (`device~device~0:device`), so they are
validated before they go anywhere: a `~` or `:` in one would let a client write the user and
account fields the api reads.
"""

from __future__ import annotations

import re

# What the init route looks like after `/{service}` (the original's two versions).
INIT_PATHS = frozenset(
    {b"/api/auth/init", b"/api/auth/init/", b"/api/auth/init/v2", b"/api/auth/init/v2/"}
)
INIT_METHOD = b"POST"

MAX_DEVICE_ID = 128
# Letters, digits and `-_.` cover UUIDs, Android ids and IDFVs; never a Basic separator.
_DEVICE_ID = re.compile(rb"[A-Za-z0-9._-]{1,%d}" % MAX_DEVICE_ID)


def request_path(url: bytes) -> bytes:
    """The path of a request target: the query and any fragment cut off."""
    for sep in (b"?", b"#"):
        cut = url.find(sep)
        if cut >= 0:
            url = url[:cut]
    return url


def is_device_init(method: bytes, url: bytes) -> bool:
    """Whether this request is the device-init route (`POST /{service}/api/auth/init`)."""
    if method != INIT_METHOD:
        return False
    path = request_path(url)
    slash = path.find(b"/", 1)
    return slash > 0 and path[slash:] in INIT_PATHS


def valid_device_id(device: bytes) -> bool:
    """An absent id is valid (nothing is derived from it); a present one must be plain."""
    return not device or _DEVICE_ID.fullmatch(device) is not None
