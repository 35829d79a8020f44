"""How many HTTP requests an artifact save makes to S3 (a moto server), counted on the wire.

Every request biolake's s3fs clients send passes through aiobotocore's HTTP session; the
``requests`` fixture records each one (method, bucket-relative path, query) before it is sent.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from instance_helpers import server_url

pytestmark = pytest.mark.s3

FILE_BYTES = 256 * 1024


@pytest.fixture(scope="module")
def s3_lab(tmp_path_factory: pytest.TempPathFactory) -> Any:
    import boto3

    import biolake as ln

    endpoint = server_url("BIOLAKE_TEST_S3_ENDPOINT")
    bucket = f"req-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=bucket)
    db = f"sqlite:///{tmp_path_factory.mktemp('reqdb')}/biolake.sqlite3"
    inst = ln.setup.init(storage=f"s3://{bucket}/lake?endpoint_url={endpoint}", db=db, name=f"s3req{os.getpid()}")
    yield inst, bucket
    ln.setup.delete(inst.name, force=True)


@pytest.fixture
def lab(s3_lab: Any) -> Any:
    import biolake as ln

    inst, bucket = s3_lab
    ln.connect(inst.name)
    ln.Artifact.from_df(pd.DataFrame({"warm": [uuid.uuid4().hex]}), key="warm.parquet").save()  # clients exist
    return ln, bucket


@pytest.fixture
def requests(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:
    """The requests sent from now on: ``(method, path, query)``."""
    from urllib.parse import urlsplit

    from aiobotocore.httpsession import AIOHTTPSession

    sent: list[tuple[str, str, str]] = []
    original = AIOHTTPSession.send

    async def recording_send(self: Any, request: Any) -> Any:
        url = urlsplit(request.url)
        sent.append((request.method, url.path, url.query))
        return await original(self, request)

    monkeypatch.setattr(AIOHTTPSession, "send", recording_send)
    return sent


def _random_file(folder: Path, name: str, size: int = FILE_BYTES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(os.urandom(size))
    return path


def _managed_objects(bucket: str) -> list[str]:
    import boto3

    client = boto3.client("s3", endpoint_url=os.environ["BIOLAKE_TEST_S3_ENDPOINT"], region_name="us-east-1")
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="lake/.biolake/")
    return [item["Key"] for page in pages for item in page.get("Contents", [])]


def test_a_file_saves_in_one_put(lab: Any, requests: list[tuple[str, str, str]], tmp_path: Path) -> None:
    ln, bucket = lab
    path = _random_file(tmp_path, "one.bin")
    artifact = ln.Artifact(path, key="requests/one.bin").save()
    assert requests == [("PUT", f"/{bucket}/lake/.biolake/{artifact.uid}.bin", "")]
    assert (artifact.size, artifact.hash_type) == (FILE_BYTES, "blake3")
    requests.clear()
    assert artifact.verify().ok  # the bytes in the bucket hash to the recorded hash
    assert ln.Artifact.get(artifact.uid).cache().read_bytes() == path.read_bytes()


def test_an_artifact_made_but_not_saved_sends_nothing(lab: Any, requests: list[tuple[str, str, str]], tmp_path: Path) -> None:
    ln, bucket = lab
    before = set(_managed_objects(bucket))
    artifact = ln.Artifact(_random_file(tmp_path, "unsaved.bin"), key="requests/unsaved.bin")
    del artifact
    assert requests == [] and set(_managed_objects(bucket)) == before
    assert not ln.Artifact.filter(key="requests/unsaved.bin").exists()


def test_bytes_already_registered_send_nothing(lab: Any, requests: list[tuple[str, str, str]], tmp_path: Path) -> None:
    """The PUT is made while the save looks for the bytes, but held before it leaves: found, it is dropped."""
    ln, bucket = lab
    path = _random_file(tmp_path, "twice.bin")
    first = ln.Artifact(path, key="requests/twice.bin").save()
    before = set(_managed_objects(bucket))
    requests.clear()
    again = ln.Artifact(path, key="requests/twice-again.bin").save()
    assert again.uid == first.uid
    assert requests == [] and set(_managed_objects(bucket)) == before


def test_a_failed_look_up_sends_nothing_and_records_nothing(
    lab: Any, requests: list[tuple[str, str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from biolake.models import artifact_source

    ln, bucket = lab
    before = set(_managed_objects(bucket))

    def broken(model: Any, source: Any) -> Any:
        raise ConnectionError("the database went away")

    monkeypatch.setattr(artifact_source, "find_duplicate", broken)
    with pytest.raises(ConnectionError):
        ln.Artifact(_random_file(tmp_path, "lookup.bin"), key="requests/lookup.bin").save()
    monkeypatch.undo()
    assert requests == [] and set(_managed_objects(bucket)) == before
    assert not ln.Artifact.filter(key="requests/lookup.bin").exists()


def test_a_dataframe_saves_in_one_put(lab: Any, requests: list[tuple[str, str, str]]) -> None:
    ln, bucket = lab
    df = pd.DataFrame({"x": range(50), "tag": [uuid.uuid4().hex] * 50})
    artifact = ln.Artifact.from_df(df, key="requests/df.parquet").save()
    assert requests == [("PUT", f"/{bucket}/lake/.biolake/{artifact.uid}.parquet", "")]
    assert artifact.verify().ok
    pd.testing.assert_frame_equal(ln.Artifact.get(artifact.uid).load(), df)


def test_a_new_version_uploads_first_then_renames(lab: Any, requests: list[tuple[str, str, str]], tmp_path: Path) -> None:
    """A new version's uid is assigned with its family locked: its bytes go up under a fresh
    uid first (nothing looked up before), then are renamed to the version's uid."""
    ln, bucket = lab
    first = ln.Artifact(_random_file(tmp_path, "v.bin"), key="requests/versioned.bin").save()
    requests.clear()
    second = ln.Artifact(_random_file(tmp_path / "2", "v.bin"), key="requests/versioned.bin").save()
    assert requests[0][0] == "PUT" and requests[0][1].endswith("0000.bin")
    assert second.stem_uid == first.stem_uid and second.uid.endswith("0001")
    assert second.verify().ok and first.verify().ok
    assert f"lake/.biolake/{second.uid}.bin" in _managed_objects(bucket)


