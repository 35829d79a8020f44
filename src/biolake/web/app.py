"""The WSGI application: Django's handler behind whitenoise (static files and vendored JavaScript)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from biolake.setup import django_boot
from biolake.web.config import LOOPBACK_NAMES, WebConfig

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
TEMPLATE_DIR = HERE / "templates"


def _allowed_hosts(config: WebConfig) -> list[str]:
    """Loopback names only on loopback (a page of another site cannot rebind its name to us)."""
    if config.token:
        return ["*"]  # the token guards the server
    return [name.strip("[]") for name in LOOPBACK_NAMES] + ["[::1]", "testserver"]


def configure(config: WebConfig) -> None:
    """Add the web settings to Django (idempotent; the config may change between calls, as in tests)."""
    django_boot.configure_web(
        BIOLAKE_WEB=config,
        ROOT_URLCONF="biolake.web.urls",
        SECRET_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS=_allowed_hosts(config),
        DEBUG=False,
        MIDDLEWARE=[
            "biolake.web.middleware.security_headers",
            "biolake.web.middleware.require_token",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "biolake.web.middleware.read_only",
        ],
        TEMPLATES=[{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [str(TEMPLATE_DIR)],
            "APP_DIRS": False,
            "OPTIONS": {
                "context_processors": ["django.template.context_processors.request", "biolake.web.context.site"],
                "builtins": ["biolake.web.templatetags"],
            },
        }],
        CSRF_COOKIE_SAMESITE="Strict",
        CSRF_COOKIE_HTTPONLY=False,
        CSRF_FAILURE_VIEW="biolake.web.views.errors.csrf_failure",
        X_FRAME_OPTIONS="DENY",
        APPEND_SLASH=True,
    )


def make_app(config: WebConfig) -> Any:
    """The WSGI application for ``config`` (the current instance must be connected)."""
    from django.core.handlers.wsgi import WSGIHandler
    from whitenoise import WhiteNoise

    configure(config)
    return WhiteNoise(WSGIHandler(), root=str(STATIC_DIR), prefix="static/", max_age=3600)
