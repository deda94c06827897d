"""`coffee api seed --profiles N`: synthetic creators for demos and benchmarks.

Generated inside the databases (generate_series / numbers()), which is far faster than
sending rows: follower counts are log-normal-ish (many small creators, a few huge ones),
categories and countries skewed like a real catalogue, premium fields filled, and for the
first profiles posts with hashtags (PostgreSQL) and 30 days of follower growth (ClickHouse).
Profiles are added after the existing ones, so running it twice adds N more.
"""

from __future__ import annotations

import time

from coffee.api.settings import ApiSettings
from coffee.infra import pg
from coffee.infra.clickhouse import ClickHouse

CATEGORIES = (
    "{fashion,beauty,food,travel,fitness,gaming,tech,music,comedy,education,parenting,finance}"
)
COUNTRIES = "{IN,IN,IN,US,US,GB,BR,ID,DE,FR,JP,MX,NG,AE,CA}"
TAGS = "{love,instagood,fashion,photooftheday,travel,food,fitness,ootd,music,tech,style,reels}"
DETAILED = 20_000  # profiles that also get posts and a follower history


async def seed(settings: ApiSettings, profiles: int) -> dict[str, float | int]:
    started = time.monotonic()
    conn = await pg.connect(settings.pg_dsn())
    try:
        first = await conn.fetchval("SELECT coalesce(max(id), 0) + 1 FROM profiles")
        last = first + profiles - 1
        await conn.execute(
            f"""
            INSERT INTO profiles (id, platform, platform_profile_id, handle, name, bio, category,
                country, city, followers, engagement_rate, email, phone, audience)
            SELECT g,
                (ARRAY['instagram','youtube','tiktok','twitter'])[1 + g % 4],
                'pp' || g,
                'creator_' || g,
                initcap((ARRAY['asha','ravi','maya','leo','zara','kai','noor','ivan'])[1 + g % 8])
                    || ' ' || initcap(md5(g::text)::varchar(6)),
                'bio of creator ' || g,
                ('{CATEGORIES}'::text[])[1 + (hashint4(g::int) & 1023) % 12],
                ('{COUNTRIES}'::text[])[1 + (hashint4((g + 7)::int) & 1023) % 15],
                'city' || (g % 50),
                floor(exp(4 + random() * 11))::bigint,
                round((random() * 0.12)::numeric, 4),
                'creator_' || g || '@example.com',
                '+91' || (9000000000 + g % 999999999),
                jsonb_build_object(
                    'gender', jsonb_build_object('female', g % 100, 'male', 100 - g % 100),
                    'age', jsonb_build_object('18-24', 40, '25-34', 35, '35+', 25))
            FROM generate_series($1::bigint, $2::bigint) g
            """,
            first,
            last,
        )
        await conn.execute("SELECT setval(pg_get_serial_sequence('profiles', 'id'), $1)", last)
        detailed_last = min(last, first + DETAILED - 1)
        await conn.execute(
            f"""
            INSERT INTO posts (profile_id, posted_at, caption, hashtags, likes, comments)
            SELECT p, now() - (n || ' days')::interval, 'post ' || n || ' of ' || p,
                ARRAY[('{TAGS}'::text[])[1 + (p + n) % 12], ('{TAGS}'::text[])[1 + (p * n) % 12]],
                (random() * 10000)::bigint, (random() * 500)::bigint
            FROM generate_series($1::bigint, $2::bigint) p, generate_series(1, 10) n
            """,
            first,
            detailed_last,
        )
        # VACUUM sets the visibility map, so the capped counts are index-only scans.
        await conn.execute("VACUUM ANALYZE profiles")
        await conn.execute("VACUUM ANALYZE posts")
    finally:
        await conn.close()
    ch = ClickHouse(settings.clickhouse_dsn())
    try:
        span = detailed_last - first + 1
        await ch.command(
            f"""
            INSERT INTO follower_timeseries (profile_id, date, followers)
            SELECT {first} + number % {span}, today() - intDiv(number, {span}),
                toUInt64(1000 + (cityHash64(number % {span}) % 100000)
                    + (30 - intDiv(number, {span})) * 50)
            FROM numbers({span * 30})
            """
        )
    finally:
        ch.close()
    return {
        "profiles": profiles,
        "first_id": first,
        "seconds": round(time.monotonic() - started, 1),
    }
