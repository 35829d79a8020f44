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
        """Plug the cell-level queries (:mod:`biolake.cells`, a layer above the registries) into them;
        repair the search index after migrations."""
        from django.db.models.signals import post_migrate

        from biolake import cells

        cells.plug_in()
        post_migrate.connect(_repair_search_index, sender=self)


def _repair_search_index(sender: AppConfig, using: str = "default", **kwargs: object) -> None:
    """Keep the SQLite search index in sync after migrations that remade an indexed table."""
    from django.db import connections

    from biolake.models import search_index

    if connections[using].vendor == "sqlite":
        search_index.repair_sqlite(connections[using])
