"""Django app configuration of the ``wetlab`` schema module."""

from __future__ import annotations

from django.apps import AppConfig


class WetlabConfig(AppConfig):
    """Biosamples, donors, treatments, experiments and wells, linked to artifacts and bio entities."""

    name = "biolake.wetlab"
    label = "wetlab"
    verbose_name = "biolake wet-lab registries"
    default_auto_field = "django.db.models.BigAutoField"
