"""Discovery: creator profile search (PostgreSQL) and follower growth (ClickHouse)."""
