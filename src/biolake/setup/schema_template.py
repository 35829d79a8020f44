"""A migrated, empty SQLite database kept per schema, so a new instance is a copy, not a migration run.

Running every migration of every app takes seconds on SQLite (Django rebuilds its model state
for each operation). The first SQLite instance made with a given set of migration files leaves
a copy of its freshly migrated database (no records yet) in the cache, keyed by a hash of
those files; later instances start from that copy. Any change to a migration file changes the
key, so a stale copy is never used.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from pathlib import Path

from biolake.setup import django_boot, store

_FOLDER = "schema"


def migrations_digest() -> str:
    """A short hash of today's migration files (names and contents): the key of a template."""
    digest = hashlib.sha256()
    for path in django_boot.all_migration_files():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def template_folder() -> Path:
    """Where schema templates are kept (the user's cache)."""
    return store.default_cache_dir() / _FOLDER


def template_path() -> Path:
    """Where the migrated, empty database for today's migration files lives (it may not exist)."""
    return template_folder() / f"sqlite-{migrations_digest()}.sqlite3"


def restore(db_path: Path) -> bool:
    """Copy the template to ``db_path`` (a new file) if there is one; whether it was copied."""
    template = template_path()
    if not template.is_file():
        return False
    partial = db_path.with_name(f".{db_path.name}.copying")
    shutil.copyfile(template, partial)
    os.replace(partial, db_path)
    return True


def keep(db_path: Path) -> None:
    """Keep a copy of a freshly migrated database (through SQLite's backup API: consistent
    while its write-ahead log still holds pages) as the template, unless one exists."""
    template = template_path()
    if template.is_file():
        return
    template.parent.mkdir(parents=True, exist_ok=True)
    partial = template.with_name(f".{template.name}.{os.getpid()}")
    source, target = sqlite3.connect(db_path), sqlite3.connect(partial)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    os.replace(partial, template)
