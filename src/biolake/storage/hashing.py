"""BLAKE3 content hashes of files and folders, local or remote.

Every file is hashed in full. Local files use BLAKE3's threads over a memory map;
remote files are streamed in 8 MiB chunks.

A folder's hash (type ``"blake3-dir"``) is the BLAKE3 hash of a manifest::

    b"biolake-dir-v1\\n"
    then, for each file in order of its relative POSIX path (code-point order):
        utf8(relative_path) + b"\\0" + hex_blake3(file) + b"\\n"

So the hash depends on every file's relative path and content (renaming or
editing a file changes it), never on the order a filesystem lists files in.
Empty sub-folders do not count.

Example:
    >>> hash_bytes(b"")
    'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262'
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

from biolake.errors import StorageError
from biolake.storage import _listing
from biolake.storage.paths import create_path, is_local

if TYPE_CHECKING:
    from upath import UPath

__all__ = [
    "CHUNK_SIZE",
    "HASH_TYPE_ETAG",
    "HASH_TYPE_ETAG_DIR",
    "store_md5",
    "HASH_TYPE_DIR",
    "HASH_TYPE_FILE",
    "SMALL_FILE",
    "DirSummary",
    "FileSummary",
    "hash_bytes",
    "hash_file",
    "hash_stream",
    "summarize",
    "summarize_dir",
    "summarize_file",
    "summarize_small",
]

HASH_TYPE_FILE = "blake3"
HASH_TYPE_DIR = "blake3-dir"
HASH_TYPE_ETAG = "md5-etag"  # an object store's MD5 of the whole object (no bytes read)
HASH_TYPE_ETAG_DIR = "md5-etag-dir"  # a folder manifest over such MD5s

CHUNK_SIZE = 8 * 1024**2
"""Bytes read at a time when streaming a file."""

SMALL_FILE = 1024**2
"""Files below this size are read in one go; above it, hashed with threads over mmap."""

_DIR_HEADER = b"biolake-dir-v1\n"


@dataclass(frozen=True)
class FileSummary:
    """Hash and size of one file."""

    hash: str
    hash_type: str
    size: int


@dataclass(frozen=True)
class DirSummary:
    """Hash, total size and number of files of a folder."""

    hash: str
    hash_type: str
    size: int
    n_files: int


def hash_bytes(data: bytes) -> str:
    """Return the BLAKE3 hex digest of ``data``."""
    import blake3

    return blake3.blake3(data).hexdigest()


def hash_file(path: str | os.PathLike[str]) -> str:
    """Return the BLAKE3 hex digest of a local file.

    Small files (< 1 MiB) are read directly; larger ones are hashed with all
    cores over a memory map.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "x.txt"; _ = f.write_bytes(b"")
        >>> hash_file(f) == hash_bytes(b"")
        True
    """
    import blake3

    local = os.fspath(path)
    if os.path.getsize(local) < SMALL_FILE:
        with open(local, "rb") as handle:
            return blake3.blake3(handle.read()).hexdigest()
    hasher = blake3.blake3(max_threads=blake3.blake3.AUTO)
    hasher.update_mmap(local)
    return hasher.hexdigest()


def summarize_file(path: str | os.PathLike[str]) -> FileSummary:
    """Hash a local file given by a plain path (no URL, no symlink resolution): one open and stat.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "x.txt"; _ = f.write_bytes(b"ab")
        >>> summarize_file(f) == summarize(f)
        True
    """
    return summarize_small(path, 0)[0]


def summarize_small(path: str | os.PathLike[str], keep: int) -> tuple[FileSummary, bytes | None]:
    """Hash a local file as :func:`summarize_file` does, and return its bytes if it has at most ``keep``.

    The file is read once: the bytes returned are exactly the bytes hashed (a writer that
    changes the file afterwards changes neither), so they can be stored under this hash.
    Larger files are hashed with threads over a memory map, and ``None`` is returned for
    their bytes.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "x.txt"; _ = f.write_bytes(b"ab")
        >>> summarize_small(f, 10) == (summarize_file(f), b"ab")
        True
    """
    import blake3

    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size < SMALL_FILE or size <= keep:
            body = handle.read()
            hasher = blake3.blake3(body) if len(body) < SMALL_FILE else blake3.blake3(body, max_threads=blake3.blake3.AUTO)
            return FileSummary(hasher.hexdigest(), HASH_TYPE_FILE, len(body)), body if len(body) <= keep else None
    return FileSummary(hash_file(path), HASH_TYPE_FILE, size), None


def hash_stream(upath: UPath) -> str:
    """Return the BLAKE3 hex digest of any fsspec file, read in 8 MiB chunks."""
    return _hash_open(upath.open("rb"))


def summarize(path: str | os.PathLike[str] | UPath) -> FileSummary | DirSummary:
    """Hash a local or remote file or folder.

    Args:
        path: A local path, URL or UPath.

    Returns:
        A :class:`FileSummary` for a file, a :class:`DirSummary` for a folder.

    Raises:
        StorageError: Nothing exists at ``path``, or it is an empty folder.
    """
    upath = create_path(path)
    if _listing.is_dir(upath):
        return summarize_dir(upath)
    if not _listing.exists(upath):
        raise StorageError(f"No file or folder at {str(upath)!r}; check the path.", path=str(upath))
    if is_local(upath):
        local = _listing.local_str(upath)
        return FileSummary(hash_file(local), HASH_TYPE_FILE, os.path.getsize(local))
    info = upath.fs.info(upath.path)
    size = int(info.get("size") or 0)
    etag = store_md5(info)
    if etag is not None:  # the store's full-content checksum: no need to read the bytes
        return FileSummary(etag, HASH_TYPE_ETAG, size)
    return FileSummary(hash_stream(upath), HASH_TYPE_FILE, size)


def store_md5(info: dict[str, Any]) -> str | None:
    """The MD5 an object store reports for an object (a plain ETag of a single-part upload), if any."""
    if info.get("ServerSideEncryption") == "aws:kms" or info.get("SSECustomerAlgorithm"):
        return None  # with KMS or customer keys, S3's ETag is not the MD5 of the content
    etag = str(info.get("ETag") or info.get("etag") or "").strip('"').lower()
    if len(etag) == 32 and all(c in "0123456789abcdef" for c in etag):
        return etag
    return None


def summarize_dir(path: str | os.PathLike[str] | UPath) -> DirSummary:
    """Hash a local or remote folder over its sorted relative paths and file hashes.

    Raises:
        StorageError: The folder holds no files (a folder artifact needs files).

    Example:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "a.txt").write_text("a")
        >>> summarize_dir(d).n_files
        1
    """
    upath = create_path(path)
    entries = _listing.walk(upath)
    if not entries:
        raise StorageError(f"Folder {str(upath)!r} holds no files; a folder artifact needs at least one.", path=str(upath))
    if is_local(upath):
        return _dir_summary(entries, hash_file)
    etags = {entry.path: store_md5(entry.info) for entry in entries}
    checksums = {name: etag for name, etag in etags.items() if etag}
    if len(checksums) == len(etags):  # every object has a full-content checksum from the store
        return _dir_summary(entries, checksums.__getitem__, HASH_TYPE_ETAG_DIR)
    fs = upath.fs
    return _dir_summary(entries, lambda name: _hash_open(fs.open(name, "rb")))


def _hash_open(handle: BinaryIO) -> str:
    """Hash an open binary file in chunks, then close it."""
    import blake3

    hasher = blake3.blake3()
    with handle:
        while chunk := handle.read(CHUNK_SIZE):
            hasher.update(chunk)
    return hasher.hexdigest()


def _dir_summary(entries: list[_listing.Entry], hash_of: Callable[[str], str], hash_type: str = HASH_TYPE_DIR) -> DirSummary:
    import blake3

    manifest = blake3.blake3(_DIR_HEADER)
    for entry in entries:
        manifest.update(entry.key.encode("utf-8") + b"\0" + hash_of(entry.path).encode("ascii") + b"\n")
    size = sum(entry.size for entry in entries)
    return DirSummary(manifest.hexdigest(), hash_type, size, len(entries))
