"""Identity: users, sessions, login/logout, and the gateway's token and session lookups."""
