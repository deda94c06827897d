"""The original's HTTP intake of third-party webhooks (branch, vidooly, webengage, shopify,
graphy) on GIN_PORT, each source with its own queue, workers, exchange and write-ahead log."""
