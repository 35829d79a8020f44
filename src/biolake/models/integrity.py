"""Integrity of stored bytes: re-hash artifacts, find and remove orphan managed files.

Nothing here changes a record. :func:`verify` re-hashes an artifact's bytes with its own
hash type and compares; :func:`find_orphans` lists the files under ``<root>/.biolake/``
that no artifact record owns (bytes left by a save whose commit never happened, or
temporary files of a writer that was killed); :func:`remove_orphans` deletes them.

A file that is *about to be* owned looks like an orphan too: a save writes its bytes
before it commits the record. So files younger than ``min_age`` seconds (default: one
hour, by the newer of their modification and status-change times) are never reported.

Example:
    >>> report = verify(artifact)  # doctest: +SKIP
    >>> report.ok, report.hash_type  # doctest: +SKIP
    (True, 'blake3')
    >>> remove_orphans(storage, find_orphans(storage))  # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from typing import Any

from biolake import _logging as log
from biolake.errors import HashMismatchError, InvalidKeyError, ValidationError
from biolake.storage import _listing, hashing, paths, transfer  # _listing: the one definition of a folder's files
from biolake.storage.keys import RESERVED_PREFIX

__all__ = [
    "DEFAULT_MIN_AGE",
    "RECOMPUTABLE_HASH_TYPES",
    "Orphan",
    "OrphanScan",
    "VerifyReport",
    "find_orphans",
    "remove_orphans",
    "scan_orphans",
    "verify",
    "verify_all",
]

DEFAULT_MIN_AGE = 3600.0
"""Seconds a managed file must be left unchanged before it may count as an orphan."""

_UID_LENGTH = 20  # Artifact uids: 16-char stem + 4-char version
_MANAGED_NAME = re.compile(rf"^([0-9A-Za-z]{{{_UID_LENGTH}}})(\.[^/\\]*)?$")
_TEMP_NAME = re.compile(rf"^\.(.+)\.[0-9a-f]+{re.escape(transfer.TEMP_SUFFIX)}$")
_SQLITE_PREFIX = "biolake.sqlite3"

# Each hash type, as stored beside the hash: (per-file algorithm, whether it describes a folder).
# A folder hash is BLAKE3 over the manifest documented in biolake.storage.hashing, whatever
# the per-file algorithm; "md5-etag" is an object store's MD5 of a single-part object, which
# streaming the bytes through MD5 recomputes.
_ALGORITHMS: dict[str, tuple[str, bool]] = {
    "blake3": ("blake3", False),
    "blake3-dir": ("blake3", True),
    "md5-etag": ("md5", False),
    "md5-etag-dir": ("md5", True),
}
RECOMPUTABLE_HASH_TYPES = tuple(_ALGORITHMS)
"""Hash types :func:`verify` can recompute; others are reported as ``"unverifiable"``."""
_DIR_MANIFEST_HEADER = b"biolake-dir-v1\n"


# -- verify ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyReport:
    """What :func:`verify` found for one artifact.

    ``status`` is ``"ok"``, ``"mismatch"`` (bytes differ from the recorded hash),
    ``"missing"`` (no file or folder, or an empty folder, at ``path``) or
    ``"unverifiable"`` (no hash recorded, or a hash type that cannot be recomputed:
    ``detail`` says which). ``ok`` is True only when the bytes were re-hashed and match.
    """

    uid: str
    path: str
    ok: bool
    missing: bool
    expected_hash: str | None
    actual_hash: str | None
    hash_type: str | None
    status: str = "ok"
    detail: str = ""
    key: str | None = None

    @property
    def problem(self) -> bool:
        """Whether the bytes are missing or differ from their hash (unverifiable is no problem)."""
        return self.status in ("mismatch", "missing")

    def raise_for_problem(self) -> VerifyReport:
        """Return ``self``, or raise :class:`~biolake.errors.HashMismatchError` if the bytes are missing or differ."""
        if self.problem:
            raise HashMismatchError(self.message(), expected=self.expected_hash, actual=self.actual_hash)
        return self

    def message(self) -> str:
        """One line describing the result."""
        name = f"Artifact {self.uid}" + (f" ({self.key})" if self.key else "")
        if self.status == "missing":
            return f"{name}: no bytes at {self.path} ({self.detail}); expected {self.hash_type} {self.expected_hash}."
        if self.status == "mismatch":
            return (
                f"{name}: the bytes at {self.path} do not match the recorded hash: expected {self.hash_type} "
                f"{self.expected_hash}, found {self.actual_hash}" + (f" ({self.detail})" if self.detail else "") + "."
            )
        if self.status == "unverifiable":
            return f"{name}: cannot verify the bytes at {self.path}: {self.detail}."
        return f"{name}: the bytes at {self.path} match {self.hash_type} {self.expected_hash}."


def verify(artifact: Any) -> VerifyReport:
    """Re-hash the stored bytes of a saved artifact with its own hash type and compare.

    Changes nothing: neither the record nor the bytes.

    Raises:
        ValidationError: the artifact is not saved yet.
    """
    if artifact._state.adding:
        raise ValidationError(f"Save the artifact before verifying it (uid {artifact.uid!r} is not saved).")
    upath = artifact.path
    expected, hash_type = artifact.hash, artifact.hash_type
    base = {"uid": artifact.uid, "path": str(upath), "expected_hash": expected, "hash_type": hash_type, "key": artifact.key}
    if not upath.exists():
        return VerifyReport(**base, ok=False, missing=True, actual_hash=None, status="missing", detail="nothing there")
    if not expected or hash_type not in RECOMPUTABLE_HASH_TYPES:
        why = "no hash is recorded" if not expected else (
            f"hash type {hash_type!r} cannot be recomputed (only {', '.join(RECOMPUTABLE_HASH_TYPES)})"
        )
        return VerifyReport(**base, ok=False, missing=False, actual_hash=None, status="unverifiable", detail=why)
    actual, problem = _recompute(upath, hash_type)
    if problem == "no files":
        return VerifyReport(**base, ok=False, missing=True, actual_hash=None, status="missing", detail="an empty folder")
    ok = actual == expected and not problem
    return VerifyReport(
        **base, ok=ok, missing=False, actual_hash=actual, status="ok" if ok else "mismatch", detail=problem or ""
    )


def verify_all(queryset: Any = None) -> list[VerifyReport]:
    """:func:`verify` every artifact of ``queryset`` (default: all artifacts, trashed ones included)."""
    if queryset is None:
        queryset = _artifact_model().objects.all()
    return [verify(artifact) for artifact in queryset.select_related("storage").order_by("id").iterator()]


def _recompute(upath: Any, hash_type: str) -> tuple[str | None, str | None]:
    """The hash of the bytes at ``upath`` (of type ``hash_type``), or None and what prevents it."""
    import blake3

    algorithm, folder = _ALGORITHMS[hash_type]
    is_dir = _listing.is_dir(upath)
    if is_dir != folder:
        return None, f"found a {'folder' if is_dir else 'file'} where a {'folder' if folder else 'file'} was saved"
    if not folder:
        return _file_hash(upath, _listing.local_str(upath) if paths.is_local(upath) else upath.path, algorithm), None
    entries = _listing.walk(upath)
    if not entries:
        return None, "no files"
    manifest = blake3.blake3(_DIR_MANIFEST_HEADER)
    for entry in entries:
        digest = _file_hash(upath, entry.path, algorithm)
        manifest.update(entry.key.encode("utf-8") + b"\0" + digest.encode("ascii") + b"\n")
    return manifest.hexdigest(), None


def _file_hash(root: Any, name: str, algorithm: str) -> str:
    """Hex digest of one file: a local path, or an fsspec name on ``root``'s file system."""
    local = paths.is_local(root)
    if algorithm == "blake3" and local:
        return hashing.hash_file(name)  # threads over mmap for large files
    handle = open(name, "rb") if local else root.fs.open(name, "rb")  # noqa: SIM115 (closed below)
    hasher = _new_hasher(algorithm)
    with handle:
        while chunk := handle.read(hashing.CHUNK_SIZE):
            hasher.update(chunk)
    return hasher.hexdigest()


