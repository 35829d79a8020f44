"""Django app configuration of the core registries (app label ``biolake``)."""

from __future__ import annotations

from django.apps import AppConfig


class BiolakeConfig(AppConfig):
    """Registers the defaults hook: each activated instance gets its user and storage records."""

    name = "biolake"
    label = "biolake"
    verbose_name = "biolake core registries"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from biolake.models.current import ensure_defaults
        from biolake.setup import django_boot

        django_boot.add_activation_hook(ensure_defaults)
