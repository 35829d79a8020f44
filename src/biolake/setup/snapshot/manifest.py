"""A snapshot's ``manifest.json``: what it holds and how to check it.

::

    {"format": "biolake-snapshot", "version": 1, "kind": "sqlite" | "parquet",
     "created_at": ..., "biolake_version": ..., "source_dialect": "sqlite" | "postgresql",
     "instance": {"name", "storage_root", "modules", "storage_options"},   # no database URL
     "migrations": {"biolake": ["0001_initial", ...], "bio": [...], ...},
     "database_file": {"path": "database.sqlite3", "hash": "blake3:..."},  # kind "sqlite"
     "tables": [{"table", "app", "columns": [[name, kind], ...], "rows", "hash",
                 "file": "tables/<table>.parquet", "file_hash"}, ...]}    # dependency order

``hash`` is the table's content hash (``canonical.TableDigest``), the same on every backend;
``file_hash`` the BLAKE3 of the file's bytes.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

from blake3 import blake3

from biolake.errors import SnapshotCorruptError, SnapshotError

FORMAT = "biolake-snapshot"
VERSION = 1
FILENAME = "manifest.json"
DATABASE_FILE = "database.sqlite3"
TABLES_DIR = "tables"
_SECRET_OPTION = re.compile(r"secret|token|password|passwd|credential|(^|_)key$", re.IGNORECASE)


@dataclasses.dataclass
class Manifest:
    """The parsed manifest of a snapshot folder."""

    kind: str
    instance: dict[str, Any]
    migrations: dict[str, list[str]]
    tables: list[dict[str, Any]]
    source_dialect: str
    created_at: str = ""
    biolake_version: str = ""
    database_file: dict[str, str] | None = None

    def table(self, name: str) -> dict[str, Any] | None:
        """The entry of table ``name``, if the snapshot has it."""
        return next((entry for entry in self.tables if entry["table"] == name), None)

    @property
    def n_rows(self) -> int:
        """Rows in all tables."""
        return sum(int(entry["rows"]) for entry in self.tables)

    def to_json(self) -> str:
        """The text of ``manifest.json``."""
        body = {"format": FORMAT, "version": VERSION, **dataclasses.asdict(self)}
        return json.dumps(body, indent=1)


def public_instance(name: str, storage_root: str, modules: list[str], options: dict[str, Any]) -> dict[str, Any]:
    """What a manifest records of an instance: never its database URL nor a secret storage option."""
    kept = {k: v for k, v in options.items() if not _SECRET_OPTION.search(str(k))}
    return {"name": name, "storage_root": storage_root, "modules": list(modules), "storage_options": kept}


def file_hash(path: Path) -> str:
    """``blake3:<hex>`` of a file's bytes."""
    digest = blake3()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return f"blake3:{digest.hexdigest()}"


def _corrupt(folder: Path, why: str) -> SnapshotCorruptError:
    return SnapshotCorruptError(f"{folder / FILENAME} {why}; this is not an intact biolake snapshot: use another one.")


def read_manifest(folder: Path) -> Manifest:
    """Parse and sanity-check ``folder/manifest.json``."""
    path = folder / FILENAME
    if not folder.is_dir():
        raise SnapshotError(f"No snapshot at {folder}: make one with `biolake snapshot create {folder}`.")
    if not path.is_file():
        raise _corrupt(folder, "is missing")
    try:
        body = json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _corrupt(folder, f"is not valid JSON ({error})") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise _corrupt(folder, "is not a biolake snapshot manifest")
    if body.get("version") != VERSION:
        raise SnapshotError(f"Snapshot {folder} has format version {body.get('version')!r}; this biolake reads version {VERSION}.")
    fields = {f.name for f in dataclasses.fields(Manifest)}
    try:
        manifest = Manifest(**{k: v for k, v in body.items() if k in fields})
    except TypeError as error:
        raise _corrupt(folder, f"lacks a field ({error})") from None
    if manifest.kind not in ("sqlite", "parquet"):
        raise _corrupt(folder, f"names an unknown kind {manifest.kind!r}")
    problem = _shape_problem(manifest)
    if problem:
        raise _corrupt(folder, problem)
    return manifest


_ENTRY_KEYS = {"table": str, "columns": list, "rows": int, "hash": str}


def _shape_problem(manifest: Manifest) -> str | None:
    """What is malformed in a parsed manifest, if anything."""
    if not isinstance(manifest.instance, dict) or not isinstance(manifest.instance.get("storage_root"), str):
        return "has no instance storage root"
    migrations = manifest.migrations
    if not isinstance(migrations, dict) or not all(isinstance(v, list) and all(isinstance(n, str) for n in v) for v in migrations.values()):
        return "has malformed migrations"
    if not isinstance(manifest.tables, list):
        return "has no table list"
    keys = dict(_ENTRY_KEYS, **({"file": str, "file_hash": str} if manifest.kind == "parquet" else {}))
    for entry in manifest.tables:
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), t) for k, t in keys.items()):
            return f"has a malformed table entry ({str(entry)[:80]})"
    if manifest.kind == "sqlite" and not (isinstance(manifest.database_file, dict) and {"path", "hash"} <= set(manifest.database_file)):
        return "does not name its database file"
    return None


def check_file(folder: Path, relative: str, expected: str, table: str | None = None) -> Path:
    """The path of a snapshot file whose bytes match ``expected``; a clear error otherwise."""
    path = (folder / relative).resolve()
    if folder.resolve() not in path.parents:
        raise _corrupt(folder, f"names a file outside the snapshot ({relative!r})")
    if not path.is_file():
        raise SnapshotCorruptError(f"Snapshot file {path} is missing; the snapshot is incomplete: use another one.", table=table)
    actual = file_hash(path)
    if actual != expected:
        raise SnapshotCorruptError(
            f"Snapshot file {path} was changed after the snapshot was made (its hash differs from the "
            "manifest's); the snapshot is damaged: use another one.",
            table=table, expected=expected, actual=actual,
        )
    return path
