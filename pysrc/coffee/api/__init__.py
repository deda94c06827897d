"""The api service ("Coffee"): business modules behind the gateway (issue 4)."""
