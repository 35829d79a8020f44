"""Move a SQLite instance to PostgreSQL: ``biolake migrate-db --to postgresql://...``.

The PostgreSQL database gets biolake's schema through Django's migrations, then every table is
copied in dependency order with its primary keys (so uids, links, feature values and runs are the
same rows), sequences are reset, and counts and content hashes are compared table by table before
anything is committed. The SQLite database is write-locked while it is copied, so no write is lost
in between; afterwards the instance's settings point to PostgreSQL and the SQLite file stays where
it was until the user deletes it.
"""

from __future__ import annotations

import dataclasses

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

    Returns the instance, now on PostgreSQL. The old SQLite file is kept; delete it yourself.

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
    django_boot.activate(moved)
    rows = sum(count for count, _ in stats.values())
    old = sqlite_path(instance.db)
    log.success(
        f"moved instance {instance.name!r} to {redact_db(to)}: {len(stats)} tables, {rows} rows, "
        "counts and content hashes verified"
    )
    log.info(f"the old SQLite database {old} is kept; delete it when you no longer need it")
    return moved


__all__ = ["migrate_db"]
