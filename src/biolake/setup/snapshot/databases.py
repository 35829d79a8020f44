"""The databases a snapshot is read from or built into, each behind a temporary Django alias.

A database being built is either a new SQLite file (made under a hidden name and moved into
place only when everything is in and verified) or an empty PostgreSQL database (whose biolake
tables are dropped again if the build fails, when the build made them): a failed restore or
move leaves no half database behind.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from biolake.errors import SnapshotError
from biolake.setup import django_boot, schema_template
from biolake.setup.instance import django_database, redact_db, sqlite_path
from biolake.setup.snapshot.rows import tables_with_rows
from biolake.setup.snapshot.tables import TableSpec


@contextlib.contextmanager
def temporary_alias(settings: dict[str, Any]) -> Iterator[str]:
    """A Django database alias for ``settings``, closed and forgotten afterwards."""
    from django.db import connections

    django_boot.configure()
    alias = f"_biolake_snapshot_{uuid.uuid4().hex[:10]}"
    both = {"default": dict(connections.settings["default"]), alias: settings}
    connections.settings[alias] = connections.configure_settings(both)[alias]
    try:
        yield alias
    finally:
        with contextlib.suppress(AttributeError):  # no connection was opened in this thread
            connections[alias].close()
            del connections[alias]
        del connections.settings[alias]


def sqlite_reader(path: Path) -> dict[str, Any]:
    """Django settings that open the SQLite file ``path`` read-only (nothing written beside it)."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": f"file:{quote(str(path))}?mode=ro",
        "OPTIONS": {"uri": True, "timeout": 60},
    }


def sqlite_backup(source: Path, target: Path) -> None:
    """Copy a live SQLite database to ``target`` through SQLite's online backup API: a consistent
    copy of what was committed, while other processes keep writing; a single file (no WAL)."""
    src, dst = sqlite3.connect(f"file:{quote(str(source))}?mode=ro", uri=True), sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()


def remove_sqlite(path: Path) -> None:
    """Remove a SQLite file with its journal files."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def partial_sqlite(path: Path) -> Path:
    """Where a new SQLite database is built before it is moved to ``path``."""
    if path.exists():
        raise SnapshotError(f"The database file {path} already exists; pass another --db sqlite:///<path>.")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.with_name(f".{path.name}.building-{os.getpid()}")


@contextlib.contextmanager
def building(db: str, specs: list[TableSpec]) -> Iterator[str]:
    """An alias on the database ``db`` being built, with biolake's schema.

    SQLite: a new file (refused if it exists). PostgreSQL: a database without biolake records
    (refused otherwise); migrated here if it has no tables yet. If the block fails, what was made is
    removed.
    """
    if db.startswith("sqlite:///"):
        with _building_sqlite(sqlite_path(db)) as alias:
            yield alias
    else:
        with _building_postgres(db, specs) as alias:
            yield alias


@contextlib.contextmanager
def _building_sqlite(path: Path) -> Iterator[str]:
    partial = partial_sqlite(path)
    try:
        copied = schema_template.restore(partial)
        with temporary_alias(django_database(f"sqlite:///{partial}")) as alias:
            if not copied:
                django_boot.migrate(alias)
            yield alias
    except BaseException:
        remove_sqlite(partial)
        raise
    os.replace(partial, path)  # the alias is closed: its write-ahead log is checkpointed


@contextlib.contextmanager
def _building_postgres(db: str, specs: list[TableSpec]) -> Iterator[str]:
    from django.db import connections
    from django.db.utils import OperationalError

    with temporary_alias(django_database(db)) as alias:
        try:
            existing = set(connections[alias].introspection.table_names())
        except OperationalError as error:
            message = " ".join(str(error).split())
            raise SnapshotError(f"Cannot connect to {redact_db(db)} ({message}); create the database first.") from None
        full = tables_with_rows(specs, alias)
        if full:
            raise SnapshotError(
                f"The database {redact_db(db)} already holds biolake records (in {', '.join(full[:3])}); "
                "use an empty database."
            )
        made_tables = not existing & {spec.table for spec in specs}
        try:
            django_boot.migrate(alias)
            yield alias
        except BaseException:
            if made_tables:
                django_boot.drop_all_tables(alias)
            raise
