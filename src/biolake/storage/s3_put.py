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

__all__ = ["SIZE_LIMIT", "applies", "put_verified"]

SIZE_LIMIT = 16 * 1024**2
"""Files up to this size are read into memory and sent in one ``PutObject``."""


def applies(fs: AbstractFileSystem, size: int) -> bool:
    """Whether a file of ``size`` bytes goes to ``fs`` in one verified request (s3fs only)."""
    s3fs = sys.modules.get("s3fs")  # loaded already when fs is an S3 file system
    return s3fs is not None and isinstance(fs, s3fs.S3FileSystem) and size <= SIZE_LIMIT


def put_verified(fs: Any, local: str, remote: str, size: int, callback: Callback) -> bool:
    """Upload ``local`` to ``remote`` in one request; True if the store holds exactly its bytes.

    False when the local file no longer has ``size`` bytes or the response's ETag differs
    from the MD5 of what was sent (the caller tries again). Errors of the request propagate.
    """
    with open(local, "rb") as handle:
        body = handle.read()
    extra = {}
    content_type = mimetypes.guess_type(local)[0]
    if content_type is not None:
        extra["ContentType"] = content_type
    bucket, key, _ = fs.split_path(remote)
    callback.set_size(len(body))
    request = fs._call_s3("put_object", Bucket=bucket, Key=key, Body=body, **extra)
    future = asyncio.run_coroutine_threadsafe(request, fs.loop)  # on s3fs's own IO thread
    try:
        crc32 = base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode("ascii")  # meanwhile
    finally:
        response = future.result()
    fs.invalidate_cache(remote)  # the object and its parents' listings
    callback.relative_update(len(body))
    return len(body) == size and _matches(response, body, crc32)


def _matches(response: dict[str, Any], body: bytes, crc32: str) -> bool:
    """Whether the PUT response describes an object with exactly the bytes of ``body``."""
    stored_crc32 = response.get("ChecksumCRC32")
    if stored_crc32:
        return bool(stored_crc32 == crc32)
    etag = store_md5(response)
    return etag is None or etag == hashlib.md5(body, usedforsecurity=False).hexdigest()
