"""Substring search indexes for ``Registry.search()`` (the SQL: :mod:`biolake.setup.search_ddl`).

SQLite: an FTS5 trigram table per searchable registry, kept in sync by triggers and filled from
the existing rows. PostgreSQL: the pg_trgm extension (trusted: the database owner may create it)
and a GIN trigram index per search column; without the extension search still works, unindexed.
"""

from typing import Any

from django.db import migrations

from biolake.setup import search_ddl

# the search columns at this migration (frozen in biolake.setup.search_ddl)
INDEXED = search_ddl.SEARCH_COLUMNS_0006


def forward(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        search_ddl.ensure_sqlite(connection, INDEXED)
    elif connection.vendor == "postgresql":
        search_ddl.ensure_postgres(connection, INDEXED)


def backward(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        search_ddl.drop_sqlite(connection, INDEXED)
    elif connection.vendor == "postgresql":
        search_ddl.drop_postgres(connection, INDEXED)


class Migration(migrations.Migration):
    dependencies = [("biolake", "0005_registries")]

    operations = [migrations.RunPython(forward, backward)]
