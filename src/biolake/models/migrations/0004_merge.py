"""Joins the 0003 migrations that were written side by side (no schema change of its own)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("biolake", "0003_cells"),
        ("biolake", "0003_names"),
        ("biolake", "0003_registries"),
    ]

    operations: list[migrations.operations.base.Operation] = []
