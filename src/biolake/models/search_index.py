"""Substring indexes behind ``Registry.search()``: SQLite FTS5 (trigram) and PostgreSQL pg_trgm.

``search()`` matches case-insensitive substrings (LaminDB's semantics: ``"t cel"`` finds
``"T cell"``), which a B-tree cannot serve. Both backends index trigrams instead:

- SQLite: an external-content FTS5 table ``<table>_fts`` (``tokenize='trigram'``) per registry,
  kept in sync by insert/update/delete triggers. A quoted FTS5 phrase then finds every row that
  contains the phrase as a substring.
- PostgreSQL: a GIN index over ``UPPER(column::text) gin_trgm_ops`` per search column, the very
  expression Django's ``icontains`` compares, so the planner answers ``icontains`` from it.

Both give a superset-free candidate set: the rows containing the whole query or one of its words
in one of the fields, i.e. exactly the rows the ranking in :mod:`biolake.models.query` scores
above 0. Terms shorter than 3 characters have no trigram; queries with such a term rank every
row as before.
"""

from __future__ import annotations

from typing import Any

# the registries whose search() is indexed: table -> columns (frozen here; migrations use it)
INDEXED: dict[str, tuple[str, ...]] = {
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
MIN_TERM = 3  # a trigram index cannot find a shorter substring


def search_words(string: str) -> list[str]:
    """The words of a multi-word query that add to the score (longer than one character)."""
    return [w for w in string.split() if len(w) > 1 and w.lower() != string.lower()]


def search_terms(string: str) -> list[str]:
    """The whole query and its distinct words: a row scores above 0 iff a field contains one."""
    return list(dict.fromkeys([string, *search_words(string)]))


# -- set-up (migrations, and after a migration rebuilt a table) ------------------------------------
def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_statements(table: str, columns: tuple[str, ...]) -> list[str]:
    fts, cols = _q(table + "_fts"), ", ".join(_q(c) for c in columns)
    new = ", ".join(f"new.{_q(c)}" for c in columns)
    old = ", ".join(f"old.{_q(c)}" for c in columns)
    insert = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new});"
    delete = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({cols}, content={_q(table)}, "
        f"content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER IF NOT EXISTS {_q(table + '_fts_ai')} AFTER INSERT ON {_q(table)} BEGIN {insert} END",
        f"CREATE TRIGGER IF NOT EXISTS {_q(table + '_fts_ad')} AFTER DELETE ON {_q(table)} BEGIN {delete} END",
        f"CREATE TRIGGER IF NOT EXISTS {_q(table + '_fts_au')} AFTER UPDATE OF {cols} ON {_q(table)} "
        f"BEGIN {delete} {insert} END",
    ]


def _missing_triggers(cursor: Any, table: str) -> bool:
    cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s AND name LIKE %s",
                   [table, table + "_fts_%"])
    return cursor.fetchone()[0] < 3


def ensure_sqlite(connection: Any, indexed: dict[str, tuple[str, ...]] | None = None) -> None:
    """Create the FTS5 tables and triggers that are missing; rebuild an index whose triggers were
    missing (new, or dropped when a migration remade its table)."""
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table, columns in (indexed or INDEXED).items():
            if table not in tables:
                continue
            stale = _missing_triggers(cursor, table)
            for statement in _sqlite_statements(table, columns):
                cursor.execute(statement)
            if stale:
                fts = _q(table + "_fts")
                cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def repair_sqlite(connection: Any) -> None:
    """Re-create the triggers of an existing FTS5 index that a migration dropped (Django remakes a
    SQLite table to alter it, and the triggers go with the old table), then rebuild that index."""
    with connection.cursor() as cursor:
        stale = {t: c for t, c in INDEXED.items() if has_fts(connection, t) and _missing_triggers(cursor, t)}
    if stale:
        ensure_sqlite(connection, stale)


def drop_sqlite(connection: Any, indexed: dict[str, tuple[str, ...]] | None = None) -> None:
    """Remove the FTS5 tables and triggers (the migration's reverse)."""
    with connection.cursor() as cursor:
        for table in indexed or INDEXED:
            for suffix in ("_fts_ai", "_fts_ad", "_fts_au"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {_q(table + suffix)}")
            cursor.execute(f"DROP TABLE IF EXISTS {_q(table + '_fts')}")


def _pg_index(table: str, column: str) -> str:
    return f"{table}_{column}_trgm"[:63]


def ensure_postgres(connection: Any, indexed: dict[str, tuple[str, ...]] | None = None) -> bool:
    """Create pg_trgm (a trusted extension: a database owner needs no superuser) and the GIN
    indexes; ``False`` (and no index) when the extension cannot be created."""
    with connection.cursor() as cursor:
        try:
            with _savepoint(connection):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception:  # no privilege / extension not installed: search still works, unindexed
            return False
        tables = set(connection.introspection.table_names())
        for table, columns in (indexed or INDEXED).items():
            if table in tables:
                for column in columns:
                    cursor.execute(f"CREATE INDEX IF NOT EXISTS {_q(_pg_index(table, column))} ON {_q(table)} "
                                   f"USING gin ((UPPER({_q(column)}::text)) gin_trgm_ops)")
    return True


def drop_postgres(connection: Any, indexed: dict[str, tuple[str, ...]] | None = None) -> None:
    """Remove the GIN indexes (the extension stays: other databases objects may use it)."""
    with connection.cursor() as cursor:
        for table, columns in (indexed or INDEXED).items():
            for column in columns:
                cursor.execute(f"DROP INDEX IF EXISTS {_q(_pg_index(table, column))}")


def _savepoint(connection: Any) -> Any:
    from django.db import transaction

    return transaction.atomic(using=connection.alias)


# -- querying -------------------------------------------------------------------------------------
def fts_match(table: str, fields: list[str], terms: list[str]) -> str | None:
    """The FTS5 query finding rows with any of ``terms`` in any of ``fields``, or ``None`` when the
    index cannot answer it (a field outside the index, a term shorter than 3 characters)."""
    columns = INDEXED.get(table)
    if columns is None or not set(fields) <= set(columns) or any(len(t) < MIN_TERM for t in terms):
        return None
    phrases = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
    return "{" + " ".join(fields) + "} : (" + phrases + ")"


def has_fts(connection: Any, table: str) -> bool:
    """Whether the SQLite database has the FTS5 index of ``table`` (instances made before 0005 do not)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [table + "_fts"])
        return cursor.fetchone() is not None