def _new_hasher(algorithm: str) -> Any:
    if algorithm == "md5":
        import hashlib

        return hashlib.md5(usedforsecurity=False)
    import blake3

    return blake3.blake3()


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


def find_orphans(storage: Any, *, min_age: float = DEFAULT_MIN_AGE) -> list[str]:
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


def scan_orphans(storage: Any, *, min_age: float = DEFAULT_MIN_AGE) -> OrphanScan:
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


def remove_orphans(storage: Any, orphan_paths: list[str]) -> list[str]:
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


def _root_of(storage: Any) -> tuple[str, dict[str, Any]]:
    if hasattr(storage, "root"):
        return storage.root, dict(getattr(storage, "options", None) or {})
    return paths.normalize_root(storage), {}


def _uid_of(name: str) -> str | None:
    match = _MANAGED_NAME.match(name)
    return match.group(1) if match else None


def _known_uids(uids: set[str]) -> set[str]:
    """The uids among ``uids`` that an artifact record has (in any storage location or branch)."""
    model = _artifact_model()
    found: set[str] = set()
    ordered = sorted(uids)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        found.update(model.objects.filter(uid__in=chunk).values_list("uid", flat=True))
    return found


def _artifact_model() -> Any:
    from django.apps import apps

    from biolake.setup import ensure_ready

    ensure_ready()
    return apps.get_model("biolake", "Artifact")


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
