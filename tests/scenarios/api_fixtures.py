"""Shared data helpers of the api scenario tests."""

from __future__ import annotations

from tests.support.api_process import ApiProcess


def insert_profiles(api: ApiProcess, n: int, platform: str = "instagram", start: int = 1) -> None:
    """`n` profiles with ids from `start`, followers 1000*i, category fashion/food alternating."""
    api.sql(
        """
        INSERT INTO profiles (id, platform, platform_profile_id, handle, name, category, country,
            followers, email, phone, audience)
        SELECT g, $1, 'pp' || g, 'creator_' || g, 'Creator ' || g,
            CASE WHEN g % 2 = 0 THEN 'fashion' ELSE 'food' END, 'IN', 1000 * g,
            'c' || g || '@example.com', '+9100' || g, '{"gender": {"female": 60}}'::jsonb
        FROM generate_series($2::bigint, $3::bigint) g
        """,
        platform,
        start,
        start + n - 1,
    )
