"""Fixtures for the storage tests: one conformance ``store`` per backend.

``store`` is an empty folder as a UPath on the local file system, on fsspec's
``memory://`` file system, and (marked ``s3``, only when ``BIOLAKE_TEST_S3_ENDPOINT``
is set) in a fresh bucket of an S3 endpoint such as a moto server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from upath import UPath

from biolake.storage.paths import create_path

S3_ENDPOINT_VAR = "BIOLAKE_TEST_S3_ENDPOINT"


def _local_store(tmp_path: Path) -> Iterator[UPath]:
    root = tmp_path / "store"
    root.mkdir()
    yield create_path(root)


def _memory_store() -> Iterator[UPath]:
    bucket = create_path(f"memory://biolake-test-{uuid.uuid4().hex[:12]}")
    yield bucket / "lake"
    if bucket.fs.exists(bucket.path):
        bucket.fs.rm(bucket.path, recursive=True)


def _s3_store() -> Iterator[UPath]:
    endpoint = os.environ.get(S3_ENDPOINT_VAR)
    if not endpoint:
        pytest.skip(f"set {S3_ENDPOINT_VAR} to run the S3 storage tests")
    options = {"endpoint_url": endpoint, "key": "testing", "secret": "testing"}
    bucket = f"biolake-test-{uuid.uuid4().hex[:12]}"
    root = create_path(f"s3://{bucket}/lake", **options)
    root.fs.mkdir(bucket)
    yield root
    root.fs.rm(bucket, recursive=True)


@pytest.fixture(params=["local", "memory", pytest.param("s3", marks=pytest.mark.s3)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[UPath]:
    """An empty folder on each storage backend."""
    makers = {"local": lambda: _local_store(tmp_path), "memory": _memory_store, "s3": _s3_store}
    yield from makers[request.param]()


@pytest.fixture
def write() -> Callable[[UPath, bytes], UPath]:
    """Write bytes to a UPath on any backend, creating local parent folders."""

    def _write(path: UPath, data: bytes) -> UPath:
        if path.protocol in ("", "file"):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    return _write


@pytest.fixture
def local_folder(tmp_path: Path) -> Path:
    """A small local folder: three files in two levels, one in a hidden folder."""
    root = tmp_path / "folder"
    (root / "sub").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "a.csv").write_bytes(b"a,b\n1,2\n")
    (root / "sub" / "b.parquet").write_bytes(b"PAR1" + bytes(range(256)))
    (root / ".hidden" / "c.txt").write_bytes(b"hidden")
    return root
