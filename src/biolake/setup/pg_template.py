"""The SQL of a freshly migrated PostgreSQL schema, kept per schema, so a new instance is one script, not a migration run.

Running every migration on PostgreSQL takes about 20 seconds, nearly all of it Django
rebuilding its model state in Python (the statements themselves take about two). The first
PostgreSQL instance made with a given set of migration files records every statement that
changes the database (DDL, the seed rows, sequence settings, ``django_migrations``) as literal
SQL in the user's cache, keyed by a hash of those files and the server's major version;
later instances replay it as one script in one transaction: one round trip, even to a
database far away. A replay that fails is rolled back, its script dropped, and the migrations
run as usual (recording it again).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from biolake.setup import schema_template

# statements that read or only scope a transaction: not part of the schema
_SKIP = re.compile(r"^\s*(SELECT(?!.*\bsetval\()|SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT|SHOW )", re.IGNORECASE | re.DOTALL)
# a migration ends with its row in django_migrations: there, as at the commit that followed it,
# the deferred foreign-key checks run (a later ALTER TABLE refuses "pending trigger events")
_END_OF_MIGRATION = re.compile(r'^\s*INSERT INTO "django_migrations"', re.IGNORECASE)
_CHECK_DEFERRED = ["SET CONSTRAINTS ALL IMMEDIATE", "SET CONSTRAINTS ALL DEFERRED"]


def script_path(connection: Any) -> Path:
    """Where the script for today's migrations on this server's major version lives (it may not exist)."""
    major = connection.pg_version // 10000
    return schema_template.template_folder() / f"postgresql{major}-{schema_template.migrations_digest()}.sql"


def replay(connection: Any) -> bool:
    """Run the recorded script on ``connection`` (an empty database) in one transaction;
    whether it ran. Nothing is left behind if it fails."""
    from django.db import DatabaseError, transaction

    connection.ensure_connection()
    path = script_path(connection)
    if not path.is_file():
        return False
    script = path.read_text(encoding="utf-8")
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(script)
    except DatabaseError:
        path.unlink(missing_ok=True)  # the migrations run instead and record it again
        return False
    return True


@contextlib.contextmanager
def recording(connection: Any) -> Iterator[None]:
    """Record the statements that change the database while the block runs (the migrations of an
    empty database) and keep them as the script, unless one exists or the block failed."""
    from psycopg import ClientCursor

    statements: list[str] = []
    connection.ensure_connection()
    mogrify = ClientCursor(connection.connection).mogrify

    def record(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        result = execute(sql, params, many, context)
        if not _SKIP.match(sql):
            for one in (params if many else [params]):
                statements.append(sql if one is None else mogrify(sql, one))
            if _END_OF_MIGRATION.match(sql):
                statements.extend(_CHECK_DEFERRED)
        return result

    with connection.execute_wrapper(record):
        yield
    _keep(script_path(connection), statements)


def _keep(path: Path, statements: list[str]) -> None:
    if path.is_file() or not statements:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text("".join(f"{s.rstrip().rstrip(';')};\n" for s in statements), encoding="utf-8")
    os.replace(partial, path)
