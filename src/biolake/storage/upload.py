"""Uploading local files and folders to object stores: concurrent, verified, retried.

On S3, files up to :data:`biolake.storage.s3_put.SIZE_LIMIT` go up in exactly one request each
per attempt (see :mod:`biolake.storage.s3_put`): a ``PutObject`` verified by the checksum in
its response (CRC32, else the ETag as MD5), with no existence check before and no ``HEAD``
or listing after; a folder's files go up concurrently in batches.

Elsewhere (and for larger files) many files go up in concurrent batches (fsspec's async
``put`` with lists); afterwards every object is checked against its local file — size
always, and MD5 where the store's ETag is a plain MD5 (single-part uploads) — through one
listing of their common prefix. Files that fail are uploaded again, a few times, before the
upload is declared failed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from biolake.errors import UploadError
from biolake.storage import s3_put
from biolake.storage.hashing import store_md5

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem
    from fsspec.callbacks import Callback

    from biolake.storage._listing import Entry

BATCH = 256  # files per concurrent put
ATTEMPTS = 3
MD5_CHECK_LIMIT = 16 * 1024**2  # compare ETags with local MD5s for files up to this size


@dataclass(frozen=True)
class Pair:
    """A local file and the remote path it goes to."""

    local: str
    remote: str
    size: int


def put_pairs(
    fs: AbstractFileSystem,
    pairs: list[Pair],
    advance: Callable[[int], None],
    file_callback: Callable[[Callable[[int], None]], Callback],
) -> None:
    """Upload ``pairs`` concurrently, verify them, and retry the ones that failed.

    ``file_callback(advance)`` makes the fsspec progress callback of a single-file upload.
    """
    if len(pairs) == 1 and s3_put.applies(fs, pairs[0].size):
        _put_one(fs, pairs[0], file_callback(advance))
        return
    if pairs and s3_put.applies(fs, max(p.size for p in pairs)):
        _put_many(fs, pairs, advance)
        return
    pending = pairs
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="biolake-md5")
    try:
        # the local MD5s an S3 listing is checked against: computed while the files go up
        md5s = pool.submit(_md5s, pairs) if s3_put.applies(fs, 0) else None
        for attempt in range(ATTEMPTS):
            _put(fs, pending, advance if attempt == 0 else (lambda n: None), file_callback)
            pending = unverified(fs, pending, md5s.result() if md5s is not None else None)
            if not pending:
                return
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # an interrupted upload does not wait for the MD5s
    names = ", ".join(p.remote for p in pending[:3])
    raise UploadError(
        f"{len(pending)} file(s) still differ from their local copy after {ATTEMPTS} attempts (e.g. {names}).",
        path=pending[0].remote,
    )


def _put_one(fs: AbstractFileSystem, pair: Pair, callback: Callback) -> None:
    """One S3 object in one request per attempt; the PUT response's checksum verifies it."""
    for _ in range(ATTEMPTS):
        if s3_put.put_verified(fs, pair.local, pair.remote, pair.size, callback):
            return
    raise still_differs(pair.remote)


def still_differs(remote: str) -> UploadError:
    """The error of an object whose PUT responses never matched the bytes sent, after :data:`ATTEMPTS` attempts."""
    return UploadError(
        f"{remote} still differs from its local copy after {ATTEMPTS} attempts (the checksum in the "
        "store's response does not match the file); check the endpoint, or the local file if it is being written.",
        path=remote,
    )


def _put_many(fs: AbstractFileSystem, pairs: list[Pair], advance: Callable[[int], None]) -> None:
    """Small files to S3 in concurrent batches, each object verified by its PUT response; retried."""
    pending = pairs
    for attempt in range(ATTEMPTS):
        failed: list[Pair] = []
        for start in range(0, len(pending), BATCH):
            batch = pending[start : start + BATCH]
            failed += [batch[i] for i in s3_put.put_many(fs, [(p.local, p.remote, p.size) for p in batch])]
            if attempt == 0:
                advance(sum(p.size for p in batch))
        pending = failed
        if not pending:
            return
    names = ", ".join(p.remote for p in pending[:3])
    raise UploadError(
        f"{len(pending)} file(s) still differ from their local copy after {ATTEMPTS} attempts (e.g. {names}).",
        path=pending[0].remote,
    )


def _put(
    fs: AbstractFileSystem,
    pairs: list[Pair],
    advance: Callable[[int], None],
    file_callback: Callable[[Callable[[int], None]], Callback],
) -> None:
    if len(pairs) == 1:
        fs.put_file(pairs[0].local, pairs[0].remote, callback=file_callback(advance))
        return
    for start in range(0, len(pairs), BATCH):
        batch = pairs[start : start + BATCH]
        try:
            fs.put([p.local for p in batch], [p.remote for p in batch])
        except (OSError, TimeoutError):
            pass  # transient failures: the check below finds what is missing and retries it
        advance(sum(p.size for p in batch))


def unverified(fs: AbstractFileSystem, pairs: list[Pair], md5s: dict[str, str] | None = None) -> list[Pair]:
    """The pairs whose remote object is missing or differs in size or MD5 from the local file.

    ``md5s`` maps local paths to their MD5 computed before (others are computed as needed).
    """
    fs.invalidate_cache()
    infos = _remote_infos(fs, [p.remote for p in pairs])
    known = md5s or {}
    return [p for p in pairs if not _matches(p, infos.get(fs._strip_protocol(p.remote)), known)]


def _remote_infos(fs: Any, remotes: list[str]) -> dict[str, dict[str, Any]]:
    if len(remotes) == 1:
        try:
            info = fs.info(remotes[0])
        except FileNotFoundError:
            return {}
        return {fs._strip_protocol(remotes[0]): info}
    prefix = _common_prefix([fs._strip_protocol(r) for r in remotes])
    return {fs._strip_protocol(name): info for name, info in fs.find(prefix, detail=True).items()}


def _common_prefix(names: list[str]) -> str:
    first, last = min(names), max(names)
    size = 0
    while size < min(len(first), len(last)) and first[size] == last[size]:
        size += 1
    return first[:size].rsplit("/", 1)[0]


def _matches(pair: Pair, info: dict[str, Any] | None, md5s: dict[str, str]) -> bool:
    if info is None or int(info.get("size") or 0) != pair.size:
        return False
    etag = store_md5(info)
    if etag is None or pair.size > MD5_CHECK_LIMIT:
        return True  # no full-content checksum to compare: the size matched
    return (md5s.get(pair.local) or _md5(pair.local)) == etag


def _md5s(pairs: list[Pair]) -> dict[str, str]:
    """The MD5 of each local file small enough to be compared with an ETag."""
    return {p.local: _md5(p.local) for p in pairs if p.size <= MD5_CHECK_LIMIT}


def _md5(path: str) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        while chunk := handle.read(1024**2):
            digest.update(chunk)
    return digest.hexdigest()


def pairs_for(source: Path, base: str, entries: list[Entry] | None) -> list[Pair]:
    """The files of a local file or folder and their remote names under ``base``."""
    if entries is None:
        return [Pair(str(source), base, source.stat().st_size)]
    return [Pair(entry.path, f"{base}/{entry.key}", entry.size) for entry in entries]
