"""Deleting an instance without taking bytes that other instances registered by zero-copy transfer.

Two cases, both read from the reference markers (:mod:`biolake.storage.references`):

- the instance owns bytes others use: those files (and their markers) stay in its storage;
- the instance used bytes of others: its markers there go, so the owners can delete them later.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from biolake.setup import store
from biolake.setup.instance import MANAGED_DIRNAME, InstanceSettings
from biolake.storage import references
from biolake.storage.location import Location

__all__ = ["foreign_artifacts", "forget_foreign_references", "remove_managed_files"]


def foreign_artifacts(instance: InstanceSettings) -> list[tuple[str, str]]:
    """(artifact uid, storage root) of the active instance's artifacts stored outside its own root
    (none when the database cannot be read, e.g. a damaged file deleted with ``force=True``)."""
    from django.db import DatabaseError, connection

    try:
        if "biolake_artifact" not in connection.introspection.table_names():
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT a.uid, s.root FROM biolake_artifact a JOIN biolake_storage s ON s.id = a.storage_id "
                "WHERE s.root <> %s",
                [instance.storage_root],
            )
            return [(uid, root) for uid, root in cursor.fetchall()]
    except DatabaseError:
        return []


def forget_foreign_references(name: str, artifacts: list[tuple[str, str]]) -> None:
    """Remove instance ``name``'s markers next to the bytes it registered in other storages."""
    options = _known_options()
    for uid, root in artifacts:
        if root in options:  # a root no known instance reaches cannot hold a marker of ours
            references.remove_reference(Location(root, options[root]), uid, name)


def remove_managed_files(instance: InstanceSettings, name: str) -> list[str]:
    """Delete the managed files of ``instance``'s local storage except those other instances use.

    Returns the uids whose bytes were kept.
    """
    managed = Path(instance.storage_root) / MANAGED_DIRNAME
    in_use = _used_elsewhere(Location(instance.storage_root, dict(instance.storage_options)), managed, name)
    if not in_use:
        shutil.rmtree(managed, ignore_errors=True)
        return []
    for entry in list(managed.iterdir()):
        if entry.name == references.REFERENCES_DIR or entry.name.split(".", 1)[0] in in_use:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
    return sorted(in_use)


def _used_elsewhere(location: Location, managed: Path, name: str) -> set[str]:
    folder = managed / references.REFERENCES_DIR
    if not folder.is_dir():
        return set()
    in_use = set()
    for marked in folder.iterdir():
        references.remove_reference(location, marked.name, name)
        if references.list_references(location, marked.name):
            in_use.add(marked.name)
    return in_use


def _known_options() -> dict[str, dict[str, object]]:
    """Storage options per storage root of every instance this machine knows."""
    known: dict[str, dict[str, object]] = {}
    for other in store.list_instances():
        settings = store.load_instance(other)
        known.setdefault(settings.storage_root, dict(settings.storage_options))
    return known
