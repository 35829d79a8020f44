"""A folder of many small files uploads completely and verified (storage level, one backend).

A few hundred files in 30 sub-folders here; ``benchmarks/s3_many_files.py`` uploads 30,000
the same way and reports the time and the request counts.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from instance_helpers import server_url

pytestmark = pytest.mark.s3

N_FILES = 600  # three upload batches (upload.BATCH = 256); one listing page (1,000 keys)


def _count_requests(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    from aiobotocore.httpsession import AIOHTTPSession

    methods: Counter[str] = Counter()
    original = AIOHTTPSession.send

    async def counting_send(self: Any, request: Any) -> Any:
        methods[request.method] += 1
        return await original(self, request)

    monkeypatch.setattr(AIOHTTPSession, "send", counting_send)
    return methods


@pytest.mark.parametrize("fresh", [False, True], ids=["checked", "fresh"])
def test_many_small_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh: bool) -> None:
    import boto3

    from biolake.storage import _listing, upload
    from biolake.storage.hashing import summarize_dir
    from biolake.storage.paths import create_path
    from biolake.storage.transfer import put

    endpoint = server_url("BIOLAKE_TEST_S3_ENDPOINT")
    bucket = f"many-{uuid.uuid4().hex[:8]}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=bucket)
    folder = tmp_path / "cells"
    for i in range(N_FILES):
        sub = folder / f"plate{i % 30:02d}"
        if i < 30:
            sub.mkdir(parents=True)
        (sub / f"cell{i:05d}.txt").write_bytes(os.urandom(16 + i % 64))
    destination = create_path(f"s3://{bucket}/cells", endpoint_url=endpoint)
    methods = _count_requests(monkeypatch)
    put(folder, destination, fresh=fresh)
    # one PUT per file, each verified by its response: nothing else when fresh, otherwise only
    # the lookup of what is there already before (s3fs: a listing, then a HEAD and a listing of
    # the name when nothing is below it)
    assert methods["PUT"] == N_FILES
    others = sum(methods.values()) - N_FILES
    assert others == 0 if fresh else (others <= 3 and methods["HEAD"] <= 1)
    monkeypatch.undo()
    pairs = upload.pairs_for(folder, destination.path, _listing.walk(create_path(folder)))
    assert len(pairs) == N_FILES
    assert upload.unverified(destination.fs, pairs) == []  # every object: present, same size, same MD5
    remote = summarize_dir(destination)
    assert remote.n_files == N_FILES and remote.size == summarize_dir(folder).size
