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
from biolake.errors import InstanceSetupError, SnapshotCorruptError, SnapshotError
from biolake.setup import django_boot, store
from biolake.setup.instance import MANAGED_DIRNAME, InstanceSettings, default_sqlite_url, redact_db, sqlite_path
from biolake.setup.snapshot.canonical import TableDigest
from biolake.setup.snapshot.copy import Stats, compare, load
from biolake.setup.snapshot.databases import building, partial_sqlite, remove_sqlite, sqlite_reader, temporary_alias
from biolake.setup.snapshot.manifest import Manifest, check_file, read_manifest
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


def _check_contents(folder: Path, manifest: Manifest, specs: list[TableSpec], same_schema: bool) -> None:
    if manifest.kind == "sqlite":
        database = manifest.database_file or {}
        path = check_file(folder, str(database.get("path", "")), str(database.get("hash", "")))
        if same_schema:
            with temporary_alias(sqlite_reader(path)) as alias:
                compare(_expected(manifest), measure(specs, alias), f"The snapshot's database {path}")
        return
    rows_of = _parquet_rows(folder, manifest)
    actual = {}
    for spec in specs:
        digest = TableDigest(spec)
        for row in rows_of(spec):
            digest.update(row)
        actual[spec.table] = (digest.rows, digest.hash)
    try:
        compare(_expected(manifest), actual, f"Snapshot {folder}")
    except SnapshotError as error:
        raise SnapshotCorruptError(f"{error} The snapshot is damaged or was edited: use another one.") from None


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


def _restore_sqlite_file(folder: Path, manifest: Manifest, target: Path, specs: list[TableSpec], same_schema: bool) -> None:
    database = manifest.database_file or {}
    partial = partial_sqlite(target)
    try:
        shutil.copyfile(check_file(folder, str(database.get("path", "")), str(database.get("hash", ""))), partial)
        if same_schema:
            with temporary_alias(sqlite_reader(partial)) as alias:
                compare(_expected(manifest), measure(specs, alias), f"The restored database {target}")
    except BaseException:
        remove_sqlite(partial)
        raise
    os.replace(partial, target)


def _build(folder: Path, manifest: Manifest, instance: InstanceSettings, specs: list[TableSpec], same_schema: bool) -> None:
    what = f"The restored database {redact_db(instance.db)}"
    if manifest.kind == "sqlite" and instance.dialect == "sqlite":
        _restore_sqlite_file(folder, manifest, sqlite_path(instance.db), specs, same_schema)
    elif manifest.kind == "sqlite":
        database = manifest.database_file or {}
        path = check_file(folder, str(database.get("path", "")), str(database.get("hash", "")))
        with temporary_alias(sqlite_reader(path)) as source, building(instance.db, specs) as alias:
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
    if manifest.kind == "parquet":
        _check_contents(folder, manifest, specs, same_schema)  # before anything is made
    instance = _new_instance(manifest, name, db)
    _build(folder, manifest, instance, specs, same_schema)
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
