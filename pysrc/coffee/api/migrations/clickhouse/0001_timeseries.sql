-- Follower growth per profile and day; a retried insert with the same token is stored once.
CREATE TABLE IF NOT EXISTS follower_timeseries (
    profile_id UInt64,
    date Date,
    followers UInt64,
    inserted_at DateTime DEFAULT now()
) ENGINE = MergeTree ORDER BY (profile_id, date)
SETTINGS non_replicated_deduplication_window = 10000;
CREATE TABLE IF NOT EXISTS profile_log (
    profile_id UInt64,
    field String,
    value String,
    at DateTime64(3)
) ENGINE = MergeTree ORDER BY (profile_id, at)
SETTINGS non_replicated_deduplication_window = 10000
