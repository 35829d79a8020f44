"""Reading and writing the rows of a table through a Django database alias.

Rows are read with Django's own converters (so a datetime is a datetime on SQLite too) and
written with each field's ``get_db_prep_save`` (so JSON becomes jsonb on PostgreSQL and text
on SQLite): the values in between are plain Python, the same for every backend.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from biolake.setup import django_boot
from biolake.setup.snapshot.canonical import TableDigest, sort_key
from biolake.setup.snapshot.tables import TableSpec

_BATCH = 2000


def read_rows(spec: TableSpec, alias: str) -> Iterator[tuple[Any, ...]]:
    """The rows of ``spec``'s table on ``alias`` in primary-key order (values in column order)."""
    from django.db.models import QuerySet

    queryset = QuerySet(model=spec.model, using=alias).values_list(*[c.attname for c in spec.columns])
    pk = spec.pk_column
    if pk.kind == "int":  # numbers sort alike everywhere; strings follow each backend's collation
        yield from queryset.order_by(pk.attname).iterator(chunk_size=_BATCH)
        return
    index = spec.columns.index(pk)
    yield from sorted(queryset, key=lambda row: sort_key(pk.kind, row[index]))


def insert_rows(spec: TableSpec, alias: str, rows: Iterable[tuple[Any, ...]]) -> None:
    """Insert ``rows`` (values in column order, primary keys included) into ``spec``'s table
    (PostgreSQL through ``COPY``, SQLite through batched inserts)."""
    from django.db import connections

    connection = connections[alias]
    prepare = [_preparer(spec.model._meta.get_field(column.attname), connection) for column in spec.columns]
    prepared = ([to_db(value) for to_db, value in zip(prepare, row)] for row in rows)
    quote = connection.ops.quote_name
    table, columns = quote(spec.table), ", ".join(quote(c.name) for c in spec.columns)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if connection.vendor == "postgresql" and hasattr(raw, "copy"):  # psycopg 3
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in prepared:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(prepare))})"  # noqa: S608
        batch: list[list[Any]] = []
        for row in prepared:
            batch.append(row)
            if len(batch) >= _BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def _preparer(field: Any, connection: Any) -> Any:
    """How a value of ``field`` is written: its ``get_db_prep_save``; in a JSON column that is
    ``NOT NULL``, ``None`` was read from JSON ``null`` and is written back as such."""
    from django.db.models import JSONField, Value

    if isinstance(field, JSONField) and not field.null:
        json_null = Value(None, output_field=JSONField())
        return lambda value: field.get_db_prep_save(json_null if value is None else value, connection)
    return lambda value: field.get_db_prep_save(value, connection)


def measure(specs: list[TableSpec], alias: str) -> dict[str, tuple[int, str]]:
    """``{table: (row count, content hash)}`` of the tables on ``alias``."""
    result = {}
    for spec in specs:
        digest = TableDigest(spec)
        for row in read_rows(spec, alias):
            digest.update(row)
        result[spec.table] = (digest.rows, digest.hash)
    return result


def reset_sequences(specs: list[TableSpec], alias: str) -> None:
    """Move PostgreSQL's id sequences past the copied primary keys (SQLite needs nothing)."""
    from django.core.management.color import no_style
    from django.db import connections

    connection = connections[alias]
    statements = connection.ops.sequence_reset_sql(no_style(), [spec.model for spec in specs])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def migration_state(alias: str) -> dict[str, list[str]]:
    """The migrations of biolake's apps that the database on ``alias`` has applied, per app."""
    from django.db import connections

    connection = connections[alias]
    labels = django_boot.app_labels()
    state: dict[str, list[str]] = {label: [] for label in labels}
    if "django_migrations" not in connection.introspection.table_names():
        return state
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        for app, name in cursor.fetchall():
            if app in state:
                state[app].append(name)
    return {label: sorted(names) for label, names in state.items()}


def package_migration_state() -> dict[str, list[str]]:
    """The migrations this biolake ships, per app (what a migrated database has applied)."""
    return {label: [p.stem for p in django_boot.migration_files(label)] for label in django_boot.app_labels()}


def seeded_pks(spec: TableSpec) -> tuple[Any, ...]:
    """Primary keys of the rows a migration writes into ``spec``'s table (built-in branches, the
    built-in space): they are in every database at this schema, so they are not "records"."""
    return tuple(getattr(spec.model, "_seeded_pks", ()))


def remove_seeded_rows(spec: TableSpec, alias: str) -> None:
    """Delete the migration-written rows of ``spec`` on ``alias``: a copy brings its own."""
    from django.db import connections

    seeded = seeded_pks(spec)
    if not seeded:
        return
    connection = connections[alias]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {quote(spec.table)} WHERE {quote(spec.pk)} IN ({', '.join(['%s'] * len(seeded))})",  # noqa: S608
            list(seeded),
        )


def tables_with_rows(specs: list[TableSpec], alias: str) -> list[str]:
    """The tables of ``specs`` that exist on ``alias`` and hold at least one row."""
    from django.db import connections

    connection = connections[alias]
    existing = set(connection.introspection.table_names())
    found = []
    with connection.cursor() as cursor:
        for spec in specs:
            if spec.table in existing:
                seeded = seeded_pks(spec)
                skip = f" WHERE {connection.ops.quote_name(spec.pk)} NOT IN ({', '.join(['%s'] * len(seeded))})" if seeded else ""
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(spec.table)}{skip} LIMIT 1", list(seeded))  # noqa: S608
                if cursor.fetchone() is not None:
                    found.append(spec.table)
    return found
