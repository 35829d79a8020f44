"""The SQL that creates and drops the search indexes (below the models, so that migrations can use it).

SQLite: an external-content FTS5 table per registry (``<table>_fts``, trigram tokenizer, so that
substrings match as LaminDB's search does), kept in sync by insert/update/delete triggers.
PostgreSQL: the trusted ``pg_trgm`` extension and a GIN trigram index per search column. Every
function takes the tables and columns to index: a migration passes its own frozen copy.
"""

from __future__ import annotations

from typing import Any


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
