"""Integrity of one artifact's stored bytes: re-hash them and compare with the record.

Nothing here changes a record. :func:`verify` re-hashes an artifact's bytes with its own
hash type and compares. Checks of a whole registry or storage location (every artifact,
orphan files) are in :mod:`biolake.models.storage_audit`.

Example:
    >>> report = verify(artifact)  # doctest: +SKIP
    >>> report.ok, report.hash_type  # doctest: +SKIP
    (True, 'blake3')
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from biolake import _process
from biolake.errors import CorruptBytesError, HashMismatchError, MissingBytesError, ValidationError
from biolake.storage import _listing, hashing, paths  # _listing: the one definition of a folder's files

if TYPE_CHECKING:
    from biolake.models.artifact import Artifact

__all__ = ["HASH_ON_LOAD_LIMIT", "RECOMPUTABLE_HASH_TYPES", "VerifyReport", "check_local", "missing_bytes", "verify"]

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
HASH_ON_LOAD_LIMIT = 256 * 1024**2
"""Files up to this size are re-hashed before each ``load()`` (larger ones: their size is checked)."""
_HINT = "run `biolake verify --all` to find other damaged artifacts; restore the bytes from a backup or snapshot"


def _name(artifact: Artifact) -> str:
    return f"artifact {artifact.uid}" + (f" (key {artifact.key!r})" if artifact.key else "")


def missing_bytes(artifact: Artifact, path: Any) -> MissingBytesError:
    """The error for a saved artifact whose bytes are not at ``path``."""
    return MissingBytesError(
        f"The bytes of {_name(artifact)} are missing: nothing at {path}; {_HINT}.", path=str(path), uid=artifact.uid
    )


def check_local(artifact: Artifact, local: Any, *, full: bool = False) -> None:
    """Check a local copy of a saved artifact's bytes against its record, cheaply.

    A file's size is always compared; its hash too when the file is at most
    :data:`HASH_ON_LOAD_LIMIT` bytes, or with ``full`` (folders are re-hashed only with ``full``).
    A local file verified before in this process and unchanged since (same inode, size,
    mtime and ctime) is not re-hashed, except with ``full``.

    Raises:
        MissingBytesError: nothing at ``local``.
        CorruptBytesError: the size or the hash differs (``.path``, ``.uid``, ``.expected``, ``.actual``).
    """
    if not full and isinstance(local, (str, os.PathLike)) and _checked_before(artifact, local):
        return
    upath = paths.create_path(local)
    if not upath.exists():
        raise missing_bytes(artifact, local)
    is_dir = _listing.is_dir(upath)
    if not is_dir and artifact.size is not None:
        size = upath.stat().st_size
        if size != artifact.size:
            raise _corrupt(artifact, local, f"size {size} bytes instead of the recorded {artifact.size}")
    small = not is_dir and (artifact.size or 0) <= HASH_ON_LOAD_LIMIT
    if not artifact.hash or artifact.hash_type not in _ALGORITHMS or not (full or small):
        return
    before = _file_state(local) if paths.is_local(upath) else None
    actual, problem = _recompute(upath, artifact.hash_type)
    if problem or actual != artifact.hash:
        detail = problem or f"{artifact.hash_type} hash {actual} instead of the recorded {artifact.hash}"
        raise _corrupt(artifact, local, detail, actual)
    if before is not None:
        _remember_verified(artifact, local, before)


# -- files verified in this process ------------------------------------------------------------
# A local file whose hash matched is not re-hashed by the next load() while it is the same
# file, unchanged: same device and inode, size, modification and status-change times
# (ctime changes with every write, and no user call can set it back). A file changed within
# _RACY_NS of its verification is not remembered: the file system's clock may be too coarse
# to tell a write in that window from none (git's "racily clean" entries).

_RACY_NS = 100_000_000  # 0.1 s
_MAX_REMEMBERED = 10_000


def _file_state(local: Any) -> tuple[int, ...] | None:
    try:
        st = os.stat(local)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _verified_key(artifact: Artifact, local: Any) -> tuple[str, str, str]:
    return (os.fspath(local), str(artifact.hash_type), str(artifact.hash))


def _checked_before(artifact: Artifact, local: Any) -> bool:
    """Whether ``local`` was verified against this artifact's hash and has not changed since."""
    remembered = _process.verified_files.get(_verified_key(artifact, local))
    return remembered is not None and remembered == _file_state(local) and remembered[2] == artifact.size


def _remember_verified(artifact: Artifact, local: Any, before: tuple[int, ...]) -> None:
    """Remember a verification if the file did not change while it was hashed, nor just before."""
    after = _file_state(local)
    if after is None or after != before or time.time_ns() - max(after[3], after[4]) < _RACY_NS:
        return
    if len(_process.verified_files) >= _MAX_REMEMBERED:
        _process.verified_files.clear()
    _process.verified_files[_verified_key(artifact, local)] = after


def _corrupt(artifact: Artifact, path: Any, detail: str, actual: str | None = None) -> CorruptBytesError:
    return CorruptBytesError(
        f"The bytes of {_name(artifact)} at {path} are damaged: {detail}; {_HINT}.",
        path=str(path), uid=artifact.uid, expected=artifact.hash, actual=actual,
    )


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


def verify(artifact: Artifact) -> VerifyReport:
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
