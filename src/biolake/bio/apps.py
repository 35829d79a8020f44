"""Django app configuration of the ``bio`` schema module (app label ``bio``)."""

from __future__ import annotations

from django.apps import AppConfig


class BioConfig(AppConfig):
    """Ontology-backed biological registries; enabled per instance with ``--modules bio``."""

    name = "biolake.bio"
    label = "bio"
    verbose_name = "biolake biological registries"
    default_auto_field = "django.db.models.BigAutoField"
