"""List the contents of a local or fsspec folder the same way for every backend.

Hashing, transfer, cache and tree all walk folders through :func:`walk`, so
they agree on which files a folder holds: every regular file below it (hidden
files included), symlinks to files followed, symlinks to folders not entered.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from biolake.errors import StorageError
from biolake.storage.paths import is_local

if TYPE_CHECKING:
    from upath import UPath


@dataclass(frozen=True)
class Entry:
    """One file or folder below a listed folder."""

    key: str
    """Relative POSIX path from the listed folder, e.g. ``"sub/a.csv"``."""
    path: str
    """Absolute local path, or the fsspec path (no protocol) for remote entries."""
    size: int
    is_dir: bool = False
    info: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """The filesystem's own metadata (remote entries only): ETag, mtime, ..."""


def local_str(path: UPath) -> str:
    """Return the plain OS path of a local UPath."""
    if path.protocol in ("file", "local"):
        return path.path
    assert isinstance(path, PurePath)  # PosixUPath and WindowsUPath are pathlib paths
    return os.fspath(path)


def is_dir(path: UPath) -> bool:
    """Return True if ``path`` is a folder (on object stores: a prefix with objects below)."""
    if is_local(path):
        return os.path.isdir(local_str(path))
    return bool(path.fs.isdir(path.path))


def exists(path: UPath) -> bool:
    """Return True if a file or folder exists at ``path``."""
    if is_local(path):
        return os.path.lexists(local_str(path))
    return bool(path.fs.exists(path.path))


def walk(path: UPath, *, dirs: bool = False) -> list[Entry]:
    """Return the files below folder ``path`` (and folders if ``dirs``), sorted by key.

    Raises:
        StorageError: A file cannot be read (e.g. a broken symlink).
    """
    entries = _walk_local(local_str(path), dirs) if is_local(path) else _walk_remote(path, dirs)
    return sorted(entries, key=lambda entry: entry.key)


def _walk_local(root: str, dirs: bool) -> list[Entry]:
    entries: list[Entry] = []
    for folder, dirnames, filenames in os.walk(root, onerror=_raise_walk_error):
        relative = os.path.relpath(folder, root)
        prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
        if dirs:
            entries.extend(Entry(prefix + d, os.path.join(folder, d), 0, True) for d in dirnames)
        for name in filenames:
            full = os.path.join(folder, name)
            entries.append(Entry(prefix + name, full, _local_file_size(full)))
    return entries


def _local_file_size(path: str) -> int:
    try:
        info = os.stat(path)
    except OSError as error:
        raise StorageError(f"Cannot read {path!r} (a broken symlink?): {error}", path=path) from error
    if not stat.S_ISREG(info.st_mode):
        raise StorageError(f"{path!r} is not a regular file; remove it or replace it with a file.", path=path)
    return info.st_size


def _raise_walk_error(error: OSError) -> None:
    raise StorageError(f"Cannot list folder {error.filename!r}: {error}", path=error.filename) from error


def _walk_remote(path: UPath, dirs: bool) -> list[Entry]:
    base = path.path.rstrip("/")
    found = path.fs.find(base, withdirs=dirs, detail=True)
    entries: list[Entry] = []
    for name, info in found.items():
        name = name.rstrip("/")
        if not name.startswith(base + "/"):
            continue
        is_folder = info.get("type") == "directory"
        entries.append(Entry(name[len(base) + 1 :], name, int(info.get("size") or 0), is_folder, info))
    return entries
