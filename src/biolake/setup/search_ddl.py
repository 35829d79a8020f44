"""The SQL that creates and drops the search indexes (below the models, so that migrations can use it).

SQLite: an external-content FTS5 table per registry (``<table>_fts``, trigram tokenizer, so that
substrings match as LaminDB's search does), kept in sync by insert/update/delete triggers.
PostgreSQL: the trusted ``pg_trgm`` extension and a GIN trigram index per search column. Every
function takes the tables and columns to index: a migration passes its own frozen copy.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

# The search columns (table -> columns) as created by migration 0006 and re-indexed by 0007.
# Frozen: both migrations and biolake.models.search_index read it. A registry or column that
# becomes searchable later gets a new constant here and a new migration; never edit this one.
SEARCH_COLUMNS_0006: dict[str, tuple[str, ...]] = {
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


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_statements(table: str, columns: tuple[str, ...]) -> list[str]:
    fts, cols = quote(table + "_fts"), ", ".join(quote(c) for c in columns)
    new = ", ".join(f"new.{quote(c)}" for c in columns)
    old = ", ".join(f"old.{quote(c)}" for c in columns)
    insert = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new});"
    delete = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({cols}, content={quote(table)}, "
        f"content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER IF NOT EXISTS {quote(table + '_fts_ai')} AFTER INSERT ON {quote(table)} BEGIN {insert} END",
        f"CREATE TRIGGER IF NOT EXISTS {quote(table + '_fts_ad')} AFTER DELETE ON {quote(table)} BEGIN {delete} END",
        f"CREATE TRIGGER IF NOT EXISTS {quote(table + '_fts_au')} AFTER UPDATE OF {cols} ON {quote(table)} "
        f"BEGIN {delete} {insert} END",
    ]


def missing_triggers(cursor: Any, table: str) -> bool:
    cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s AND name LIKE %s",
                   [table, table + "_fts_%"])
    return bool(cursor.fetchone()[0] < 3)


def ensure_sqlite(connection: Any, indexed: dict[str, tuple[str, ...]]) -> None:
    """Create the FTS5 tables and triggers that are missing; rebuild an index whose triggers were
    missing (new, or dropped when a migration remade its table)."""
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table, columns in indexed.items():
            if table not in tables:
                continue
            stale = missing_triggers(cursor, table)
            for statement in _sqlite_statements(table, columns):
                cursor.execute(statement)
            if stale:
                fts = quote(table + "_fts")
                cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def drop_sqlite(connection: Any, indexed: dict[str, tuple[str, ...]]) -> None:
    """Remove the FTS5 tables and triggers (the migration's reverse)."""
    with connection.cursor() as cursor:
        for table in indexed:
            for suffix in ("_fts_ai", "_fts_ad", "_fts_au"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {quote(table + suffix)}")
            cursor.execute(f"DROP TABLE IF EXISTS {quote(table + '_fts')}")


def _pg_index(table: str, column: str) -> str:
    return f"{table}_{column}_trgm"[:63]


def ensure_postgres(connection: Any, indexed: dict[str, tuple[str, ...]]) -> bool:
    """Create pg_trgm (a trusted extension: a database owner needs no superuser) and the GIN
    indexes; ``False`` (and no index) when the extension cannot be created."""
    with connection.cursor() as cursor:
        try:
            with _savepoint(connection):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception:  # no privilege / extension not installed: search still works, unindexed
            return False
        tables = set(connection.introspection.table_names())
        for table, columns in indexed.items():
            if table in tables:
                for column in columns:
                    cursor.execute(f"CREATE INDEX IF NOT EXISTS {quote(_pg_index(table, column))} ON {quote(table)} "
                                   f"USING gin ((UPPER({quote(column)}::text)) gin_trgm_ops)")
    return True


def drop_postgres(connection: Any, indexed: dict[str, tuple[str, ...]]) -> None:
    """Remove the GIN indexes (the extension stays: other databases objects may use it)."""
    with connection.cursor() as cursor:
        for table, columns in indexed.items():
            for column in columns:
                cursor.execute(f"DROP INDEX IF EXISTS {quote(_pg_index(table, column))}")


def _savepoint(connection: Any) -> Any:
    from django.db import transaction

    return transaction.atomic(using=connection.alias)


# -- B-tree indexes for exact and prefix matches of search() (migration 0007) -----------------------
PREFIX_CHARS = 200  # PostgreSQL indexes the first characters only: a B-tree entry has a size limit


def _prefix_index(table: str, column: str) -> str:
    return f"{table}_{column}_ci"[:63]


def _existing_columns(connection: Any, indexed: dict[str, tuple[str, ...]]) -> Iterator[tuple[str, str]]:
    """``(table, column)`` of each search column whose table exists in this database."""
    tables = set(connection.introspection.table_names())
    for table, columns in indexed.items():
        if table in tables:
            yield from ((table, column) for column in columns)


def ensure_prefix_indexes(connection: Any, indexed: dict[str, tuple[str, ...]]) -> None:
    """Case-insensitive B-tree indexes per search column, for ``iexact``/``istartswith``:
    SQLite ``(column COLLATE NOCASE)``, PostgreSQL ``(left(upper(column), 200) text_pattern_ops)``."""
    with connection.cursor() as cursor:
        for table, column in _existing_columns(connection, indexed):
            name, col = quote(_prefix_index(table, column)), quote(column)
            if connection.vendor == "sqlite":
                cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {quote(table)} ({col} COLLATE NOCASE)")
            elif connection.vendor == "postgresql":
                cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {quote(table)} "
                               f"((left(upper({col}::text), {PREFIX_CHARS})) text_pattern_ops)")


def drop_prefix_indexes(connection: Any, indexed: dict[str, tuple[str, ...]]) -> None:
    """Remove the indexes of :func:`ensure_prefix_indexes` (the migration's reverse)."""
    with connection.cursor() as cursor:
        for table, columns in indexed.items():
            for column in columns:
                cursor.execute(f"DROP INDEX IF EXISTS {quote(_prefix_index(table, column))}")


# -- one FTS5 table per search column (migration 0007) -------------------------------------------------
# A single table over several columns keeps one posting list per trigram for all of them: finding
# "sample" in the keys reads the lists of every description that contains it (0.1 s at a million
# rows), even with a column filter. One table per column reads only that column's lists.
def column_fts(table: str, column: str) -> str:
    """The FTS5 table indexing ``table.column`` (``<table>_fts_<column>``)."""
    return f"{table}_fts_{column}"


def _column_statements(table: str, column: str) -> list[str]:
    fts, col, name = quote(column_fts(table, column)), quote(column), column_fts(table, column)
    insert = f"INSERT INTO {fts}(rowid, {col}) VALUES (new.id, new.{col});"
    delete = f"INSERT INTO {fts}({fts}, rowid, {col}) VALUES ('delete', old.id, old.{col});"
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({col}, content={quote(table)}, "
        f"content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER IF NOT EXISTS {quote(name + '_ai')} AFTER INSERT ON {quote(table)} BEGIN {insert} END",
        f"CREATE TRIGGER IF NOT EXISTS {quote(name + '_ad')} AFTER DELETE ON {quote(table)} BEGIN {delete} END",
        f"CREATE TRIGGER IF NOT EXISTS {quote(name + '_au')} AFTER UPDATE OF {col} ON {quote(table)} "
        f"BEGIN {delete} {insert} END",
    ]


def missing_column_triggers(cursor: Any, table: str, column: str) -> bool:
    """Whether a trigger of the column's FTS5 table is gone (Django drops them when it remakes the table)."""
    cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s AND name IN (%s, %s, %s)",
                   [table, *(column_fts(table, column) + s for s in ("_ai", "_ad", "_au"))])
    return bool(cursor.fetchone()[0] < 3)


