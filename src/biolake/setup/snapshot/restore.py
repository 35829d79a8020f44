"""Check a snapshot, and rebuild an instance from it.

A snapshot is checked in full before anything is made: the manifest, every file's bytes, and
(when its schema is this biolake's) every table's row count and content hash. The new database
is then built aside, loaded in one transaction, checked again against the manifest, and only
then becomes an instance: a damaged snapshot or a failed load leaves no half instance.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from biolake import _logging as log
from biolake.errors import DatabaseCopyError, InstanceSetupError, SnapshotCorruptError, SnapshotError
from biolake.setup import django_boot, store
from biolake.setup.instance import MANAGED_DIRNAME, InstanceSettings, default_sqlite_url, redact_db, sqlite_path
from biolake.setup.snapshot.canonical import TableDigest
from biolake.setup.snapshot.copy import Stats, compare, load
from biolake.setup.snapshot.databases import building, partial_sqlite, remove_sqlite, sqlite_reader, temporary_alias
from biolake.setup.snapshot.manifest import Manifest, check_file, file_hash, read_manifest
from biolake.setup.snapshot.parquet import read_table
from biolake.setup.snapshot.rows import measure, package_migration_state, read_rows
from biolake.setup.snapshot.tables import TableSpec, table_specs
from biolake.storage.paths import is_local


def _check_schema(manifest: Manifest, specs: list[TableSpec]) -> bool:
    """Whether the snapshot has this biolake's schema (an older SQLite snapshot is fine: it is
    migrated after the restore); a clear error for anything else."""
    ours = package_migration_state()
    theirs = {label: sorted(names) for label, names in manifest.migrations.items()}
    if theirs == ours:
        by_table = {entry["table"]: entry for entry in manifest.tables}
        if set(by_table) != {spec.table for spec in specs}:
            raise SnapshotCorruptError("The snapshot's manifest does not list the tables of its schema; it was edited: use another one.")
        for spec in specs:
            if by_table[spec.table]["columns"] != spec.header():
                raise SnapshotCorruptError(f"The snapshot's columns of {spec.table!r} differ from its schema's; it was edited: use another one.", table=spec.table)
        return True
    newer = {label: sorted(set(names) - set(ours.get(label, []))) for label, names in theirs.items()}
    newer = {label: names for label, names in newer.items() if names}
    if newer or manifest.kind != "sqlite":
        detail = f"migrations unknown here: {newer}" if newer else "an older schema"
        raise SnapshotError(
            f"The snapshot was made with a different biolake schema ({detail}); restore it with the "
            "biolake version that made it" + (", then upgrade with `biolake migrate`." if not newer else ".")
        )
    return False


def _expected(manifest: Manifest) -> Stats:
    return {entry["table"]: (int(entry["rows"]), str(entry["hash"])) for entry in manifest.tables}


def _parquet_rows(folder: Path, manifest: Manifest) -> Any:
    def rows_of(spec: TableSpec) -> Iterable[tuple[Any, ...]]:
        entry = manifest.table(spec.table)
        assert entry is not None  # _check_schema compared the table lists
        return read_table(spec, check_file(folder, entry["file"], entry["file_hash"], spec.table))

    return rows_of


def _snapshot_stats(folder: Path, manifest: Manifest, specs: list[TableSpec]) -> Stats:
    if manifest.kind == "sqlite":
        with temporary_alias(sqlite_reader(_database_file(folder, manifest))) as alias:
            return measure(specs, alias)
    rows_of = _parquet_rows(folder, manifest)
    actual = {}
    for spec in specs:
        digest = TableDigest(spec)
        for row in rows_of(spec):
            digest.update(row)
        actual[spec.table] = (digest.rows, digest.hash)
    return actual


def _check_contents(folder: Path, manifest: Manifest, specs: list[TableSpec], same_schema: bool) -> None:
    """Check every file's bytes and, with this biolake's schema, every table's count and hash."""
    if not same_schema:  # an older SQLite snapshot: its bytes only
        _database_file(folder, manifest)
        return
    try:
        compare(_expected(manifest), _snapshot_stats(folder, manifest, specs), f"Snapshot {folder}")
    except DatabaseCopyError as error:
        message = str(error).replace("; nothing was kept.", "")
        raise SnapshotCorruptError(
            f"{message}: the manifest's counts or hashes do not match; the snapshot is damaged or was edited: use another one.",
            table=next(iter(error.mismatches), None),
        ) from None


