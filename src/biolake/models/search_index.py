"""Substring indexes behind ``Registry.search()``: SQLite FTS5 (trigram) and PostgreSQL pg_trgm.

``search()`` matches case-insensitive substrings (LaminDB's semantics: ``"t cel"`` finds
``"T cell"``), which a B-tree cannot serve. Both backends index trigrams instead:

- SQLite: an external-content FTS5 table ``<table>_fts_<column>`` (``tokenize='trigram'``) per
  search column (migration 0007; 0006 had one per registry), kept in sync by insert/update/delete triggers. A quoted FTS5 phrase then finds every row that
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

from biolake.setup import search_ddl

# the registries whose search() is indexed: table -> columns (as the migrations made them)
INDEXED: dict[str, tuple[str, ...]] = search_ddl.SEARCH_COLUMNS_0006
MIN_TERM = 3  # a trigram index cannot find a shorter substring


def search_words(string: str) -> list[str]:
    """The words of a multi-word query that add to the score (longer than one character)."""
    return [w for w in string.split() if len(w) > 1 and w.lower() != string.lower()]


def search_terms(string: str) -> list[str]:
    """The whole query and its distinct words: a row scores above 0 iff a field contains one."""
    return list(dict.fromkeys([string, *search_words(string)]))


# -- set-up after a migration rebuilt a table (the DDL is biolake.setup.search_ddl) -------------------
def repair_sqlite(connection: Any) -> None:
    """Re-create the triggers of an existing FTS5 index that a migration dropped (Django remakes a
    SQLite table to alter it, and the triggers go with the old table), then rebuild that index."""
    with connection.cursor() as cursor:
        stale = {t: tuple(c for c in columns if search_ddl.missing_column_triggers(cursor, t, c))
                 for t, columns in INDEXED.items() if has_fts(connection, t)}
    stale = {t: columns for t, columns in stale.items() if columns}
    if stale:
        search_ddl.ensure_sqlite_columns(connection, stale)


# -- querying -------------------------------------------------------------------------------------
def fts_query(table: str, fields: list[str], terms: list[str]) -> tuple[str, list[str]] | None:
    """The SQL (and parameters) selecting the rowids of rows with any of ``terms`` in any of
    ``fields``, or ``None`` when the index cannot answer it (a field outside the index, a term
    shorter than 3 characters)."""
    columns = INDEXED.get(table)
    if columns is None or not fields or not set(fields) <= set(columns) or any(len(t) < MIN_TERM for t in terms):
        return None
    phrases = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
    selects = [f"SELECT rowid FROM {q} WHERE {q} MATCH %s" for q in (search_ddl.quote(search_ddl.column_fts(table, f))
                                                                     for f in dict.fromkeys(fields))]
    return " UNION ".join(selects), [phrases] * len(selects)


def has_fts(connection: Any, table: str) -> bool:
    """Whether the SQLite database has the FTS5 indexes of ``table`` (instances made before 0007 do not)."""
    columns = INDEXED.get(table)
    if not columns:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s",
                       [search_ddl.column_fts(table, columns[0])])
        return cursor.fetchone() is not None
