"""Search indexes for a million artifacts (issue 15); the DDL is :mod:`biolake.setup.search_ddl`.

- Case-insensitive B-trees per search column, so that ``search()`` finds exact and prefix
  matches without reading every row that contains the query (SQLite ``column COLLATE NOCASE``;
  PostgreSQL ``left(upper(column), 200) text_pattern_ops``).
- SQLite: one FTS5 trigram table per search column (``<table>_fts_<column>``) instead of one per
  table (0006): a column's posting lists then hold only that column's rows.
"""

from typing import Any

from django.db import migrations

from biolake.setup import search_ddl

# the search columns at this migration (frozen in biolake.setup.search_ddl)
INDEXED = search_ddl.SEARCH_COLUMNS_0006


def forward(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    search_ddl.ensure_prefix_indexes(connection, INDEXED)
    if connection.vendor == "sqlite":
        search_ddl.drop_sqlite(connection, INDEXED)
        search_ddl.ensure_sqlite_columns(connection, INDEXED)


def backward(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    search_ddl.drop_prefix_indexes(connection, INDEXED)
    if connection.vendor == "sqlite":
        search_ddl.drop_sqlite_columns(connection, INDEXED)
        search_ddl.ensure_sqlite(connection, INDEXED)


class Migration(migrations.Migration):
    dependencies = [("biolake", "0006_search")]

    operations = [migrations.RunPython(forward, backward)]
