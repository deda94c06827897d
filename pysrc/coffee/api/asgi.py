"""The granian target: `coffee.api.asgi:create` builds the app from the environment."""

from __future__ import annotations

from coffee.api.app import build
from coffee.api.lifecycle import RequestLifecycle
from coffee.api.observability import init_sentry, setup_logging
from coffee.api.settings import ApiSettings
from coffee.config import load


def create() -> RequestLifecycle:
    settings = load(ApiSettings)
    setup_logging(settings.log_level)
    init_sentry(settings.sentry_dsn, settings.env)
    return build(settings)
