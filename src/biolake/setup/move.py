"""Move a SQLite instance to PostgreSQL: ``biolake migrate-db --to postgresql://...``.

The PostgreSQL database gets biolake's schema through Django's migrations, then every table is
copied in dependency order with its primary keys (so uids, links, feature values and runs are the
same rows), sequences are reset, and counts and content hashes are compared table by table before
anything is committed. The SQLite database is write-locked while it is copied, so no write is lost
in between; afterwards the instance's settings point to PostgreSQL and the SQLite file is renamed
to ``<file>.moved-to-postgresql`` (kept until the user deletes it): a process still connected to
it then gets ``InstanceGoneError`` on its next write instead of writing where no one looks.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from biolake import _logging as log
from biolake.errors import InstanceSetupError
from biolake.setup import django_boot, lifecycle, store
from biolake.setup.instance import InstanceSettings, redact_db, sqlite_path
from biolake.setup.snapshot.copy import load
from biolake.setup.snapshot.databases import building
from biolake.setup.snapshot.rows import read_rows
from biolake.setup.snapshot.tables import table_specs


def _check(instance: InstanceSettings, to: str) -> None:
    if instance.dialect != "sqlite":
        raise InstanceSetupError(f"Instance {instance.name!r} is not on SQLite (its database is {redact_db(instance.db)}).")
    if not to.startswith(("postgresql://", "postgres://")):
        raise InstanceSetupError(f"--to must be a PostgreSQL URL (postgresql://user@host:port/dbname), not {redact_db(to)!r}.")


def migrate_db(to: str, name: str | None = None) -> InstanceSettings:
    """Move the current (or named) SQLite instance to the empty PostgreSQL database ``to``.

    Returns the instance, now on PostgreSQL. The old SQLite file is kept, renamed to
    ``<file>.moved-to-postgresql``; delete it yourself.

    Example:
        >>> ln.setup.migrate_db(to="postgresql://lab@db.internal/lake")  # doctest: +SKIP
    """
    from django.db import transaction

    instance = lifecycle.connect(name)  # checks that its schema is up to date
    _check(instance, to)
    specs = table_specs()
    moved = dataclasses.replace(instance, db=to)
    with building(to, specs) as alias:  # migrated before SQLite is locked
        with transaction.atomic(using="default"):  # SQLite's write lock: no write slips in while copying
            stats = load(specs, lambda spec: read_rows(spec, "default"), alias, None, f"The copy in {redact_db(to)}")
            store.save_instance(moved)
            old = _retire(sqlite_path(instance.db))  # still under the write lock
    _fold_log(sqlite_path(instance.db))
    django_boot.activate(moved)
    rows = sum(count for count, _ in stats.values())
    log.success(
        f"moved instance {instance.name!r} to {redact_db(to)}: {len(stats)} tables, {rows} rows, "
        "counts and content hashes verified"
    )
    log.info(f"the old SQLite database {old} is kept; delete it when you no longer need it")
    return moved


def _retire(path: Path) -> Path:
    """Rename the old SQLite file: a process still connected to it is refused its next write
    (:mod:`biolake.setup.db_guard` watches the file), and none opens it by the old name."""
    retired = path.with_name(path.name + RETIRED_SUFFIX)
    path.rename(retired)
    return retired


def _fold_log(path: Path) -> None:
    """Fold the write-ahead log (still open under the old name) into the renamed file, then drop it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    django_boot.deactivate()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


RETIRED_SUFFIX = ".moved-to-postgresql"
"""Appended to the name of a SQLite file whose instance moved to PostgreSQL."""

__all__ = ["RETIRED_SUFFIX", "migrate_db"]
