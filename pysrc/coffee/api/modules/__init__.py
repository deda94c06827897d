"""Business modules; each exposes `routes(settings) -> list` of Litestar route handlers."""
