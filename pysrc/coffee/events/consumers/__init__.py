"""`coffee consumers`: event queues into ClickHouse (sinkers, retries, dead letters)."""
