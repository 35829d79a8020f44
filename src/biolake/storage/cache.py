"""A local cache of remote files and folders that notices when the remote copy changes.

A remote path is mirrored at ``<cache_dir>/<protocol>/<bucket>/<key...>``, so
``s3://bucket/lake/a.csv`` is cached at ``<cache_dir>/s3/bucket/lake/a.csv``.
What was downloaded is recorded in an index beside the mirror,
``<cache_dir>/.biolake-cache-index/<protocol>/<bucket>/<key...>.json``, holding
the size and whatever the file system reports to identify a version (ETag,
checksum, generation, modification time). :func:`cached` downloads again only
when these differ, per file for folders. Downloads are atomic, so processes can
share a cache.

A file system that reports nothing but the size (some HTTP servers) cannot
reveal an edit that keeps the size; clear the cache to force a download.

Example:
    >>> import tempfile, pathlib
    >>> from biolake.storage.paths import create_path
    >>> _ = create_path("memory://doc-cache/a.txt").write_bytes(b"hello")
    >>> cached(create_path("memory://doc-cache/a.txt"), pathlib.Path(tempfile.mkdtemp())).read_bytes()
    b'hello'
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from biolake.errors import InvalidKeyError, StorageError
from biolake.storage import _listing, transfer
from biolake.storage.failures import storage_error
from biolake.storage.paths import is_local, normalize_root

if TYPE_CHECKING:
    from upath import UPath

__all__ = [
    "INDEX_DIR",
    "SAVING_DIR",
    "VERSION_FIELDS",
    "cache_path",
    "cached",
    "clear_cache",
]

INDEX_DIR = ".biolake-cache-index"
"""Folder inside the cache directory that records what was downloaded."""

VERSION_FIELDS = (
    "ETag",
    "etag",
    "md5Hash",
    "crc32c",
    "checksum",
    "generation",
    "VersionId",
    "version_id",
    "LastModified",
    "last_modified",
    "updated",
    "mtime",
    "created",
)
"""Fields of ``fs.info()`` that identify a version of a remote file, beside its size."""


def cache_path(upath: UPath, cache_dir: str | os.PathLike[str]) -> Path:
    """Return where ``upath`` is mirrored in ``cache_dir``: ``<cache_dir>/<protocol>/<bucket>/<key...>``.

    Raises:
        InvalidKeyError: The path has ``.`` or ``..`` segments that would leave the cache.

    Example:
        >>> from biolake.storage.paths import create_path
        >>> cache_path(create_path("s3://bucket/lake/a.csv"), "/cache").as_posix()
        '/cache/s3/bucket/lake/a.csv'
    """
    return Path(cache_dir).joinpath(*_mirror_parts(upath))


def cached(upath: UPath, cache_dir: str | os.PathLike[str]) -> Path:
    """Return a local path with the content of ``upath``, downloading only when needed.

    Local paths are returned as they are. Remote files and folders are downloaded
    to :func:`cache_path` once and reused while the remote copy is unchanged.

    Raises:
        StorageError: Nothing exists at ``upath`` or the download failed.
    """
    if is_local(upath):
        return Path(_listing.local_str(upath))
    target = cache_path(upath, cache_dir)
    index = _index_path(upath, cache_dir)
    try:
        if _listing.is_dir(upath):
            _sync_dir(upath, target, index)
        else:
            _sync_file(upath, target, index)
    except StorageError:
        raise
    except Exception as error:  # credentials, network: one line that says what to do
        raise storage_error(error, str(upath), "download") from error
    return target


SAVING_DIR = "_tmp"
"""Sub-folder of the cache holding files being saved; :func:`clear_cache` leaves it alone
(:func:`biolake.storage.tempfiles.remove_stale` removes the files of interrupted saves)."""


def clear_cache(cache_dir: str | os.PathLike[str]) -> int:
    """Delete everything in ``cache_dir`` and return the number of cached files removed.

    The index files are removed too but not counted. A missing folder gives 0.
    """
    root = Path(cache_dir)
    if not root.is_dir():
        return 0
    count = 0
    for child in root.iterdir():
        if child.name == SAVING_DIR:  # files of saves in progress (maybe in another process)
            continue
        if child.name != INDEX_DIR:
            count += 1 if not child.is_dir() or child.is_symlink() else _count_files(child)
        _remove(child)
    return count


def _sync_file(upath: UPath, target: Path, index: Path) -> None:
    try:
        info = upath.fs.info(upath.path)
    except FileNotFoundError as error:
        raise StorageError(f"Cannot cache {str(upath)!r}: no file or folder there.", path=str(upath)) from error
    fingerprint = _fingerprint(info)
    record = _read_index(index)
    if record == {"kind": "file", "fingerprint": fingerprint} and _has_size(target, fingerprint["size"]):
        return
    if target.is_dir():
        _remove(target)
    transfer.get(upath, target)
    _write_index(index, {"kind": "file", "fingerprint": fingerprint})


def _sync_dir(upath: UPath, target: Path, index: Path) -> None:
    entries = _listing.walk(upath)
    current = {entry.key: _fingerprint(entry.info, entry.size) for entry in entries}
    record = _read_index(index)
    previous: dict[str, Any] = record.get("files", {}) if record.get("kind") == "dir" else {}
    if target.is_file() or target.is_symlink():
        _remove(target)
    for entry in entries:
        local = target / entry.key
        if previous.get(entry.key) != current[entry.key] or not _has_size(local, entry.size):
            transfer.get(upath / entry.key, local)
    for key in previous.keys() - current.keys():
        _remove(target / key)
    _write_index(index, {"kind": "dir", "files": current})


def _fingerprint(info: dict[str, Any], size: int | None = None) -> dict[str, Any]:
    """Keep the size and version fields of an ``fs.info()`` result, as JSON values."""
    fingerprint: dict[str, Any] = {"size": int(info.get("size") or 0) if size is None else size}
    for name in VERSION_FIELDS:
        if info.get(name) is not None:
            fingerprint[name] = _json_value(info[name])
    return fingerprint


def _json_value(value: Any) -> Any:
    if isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _has_size(path: Path, size: int) -> bool:
    return path.is_file() and path.stat().st_size == size


def _mirror_parts(upath: UPath) -> list[str]:
    text = normalize_root(upath)
    protocol, _, rest = text.partition("://") if "://" in text else ("local", "", text)
    parts = [part for part in rest.split("/") if part]
    if any(part in (".", "..") for part in parts):
        raise InvalidKeyError(f"Cannot cache {text!r}: '.' and '..' segments would leave the cache folder.", key=text)
    return [protocol, *parts]


def _index_path(upath: UPath, cache_dir: str | os.PathLike[str]) -> Path:
    parts = _mirror_parts(upath)
    parts[-1] += ".json"
    return Path(cache_dir, INDEX_DIR).joinpath(*parts)


def _read_index(index: Path) -> dict[str, Any]:
    try:
        record = json.loads(index.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _write_index(index: Path, record: dict[str, Any]) -> None:
    """Write the index file atomically (concurrent readers see the old or the new record)."""
    index.parent.mkdir(parents=True, exist_ok=True)
    temp = index.with_name(f".{index.name}.{secrets.token_hex(4)}.tmp")
    try:
        temp.write_text(json.dumps(record, sort_keys=True), encoding="utf-8")
        os.replace(temp, index)
    except BaseException:
        temp.unlink(missing_ok=True)  # a failed write leaves nothing behind
        raise


def _count_files(folder: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(folder))


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
