"""Django app configuration of the core registries (app label ``biolake``)."""

from __future__ import annotations

from django.apps import AppConfig


class BiolakeConfig(AppConfig):
    """The core registries; ``biolake.models`` registers the activation hook (default records)."""

    name = "biolake"
    label = "biolake"
    verbose_name = "biolake core registries"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Plug the cell-level queries (:mod:`biolake.cells`, a layer above the registries) into them."""
        from biolake import cells

        cells.plug_in()