def _database_file(folder: Path, manifest: Manifest) -> Path:
    database = manifest.database_file or {}
    return check_file(folder, str(database.get("path", "")), str(database.get("hash", "")))


def verify(path: str | Path) -> Manifest:
    """Check a snapshot without restoring it: its manifest, file hashes, row counts and content hashes.

    Example:
        >>> ln.setup.snapshot.verify("./snapshots/2026-11-30")  # doctest: +SKIP
    """
    folder = Path(path).expanduser().resolve()
    manifest = read_manifest(folder)
    specs = table_specs()
    _check_contents(folder, manifest, specs, _check_schema(manifest, specs))
    return manifest


def _new_instance(manifest: Manifest, name: str | None, db: str | None) -> InstanceSettings:
    saved = manifest.instance
    name = store.validate_name(name or str(saved.get("name", "")))
    if name in store.list_instances():
        raise InstanceSetupError(f"An instance named {name!r} already exists; restore under another name with --name.")
    root = str(saved["storage_root"])
    if db is None:
        if not is_local(root):
            raise InstanceSetupError(f"Storage {root!r} is not a local folder: pass --db postgresql://... or sqlite:///<path>.")
        db = default_sqlite_url(root)
        if sqlite_path(db).exists():
            db = "sqlite:///" + str(Path(root) / MANAGED_DIRNAME / f"{name}.sqlite3")
    elif db.startswith("sqlite:///"):
        db = "sqlite:///" + str(sqlite_path(db).expanduser().resolve())
    modules = [str(m) for m in saved.get("modules", [])]
    return InstanceSettings(name=name, storage_root=root, db=db, modules=modules, storage_options=dict(saved.get("storage_options", {})))


def _restore_sqlite_file(folder: Path, manifest: Manifest, target: Path) -> None:
    partial = partial_sqlite(target)
    try:
        shutil.copyfile(_database_file(folder, manifest), partial)
        if file_hash(partial) != (manifest.database_file or {}).get("hash"):
            raise SnapshotError(f"Copying {folder} to {target} changed its bytes; check the disk and try again.")
    except BaseException:
        remove_sqlite(partial)
        raise
    os.replace(partial, target)


def _build(folder: Path, manifest: Manifest, instance: InstanceSettings, specs: list[TableSpec]) -> None:
    what = f"The restored database {redact_db(instance.db)}"
    if manifest.kind == "sqlite" and instance.dialect == "sqlite":
        _restore_sqlite_file(folder, manifest, sqlite_path(instance.db))
    elif manifest.kind == "sqlite":
        with temporary_alias(sqlite_reader(_database_file(folder, manifest))) as source, building(instance.db, specs) as alias:
            load(specs, lambda spec: read_rows(spec, source), alias, _expected(manifest), what)
    else:
        with building(instance.db, specs) as alias:
            load(specs, _parquet_rows(folder, manifest), alias, _expected(manifest), what)


def restore(path: str | Path, name: str | None = None, db: str | None = None) -> InstanceSettings:
    """Rebuild an instance from a snapshot (either kind) and make it current.

    Args:
        path: A snapshot folder written by :func:`create`.
        name: The new instance's name (default: the snapshotted instance's); an existing name is refused.
        db: Its database: ``sqlite:///<path>`` (default: a new file in the storage's ``.biolake/``)
            or an empty PostgreSQL database ``postgresql://...``.

    The instance uses the snapshotted storage location, where the artifacts' bytes are.

    Example:
        >>> ln.setup.snapshot.restore("./snapshots/2026-11-30", name="mydata-restored")  # doctest: +SKIP
    """
    folder = Path(path).expanduser().resolve()
    manifest = read_manifest(folder)
    specs = table_specs()
    same_schema = _check_schema(manifest, specs)
    instance = _new_instance(manifest, name, db)
    _check_contents(folder, manifest, specs, same_schema)  # before anything is made
    _build(folder, manifest, instance, specs)
    if instance.is_local_storage:
        (Path(instance.storage_root) / MANAGED_DIRNAME).mkdir(parents=True, exist_ok=True)
    store.save_instance(instance)
    store.set_current(instance.name)
    log.success(
        f"restored instance {instance.name!r} from {folder} into {redact_db(instance.db)}: "
        f"{len(manifest.tables)} tables, {manifest.n_rows} rows, counts and content hashes verified"
    )
    if same_schema:
        django_boot.activate(instance)
    else:
        django_boot.deactivate()
        log.warning(f"the snapshot's schema is older than this biolake's: run `biolake migrate {instance.name}`")
    return instance
