"""Write a snapshot of the current instance's database.

SQLite: a copy through SQLite's online backup API (``database.sqlite3``). PostgreSQL (or
``kind="parquet"`` on SQLite): a logical export, one parquet file per table, read in one
repeatable-read transaction. Either way ``manifest.json`` records the schema's migrations, the
tables and, per table, its row count and content hash. The snapshot is written beside its final
place and renamed into it when complete.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from biolake import __version__
from biolake import _logging as log
from biolake.errors import SnapshotError
from biolake.setup import lifecycle
from biolake.setup.instance import InstanceSettings, sqlite_path
from biolake.setup.snapshot.canonical import TableDigest
from biolake.setup.snapshot.databases import sqlite_backup, sqlite_reader, temporary_alias
from biolake.setup.snapshot.manifest import DATABASE_FILE, TABLES_DIR, Manifest, file_hash, public_instance
from biolake.setup.snapshot.parquet import write_table
from biolake.setup.snapshot.rows import measure, migration_state, read_rows
from biolake.setup.snapshot.tables import TableSpec, table_specs


def _target_folder(path: str | Path) -> Path:
    folder = Path(path).expanduser().resolve()
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise SnapshotError(f"{folder} already exists and is not an empty folder; choose a new snapshot path.")
    return folder


@contextlib.contextmanager
def _consistent_source(instance: InstanceSettings, work: Path) -> Iterator[str]:
    """An alias that reads one consistent state of the instance's database."""
    if instance.dialect == "sqlite":
        copy = work / DATABASE_FILE
        sqlite_backup(sqlite_path(instance.db), copy)
        with temporary_alias(sqlite_reader(copy)) as alias:
            yield alias
        return
    from django.db import connections, transaction

    with transaction.atomic(using="default"):
        with connections["default"].cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield "default"


def _export_parquet(specs: list[TableSpec], alias: str, folder: Path) -> list[dict[str, Any]]:
    (folder / TABLES_DIR).mkdir()
    entries = []
    for spec in specs:
        digest = TableDigest(spec)
        relative = f"{TABLES_DIR}/{spec.table}.parquet"
        write_table(spec, digest.feed(read_rows(spec, alias)), folder / relative)
        entry = _entry(spec, digest.rows, digest.hash)
        entries.append({**entry, "file": relative, "file_hash": file_hash(folder / relative)})
    return entries


def _entry(spec: TableSpec, rows: int, digest: str) -> dict[str, Any]:
    return {"table": spec.table, "app": spec.app, "columns": spec.header(), "rows": rows, "hash": digest}


def _write(instance: InstanceSettings, kind: str, partial: Path) -> Manifest:
    specs = table_specs()
    manifest = Manifest(
        kind=kind,
        instance=public_instance(instance.name, instance.storage_root, instance.modules, instance.storage_options),
        migrations={},
        tables=[],
        source_dialect=instance.dialect,
        created_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        biolake_version=__version__,
    )
    with tempfile.TemporaryDirectory(dir=partial.parent, prefix=".biolake-snapshot-") as scratch:
        work = partial if kind == "sqlite" else Path(scratch)
        with _consistent_source(instance, work) as alias:
            manifest.migrations = migration_state(alias)
            if kind == "parquet":
                manifest.tables = _export_parquet(specs, alias, partial)
            else:
                stats = measure(specs, alias)
                manifest.tables = [_entry(spec, *stats[spec.table]) for spec in specs]
    if kind == "sqlite":
        manifest.database_file = {"path": DATABASE_FILE, "hash": file_hash(partial / DATABASE_FILE)}
    (partial / "manifest.json").write_text(manifest.to_json())
    return manifest


def create(path: str | Path, kind: str | None = None) -> Manifest:
    """Write a consistent snapshot of the current instance's database to the new folder ``path``.

    Args:
        path: A folder that does not exist yet (or is empty).
        kind: ``"sqlite"`` (a SQLite instance's default: the database file, copied online) or
            ``"parquet"`` (PostgreSQL's default: one parquet file per table).

    Only the database is snapshotted; the stored bytes stay in the storage location.

    Example:
        >>> import biolake as ln
        >>> ln.setup.snapshot.create("./snapshots/2026-11-30")  # doctest: +SKIP
    """
    instance = lifecycle.ensure_ready()
    folder = _target_folder(path)
    kind = kind or ("sqlite" if instance.dialect == "sqlite" else "parquet")
    if kind not in ("sqlite", "parquet") or (kind == "sqlite" and instance.dialect != "sqlite"):
        raise SnapshotError(f"Cannot write a {kind!r} snapshot of a {instance.dialect} instance; use kind 'parquet'.")
    folder.parent.mkdir(parents=True, exist_ok=True)
    partial = folder.with_name(f".{folder.name}.partial-{os.getpid()}")
    try:
        partial.mkdir()
        manifest = _write(instance, kind, partial)
        if folder.exists():
            folder.rmdir()
        os.replace(partial, folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    log.success(f"wrote a {kind} snapshot of instance {instance.name!r} to {folder}: {len(manifest.tables)} tables, {manifest.n_rows} rows")
    return manifest
