"""Snapshots of an instance's database: ``ln.setup.snapshot.create / verify / restore``.

A snapshot is a folder: ``manifest.json`` (schema migrations, tables, per-table row counts and
content hashes) plus either ``database.sqlite3`` (a SQLite instance, copied through the online
backup API) or ``tables/<table>.parquet`` (a logical export, PostgreSQL's kind; no ``pg_dump``).
Either kind restores into SQLite or PostgreSQL. Every table of every biolake app is included,
found through Django's app registry. The same machinery moves a SQLite instance to PostgreSQL
(:func:`biolake.setup.migrate_db`).

Example:
    >>> import biolake as ln
    >>> ln.setup.snapshot.create("./snap")  # doctest: +SKIP
    >>> ln.setup.snapshot.restore("./snap", name="mydata-copy", db="sqlite:////tmp/copy.sqlite3")  # doctest: +SKIP
"""

from __future__ import annotations

from biolake.setup.snapshot.create import create
from biolake.setup.snapshot.manifest import Manifest
from biolake.setup.snapshot.restore import restore, verify

__all__ = ["Manifest", "create", "restore", "verify"]
