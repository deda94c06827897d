"""Search parameters of the original (`sortBy`, `sortDir`, `cursor`, `size`, `filters`).

The original silently reset a page >= 1000 to 1 and a size >= 100 to 50 (a defect): here a
value beyond the caps (settings, default page 1000 and size 100) is refused with a 400 that
states the cap. Fields and filter types come from allow-lists, never from the client into SQL.
"""

from __future__ import annotations

from typing import Any

import msgspec

from coffee.api.envelope import ApiError
from coffee.infra import json_input

PLATFORMS = ("instagram", "youtube", "tiktok", "twitter")
# API field -> (column, type)
FIELDS: dict[str, tuple[str, type]] = {
    "platform": ("platform", str),
    "followers": ("followers", int),
    "followerCount": ("followers", int),
    "engagementRate": ("engagement_rate", float),
    "category": ("category", str),
    "country": ("country", str),
    "city": ("city", str),
    "text": ("text", str),
}
SORTS = {"id": "id", "followers": "followers", "followerCount": "followers"}
# The integer columns are int8; a value beyond it is refused here rather than by the database.
INT8_MIN, INT8_MAX = -(2**63), 2**63 - 1
COMPARE = {"EQ": "=", "NEQ": "<>", "GT": ">", "GTE": ">=", "LT": "<", "LTE": "<="}


class Filter(msgspec.Struct):
    filterType: str
    field: str
    value: Any = None


class SearchBody(msgspec.Struct):
    filters: list[Filter] = []


class SearchParams(msgspec.Struct, frozen=True):
    platform: str
    filters: tuple[Filter, ...]
    sort_by: str
    sort_dir: str
    page: int
    size: int


def _int(name: str, raw: str | None, default: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be an integer, got {raw!r}") from None


def parse(
    query: dict[str, str],
    body: bytes,
    path_platform: str | None,
    page_cap: int,
    size_cap: int,
) -> SearchParams:
    page = _int("cursor", query.get("cursor"), 1)
    size = _int("size", query.get("size"), 50)
    if not 1 <= page <= page_cap:
        raise ApiError(400, f"cursor (page) must be between 1 and {page_cap}, got {page}")
    if not 1 <= size <= size_cap:
        raise ApiError(400, f"size must be between 1 and {size_cap}, got {size}")
    sort_by = query.get("sortBy") or "id"
    if sort_by not in SORTS:
        raise ApiError(400, f"sortBy must be one of {sorted(SORTS)}, got {sort_by!r}")
    sort_dir = (query.get("sortDir") or "DESC").upper()
    if sort_dir not in ("ASC", "DESC"):
        raise ApiError(400, f"sortDir must be ASC or DESC, got {sort_dir!r}")
    try:
        parsed = json_input.decode(body or b"{}", SearchBody)
    except json_input.BadJson as exc:
        raise ApiError(400, f"bad search body: {exc}") from None
    filters = []
    platform = path_platform
    for f in parsed.filters:
        if f.field not in FIELDS:
            raise ApiError(400, f"unknown filter field {f.field!r}; known: {sorted(FIELDS)}")
        if f.field == "platform":
            platform = str(f.value).lower() if f.value is not None else None
            continue
        filters.append(_checked(f))
    if not platform:
        raise ApiError(400, "a platform filter is required")
    platform = platform.lower()
    if platform not in PLATFORMS:
        raise ApiError(400, f"platform must be one of {list(PLATFORMS)}, got {platform!r}")
    return SearchParams(platform, tuple(filters), SORTS[sort_by], sort_dir, page, size)


def _checked(f: Filter) -> Filter:
    kind = f.filterType.upper()
    column, typ = FIELDS[f.field]
    if column == "text":
        if kind not in ("LIKE", "EQ") or not isinstance(f.value, str) or not f.value.strip():
            raise ApiError(400, "the text filter takes filterType LIKE and a non-empty string")
        return Filter("LIKE", "text", f.value.strip().lower())
    if kind == "IN":
        values = f.value if isinstance(f.value, list) else None
        if not values:
            raise ApiError(400, f"filter {f.field} IN needs a non-empty list")
        return Filter("IN", f.field, [_value(f.field, typ, v) for v in values])
    if kind == "RANGE":
        v = f.value if isinstance(f.value, dict) else {}
        lo, hi = v.get("min"), v.get("max")
        if lo is None and hi is None:
            raise ApiError(400, f"filter {f.field} RANGE needs min and/or max")
        return Filter(
            "RANGE",
            f.field,
            (
                None if lo is None else _value(f.field, typ, lo),
                None if hi is None else _value(f.field, typ, hi),
            ),
        )
    if kind not in COMPARE:
        raise ApiError(400, f"unknown filterType {f.filterType!r}")
    return Filter(kind, f.field, _value(f.field, typ, f.value))


def _value(field: str, typ: type, value: Any) -> Any:
    try:
        if typ is str:
            if not isinstance(value, str):
                raise TypeError
            return value.upper() if field == "country" else value.lower()
        if isinstance(value, bool):
            raise TypeError
        number = typ(value)
        if typ is int and not INT8_MIN <= number <= INT8_MAX:
            raise ValueError
        return number
    except (TypeError, ValueError):
        raise ApiError(400, f"bad value {value!r} for filter {field}") from None
