"""TimeSeriesManager: follower growth from ClickHouse (reads and held writes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from coffee.api.context import CHSession


class TimeSeriesManager:
    def __init__(self, ch: CHSession) -> None:
        self.ch = ch

    async def growth(self, profile_id: int, days: int) -> list[dict[str, Any]]:
        rows = await self.ch.query(
            "SELECT date, argMax(followers, inserted_at) FROM follower_timeseries "
            "WHERE profile_id = {pid:UInt64} AND date >= today() - {days:UInt32} "
            "GROUP BY date ORDER BY date",
            {"pid": profile_id, "days": days},
        )
        return [{"date": d.isoformat(), "followers": int(f)} for d, f in rows]

    def record(self, profile_id: int, followers: int, day: dt.date | None = None) -> None:
        """Held by the request's ClickHouse session until its commit."""
        self.ch.insert(
            "follower_timeseries",
            [
                {
                    "profile_id": profile_id,
                    "date": (day or dt.date.today()).isoformat(),
                    "followers": followers,
                }
            ],
        )

    def log_change(self, profile_id: int, field: str, value: Any) -> None:
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        self.ch.insert(
            "profile_log",
            [{"profile_id": profile_id, "field": field, "value": str(value), "at": now}],
        )