def test_a_folder_saves_in_one_put_per_file(
    lab: Any, requests: list[tuple[str, str, str]], tmp_path: Path
) -> None:
    ln, bucket = lab
    folder = tmp_path / "plate"
    for i in range(40):
        _random_file(folder / f"row{i % 4}", f"well{i:02d}.bin", 1000 + i)
    artifact = ln.Artifact(folder, key="requests/plate").save()
    methods = Counter(method for method, _, _ in requests)
    puts = {path for method, path, _ in requests if method == "PUT"}
    assert puts == {f"/{bucket}/lake/.biolake/{artifact.uid}/row{i % 4}/well{i:02d}.bin" for i in range(40)}
    assert methods["PUT"] == 40 and methods["HEAD"] == 0
    assert [r for r in requests if r[0] != "PUT"] == []  # each PUT's response verifies its object
    assert (artifact.n_files, artifact.size) == (40, sum(1000 + i for i in range(40)))
    assert artifact.verify().ok


def test_an_etag_that_does_not_match_is_uploaded_again(
    lab: Any, requests: list[tuple[str, str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import s3fs

    ln, bucket = lab
    original = s3fs.S3FileSystem._call_s3
    corrupted = {"n": 0}

    async def first_put_corrupted(self: Any, method: str, *args: Any, **kwargs: Any) -> Any:
        if method == "put_object" and corrupted["n"] == 0:  # the store keeps other bytes than were sent
            corrupted["n"] += 1
            return await original(self, method, *args, **{**kwargs, "Body": kwargs["Body"][:-1] + b"!"})
        return await original(self, method, *args, **kwargs)

    monkeypatch.setattr(s3fs.S3FileSystem, "_call_s3", first_put_corrupted)
    artifact = ln.Artifact(_random_file(tmp_path, "retry.bin"), key="requests/retry.bin").save()
    assert [method for method, _, _ in requests] == ["PUT", "PUT"]
    assert artifact.verify().ok


def test_a_failed_upload_leaves_no_object_and_no_record(
    lab: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import s3fs

    ln, bucket = lab
    original = s3fs.S3FileSystem._call_s3

    async def always_corrupted(self: Any, method: str, *args: Any, **kwargs: Any) -> Any:
        if method == "put_object":
            return await original(self, method, *args, **{**kwargs, "Body": b"not the file"})
        return await original(self, method, *args, **kwargs)

    before = set(_managed_objects(bucket))
    monkeypatch.setattr(s3fs.S3FileSystem, "_call_s3", always_corrupted)
    with pytest.raises(ln.errors.UploadError, match="differs from its local copy"):
        ln.Artifact(_random_file(tmp_path, "bad.bin"), key="requests/bad.bin").save()
    monkeypatch.undo()
    assert set(_managed_objects(bucket)) == before
    assert not ln.Artifact.filter(key="requests/bad.bin").exists()
