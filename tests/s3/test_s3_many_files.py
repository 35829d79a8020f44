"""A folder of 30,000 small files uploads completely and verified (storage level, one backend)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from instance_helpers import server_url

pytestmark = pytest.mark.s3


def test_thirty_thousand_small_files(tmp_path: Path) -> None:
    import boto3

    from biolake.storage import _listing, upload
    from biolake.storage.hashing import summarize_dir
    from biolake.storage.paths import create_path
    from biolake.storage.transfer import put

    endpoint = server_url("BIOLAKE_TEST_S3_ENDPOINT")
    bucket = f"many-{uuid.uuid4().hex[:8]}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=bucket)
    folder = tmp_path / "cells"
    for i in range(30_000):
        sub = folder / f"plate{i % 30:02d}"
        if i < 30:
            sub.mkdir(parents=True)
        (sub / f"cell{i:05d}.txt").write_bytes(os.urandom(16 + i % 64))
    destination = create_path(f"s3://{bucket}/cells", endpoint_url=endpoint)
    put(folder, destination)
    pairs = upload.pairs_for(folder, destination.path, _listing.walk(create_path(folder)))
    assert len(pairs) == 30_000
    assert upload.unverified(destination.fs, pairs) == []  # every object: present, same size, same MD5
    remote = summarize_dir(destination)
    assert remote.n_files == 30_000 and remote.size == summarize_dir(folder).size
