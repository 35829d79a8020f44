"""Audits of a whole registry or storage location: verify every artifact, find and remove orphan files.

Nothing here changes a record. :func:`verify_all` re-hashes many artifacts;
:func:`find_orphans` lists the files under ``<root>/.biolake/`` that no artifact record
owns (bytes left by a save whose commit never happened, or temporary files of a writer
that was killed); :func:`remove_orphans` deletes them.

A file that is *about to be* owned looks like an orphan too: a save writes its bytes
before it commits the record. So files younger than ``min_age`` seconds (default: one
hour, by the newer of their modification and status-change times) are never reported.

Example:
    >>> remove_orphans(storage, find_orphans(storage))  # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from biolake import _logging as log
from biolake.errors import InvalidKeyError
from biolake.models.artifact import Artifact
from biolake.models.integrity import VerifyReport, verify
from biolake.errors import StorageError
from biolake.storage import paths, transfer
from biolake.storage.failures import storage_error
from biolake.storage.keys import RESERVED_PREFIX

if TYPE_CHECKING:
    from biolake.models.storage import Storage

__all__ = ["DEFAULT_MIN_AGE", "Orphan", "OrphanScan", "find_orphans", "remove_orphans", "scan_orphans", "verify_all"]

DEFAULT_MIN_AGE = 3600.0
"""Seconds a managed file must be left unchanged before it may count as an orphan."""

_UID_LENGTH = 20  # Artifact uids: 16-char stem + 4-char version
_MANAGED_NAME = re.compile(rf"^([0-9A-Za-z]{{{_UID_LENGTH}}})(\.[^/\\]*)?$")
_TEMP_NAME = re.compile(rf"^\.(.+)\.[0-9a-f]+{re.escape(transfer.TEMP_SUFFIX)}$")
_SQLITE_PREFIX = "biolake.sqlite3"


def verify_all(queryset: Any = None) -> list[VerifyReport]:
    """:func:`verify` every artifact of ``queryset`` (default: all artifacts, trashed ones included)."""
    if queryset is None:
        queryset = Artifact._plain.all()
    return [verify(artifact) for artifact in queryset.select_related("storage").order_by("id").iterator()]


# -- orphans -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Orphan:
    """A file or folder under ``<root>/.biolake/`` that no artifact record owns."""

    path: str
    name: str
    size: int
    age: float
    """Seconds since the newest change of the file (or of any file in the folder)."""
    temporary: bool
    """A temporary file of an interrupted write (``.<name>.<random>.biolake-tmp``)."""


@dataclass
class OrphanScan:
    """What :func:`scan_orphans` found in one storage location."""

    root: str
    orphans: list[Orphan] = field(default_factory=list)
    recent: list[str] = field(default_factory=list)
    """Unowned files younger than ``min_age``: maybe a save in progress, so left alone."""


def find_orphans(storage: Storage | str, *, min_age: float = DEFAULT_MIN_AGE) -> list[str]:
    """Paths of managed files in ``storage`` whose artifact is not in the database.

    Args:
        storage: a ``Storage`` record or a storage root.
        min_age: only files unchanged for this many seconds count (a save in progress has
            written its bytes but not yet committed its record).

    A location other instances write to as well (one registered here by a zero-copy
    transfer is another instance's storage) holds their files too, which all look like
    orphans from here: scan only the locations this instance writes to, as
    ``biolake storage gc`` does.
    """
    return [orphan.path for orphan in scan_orphans(storage, min_age=min_age).orphans]


def scan_orphans(storage: Storage | str, *, min_age: float = DEFAULT_MIN_AGE) -> OrphanScan:
    """:func:`find_orphans` with sizes, ages and the unowned files skipped as too recent."""
    root, options = _root_of(storage)
    folder = paths.join_root(root, RESERVED_PREFIX, **options)
    entries = _list(folder)
    uids = {uid for name, _ in entries if (uid := _uid_of(name))}
    known = _known_uids(uids)
    scan = OrphanScan(root=root)
    now = time.time()
    for name, info in entries:
        if name.startswith(_SQLITE_PREFIX):
            continue  # the instance's own database (and its -wal, -shm files)
        temporary = _TEMP_NAME.match(name) is not None
        if not temporary and _uid_of(name) in known:
            continue
        if not temporary and not _MANAGED_NAME.match(name):
            continue  # the SQLite database, or a file biolake does not name
        path = folder / name
        size, changed = _size_and_changed(path, info)
        age = now - changed if changed is not None else None
        if age is None or age < min_age:
            scan.recent.append(str(path))
            continue
        scan.orphans.append(Orphan(str(path), name, size, age, temporary))
    return scan


def remove_orphans(storage: Storage | str, orphan_paths: list[str]) -> list[str]:
    """Delete orphan files found by :func:`find_orphans`; returns the paths removed.

    Each path must be directly under ``<root>/.biolake/`` and named like a managed or
    temporary file. Just before deleting, the database is asked again: a path whose
    artifact exists by now is kept (with a warning).

    Raises:
        InvalidKeyError: a path is not a managed file of ``storage`` (nothing is removed).
    """
    root, options = _root_of(storage)
    folder = paths.join_root(root, RESERVED_PREFIX, **options)
    prefix = str(folder).rstrip("/") + "/"
    names = []
    for text in orphan_paths:
        name = str(text)[len(prefix) :] if str(text).startswith(prefix) else ""
        if not name or "/" in name or not (_MANAGED_NAME.match(name) or _TEMP_NAME.match(name)):
            raise InvalidKeyError(
                f"{text!r} is not a managed file of storage {root!r} (expected {prefix}<uid><suffix>); nothing was removed.",
                key=str(text),
            )
        names.append(name)
    known = _known_uids({uid for name in names if not _TEMP_NAME.match(name) and (uid := _uid_of(name))})
    removed = []
    for name in names:
        if not _TEMP_NAME.match(name) and _uid_of(name) in known:
            log.warning(f"kept {prefix}{name}: its artifact {_uid_of(name)} exists now")
            continue
        transfer.remove(folder / name)
        removed.append(prefix + name)
    return removed


def _root_of(storage: Storage | str) -> tuple[str, dict[str, Any]]:
    if hasattr(storage, "root"):
        return storage.root, dict(getattr(storage, "options", None) or {})
    return paths.normalize_root(storage), {}


def _uid_of(name: str) -> str | None:
    match = _MANAGED_NAME.match(name)
    return match.group(1) if match else None


def _known_uids(uids: set[str]) -> set[str]:
    """The uids among ``uids`` that an artifact record has (in any storage location or branch)."""
    model = Artifact
    found: set[str] = set()
    ordered = sorted(uids)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        found.update(model._plain.filter(uid__in=chunk).values_list("uid", flat=True))
    return found


def _list(folder: Any) -> list[tuple[str, dict[str, Any]]]:
    """(name, fsspec info) of the entries directly in ``folder``; empty if it does not exist."""
    if not paths.is_remote(folder):
        local = folder.path
        try:
            return [(entry.name, {}) for entry in os.scandir(local)]
        except FileNotFoundError:
            return []
    try:
        listing = folder.fs.ls(folder.path, detail=True, refresh=True)
    except FileNotFoundError:
        return []
    except StorageError:
        raise
    except Exception as error:  # noqa: BLE001 - credentials, network: one line that says what to do
        raise storage_error(error, str(folder), "list") from error
    base = folder.path.rstrip("/")
    return [(item["name"].rstrip("/").rsplit("/", 1)[-1], item) for item in listing if item["name"].rstrip("/") != base]


def _size_and_changed(path: Any, info: dict[str, Any]) -> tuple[int, float | None]:
    """Total size and newest change time (epoch seconds) of a file or folder."""
    if not paths.is_remote(path):
        return _local_size_and_changed(path.path)
    fs = path.fs
    if info.get("type") == "directory":
        items = list(fs.find(path.path, detail=True).values())
    else:
        items = [info]
    times = [_info_time(item) for item in items]
    changed = None if not items or any(t is None for t in times) else max(times)  # type: ignore[type-var]
    return sum(int(item.get("size") or 0) for item in items), changed


def _local_size_and_changed(local: str) -> tuple[int, float]:
    def stamp(stat: os.stat_result) -> float:
        return max(stat.st_mtime, stat.st_ctime)  # a rename into place updates ctime only

    stat = os.lstat(local)
    size, changed = 0, stamp(stat)
    if os.path.isdir(local) and not os.path.islink(local):
        for folder, dirnames, filenames in os.walk(local):
            for name in dirnames + filenames:
                entry = os.lstat(os.path.join(folder, name))
                changed = max(changed, stamp(entry))
                if name in filenames:
                    size += entry.st_size
    else:
        size = stat.st_size
    return size, changed


def _info_time(info: dict[str, Any]) -> float | None:
    """The modification time in an fsspec info dict, as epoch seconds (None if it has none)."""
    for name in ("LastModified", "mtime", "updated", "last_modified", "created"):
        value = info.get(name)
        if value is None:
            continue
        if isinstance(value, (int, float)):
            return float(value)
        if hasattr(value, "timestamp"):
            return float(value.timestamp())
        try:
            from datetime import datetime

            return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
        except ValueError:
            continue
    return None