def ensure_sqlite_columns(connection: Any, indexed: dict[str, tuple[str, ...]]) -> None:
    """Create the per-column FTS5 tables and triggers that are missing, and rebuild an index whose
    triggers were missing (new, or dropped with a remade table)."""
    with connection.cursor() as cursor:
        for table, column in _existing_columns(connection, indexed):
            stale = missing_column_triggers(cursor, table, column)
            for statement in _column_statements(table, column):
                cursor.execute(statement)
            if stale:
                fts = quote(column_fts(table, column))
                cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def drop_sqlite_columns(connection: Any, indexed: dict[str, tuple[str, ...]]) -> None:
    """Remove the per-column FTS5 tables and their triggers."""
    with connection.cursor() as cursor:
        for table, columns in indexed.items():
            for column in columns:
                name = column_fts(table, column)
                for suffix in ("_ai", "_ad", "_au"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {quote(name + suffix)}")
                cursor.execute(f"DROP TABLE IF EXISTS {quote(name)}")


# -- bulk inserts: the rows indexed in one statement, not one trigger call each -------------------------
# A trigger call per row costs FTS5 about 0.2 ms (3,800 rows/s), one INSERT ... SELECT of the same
# rows a tenth of that. Inside the inserting transaction (SQLite DDL is transactional, and writers
# are serialised), the insert triggers are dropped, the rows inserted, indexed, the triggers re-made.
def drop_insert_triggers(connection: Any, table: str, columns: tuple[str, ...]) -> None:
    """Drop the per-column FTS5 insert triggers of ``table`` (re-make them with :func:`index_rows`)."""
    with connection.cursor() as cursor:
        for column in columns:
            cursor.execute(f"DROP TRIGGER IF EXISTS {quote(column_fts(table, column) + '_ai')}")


def index_rows(connection: Any, table: str, columns: tuple[str, ...], ids: list[int]) -> None:
    """Index the rows ``ids`` of ``table`` (inserted while the triggers were dropped) in each
    column's FTS5 table, then re-make the insert triggers."""
    import json

    with connection.cursor() as cursor:
        for column in columns:
            fts, col = quote(column_fts(table, column)), quote(column)
            cursor.execute(f"INSERT INTO {fts}(rowid, {col}) SELECT id, {col} FROM {quote(table)} "
                           "WHERE id IN (SELECT value FROM json_each(%s))", [json.dumps(ids)])
            cursor.execute(_column_statements(table, column)[1])
