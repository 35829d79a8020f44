"""Substring search indexes for ``Registry.search()`` (the SQL: :mod:`biolake.setup.search_ddl`).

SQLite: an FTS5 trigram table per searchable registry, kept in sync by triggers and filled from
the existing rows. PostgreSQL: the pg_trgm extension (trusted: the database owner may create it)
and a GIN trigram index per search column; without the extension search still works, unindexed.
"""

from typing import Any

from django.db import migrations

# frozen copy of the indexed registries at this migration (table -> search columns)
INDEXED = {
    "biolake_artifact": ("key", "description"),
    "biolake_collection": ("key", "description"),
    "biolake_transform": ("key", "description"),
    "biolake_run": ("name",),
    "biolake_ulabel": ("name", "description", "synonyms"),
    "biolake_feature": ("name", "description", "synonyms"),
    "biolake_record": ("name", "description"),
    "biolake_schema": ("name", "description"),
    "biolake_project": ("name", "abbr", "description"),
    "biolake_reference": ("name", "abbr", "description", "text"),
}


def forward(apps: Any, schema_editor: Any) -> None:
    from biolake.setup import search_ddl

    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        search_ddl.ensure_sqlite(connection, INDEXED)
    elif connection.vendor == "postgresql":
        search_ddl.ensure_postgres(connection, INDEXED)


def backward(apps: Any, schema_editor: Any) -> None:
    from biolake.setup import search_ddl

    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        search_ddl.drop_sqlite(connection, INDEXED)
    elif connection.vendor == "postgresql":
        search_ddl.drop_postgres(connection, INDEXED)


class Migration(migrations.Migration):
    dependencies = [("biolake", "0005_registries")]

    operations = [migrations.RunPython(forward, backward)]
