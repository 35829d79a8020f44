"""One small file to S3 in one request: ``PutObject`` with ``Content-MD5``, verified by its response.

s3fs's ``put_file`` sends the ``PutObject`` but drops the response, so checking the upload
took a ``HEAD`` afterwards (and an existence check before it took a ``HEAD`` and a
``LIST``). Here the file is read once and sent, and the response verifies the object:
botocore sends its default CRC32 checksum of the body (``x-amz-checksum-crc32``), which
the store checks and returns for the object it stored; that is compared with the CRC32 of
the local bytes (computed while the request is in flight). A store that returns no CRC32
(flexible checksums off or unsupported) is checked by its ETag instead, against the MD5 of
the bytes, where the ETag is a plain MD5 (no KMS or customer-key encryption). A mismatch
makes the caller upload again. The call goes through the file system's own client and event
loop (``S3FileSystem._call_s3``: its retries, error translation and ``s3_additional_kwargs``),
so nothing is created per file.

Files above :data:`SIZE_LIMIT` go through s3fs's ``put_file`` (multipart for large files).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import mimetypes
import sys
import zlib
from typing import TYPE_CHECKING, Any

from biolake.storage.hashing import store_md5

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem
    from fsspec.callbacks import Callback

__all__ = ["SIZE_LIMIT", "InFlight", "applies", "put_many", "put_verified", "start"]

SIZE_LIMIT = 16 * 1024**2
"""Files up to this size are read into memory and sent in one ``PutObject``."""

BYTES_IN_FLIGHT = 256 * 1024**2
""":func:`put_many` reads at most about this many bytes ahead (and at least one file)."""

MAX_CONCURRENCY = 64
"""At most this many requests of :func:`put_many` at once."""


def applies(fs: AbstractFileSystem, size: int) -> bool:
    """Whether a file of ``size`` bytes goes to ``fs`` in one verified request (s3fs only)."""
    s3fs = sys.modules.get("s3fs")  # loaded already when fs is an S3 file system
    return s3fs is not None and isinstance(fs, s3fs.S3FileSystem) and size <= SIZE_LIMIT


def put_verified(fs: Any, local: str, remote: str, size: int, callback: Callback) -> bool:
    """Upload ``local`` to ``remote`` in one request; True if the store holds exactly its bytes.

    False when the local file no longer has ``size`` bytes or the response's ETag differs
    from the MD5 of what was sent (the caller tries again). Errors of the request propagate.
    """
    flight = start(fs, local, remote, size)
    callback.set_size(len(flight.body))
    ok = flight.verified()
    callback.relative_update(len(flight.body))
    return ok


class InFlight:
    """One ``PutObject`` sent on s3fs's IO thread; :meth:`verified` waits for its response.

    Meanwhile the caller's thread is free (e.g. for database work): the request runs on the
    file system's own event loop, and the CRC32 of the local bytes was computed while it
    was sent.
    """

    def __init__(self, fs: Any, local: str, remote: str, size: int, body: bytes) -> None:
        self.fs, self.local, self.remote, self.size, self.body = fs, local, remote, size, body
        self._future = asyncio.run_coroutine_threadsafe(_put_object(fs, local, remote, body), fs.loop)  # on s3fs's IO thread
        self._crc32 = _crc32(body)  # meanwhile

    def verified(self) -> bool:
        """Wait for the response: True if the store holds exactly the bytes (errors of the request propagate)."""
        response = self._future.result()
        self.fs.invalidate_cache(self.remote)  # the object and its parents' listings
        return len(self.body) == self.size and _matches(response, self.body, self._crc32)

    def settle(self) -> None:
        """Wait until the request has ended, whatever its outcome (so nothing arrives after a cleanup)."""
        try:
            self._future.result()
        except Exception:  # noqa: BLE001 - the outcome does not matter here, only that it is over
            return

    def again(self) -> InFlight:
        """Send the same bytes once more (after :meth:`verified` said the store holds others)."""
        return InFlight(self.fs, self.local, self.remote, self.size, self.body)


def start(fs: Any, local: str, remote: str, size: int, body: bytes | None = None) -> InFlight:
    """Send ``local`` to ``remote`` (one ``PutObject``); returns without waiting for the store.

    ``body`` is the file's content when the caller read it already (then the file is not read
    again: exactly those bytes are sent, and ``size`` is theirs).
    """
    if body is None:
        with open(local, "rb") as handle:
            body = handle.read()
    return InFlight(fs, local, remote, size, body)


def put_many(fs: Any, files: list[tuple[str, str, int]]) -> list[int]:
    """Upload ``(local, remote, size)`` files concurrently, one verified request each.

    Returns the indices of the files that did not arrive intact (a mismatching checksum, or a
    transient ``OSError``/``TimeoutError``); the caller uploads them again. Every request has
    ended when this returns or raises: the first other error is raised after all of them.
    """
    from fsspec.asyn import sync

    largest = max((size for _, _, size in files), default=1)
    limit = max(1, min(MAX_CONCURRENCY, BYTES_IN_FLIGHT // max(largest, 1)))
    results = sync(fs.loop, _put_all, fs, files, limit)
    fs.invalidate_cache()
    errors = [r for r in results if isinstance(r, BaseException) and not isinstance(r, (OSError, TimeoutError))]
    if errors:
        raise errors[0]
    return [i for i, ok in enumerate(results) if ok is not True]


async def _put_all(fs: Any, files: list[tuple[str, str, int]], limit: int) -> list[Any]:
    slots = asyncio.Semaphore(limit)

    async def one(local: str, remote: str, size: int) -> bool:
        async with slots:
            with open(local, "rb") as handle:
                body = handle.read()
            response = await _put_object(fs, local, remote, body)
            return len(body) == size and _matches(response, body, _crc32(body))

    return await asyncio.gather(*(one(*f) for f in files), return_exceptions=True)


def _put_object(fs: Any, local: str, remote: str, body: bytes) -> Any:
    """The ``PutObject`` coroutine of one file (content type guessed from its name, as s3fs does)."""
    extra = {}
    content_type = mimetypes.guess_type(local)[0]
    if content_type is not None:
        extra["ContentType"] = content_type
    bucket, key, _ = fs.split_path(remote)
    return fs._call_s3("put_object", Bucket=bucket, Key=key, Body=body, **extra)


def _crc32(body: bytes) -> str:
    """The CRC32 of ``body`` as S3 writes it (base64 of 4 big-endian bytes)."""
    return base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode("ascii")


def _matches(response: dict[str, Any], body: bytes, crc32: str) -> bool:
    """Whether the PUT response describes an object with exactly the bytes of ``body``."""
    stored_crc32 = response.get("ChecksumCRC32")
    if stored_crc32:
        return bool(stored_crc32 == crc32)
    etag = store_md5(response)
    return etag is None or etag == hashlib.md5(body, usedforsecurity=False).hexdigest()
