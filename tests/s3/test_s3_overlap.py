"""A per-file save to S3 overlaps its ``PutObject`` with the database work (``transfer.start_put``):
the record is committed only once the PUT is verified, a failed upload leaves no record and no
object, and bytes saved meanwhile by another writer are returned without a stray object.
On SQLite and PostgreSQL (where the PUT is in flight while the transaction runs)."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path
from typing import Any

import pytest

from instance_helpers import drop_instance, make_instance, server_url

pytestmark = pytest.mark.s3

FILE_BYTES = 64 * 1024


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def s3_instance(request: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    import boto3

    endpoint = server_url("BIOLAKE_TEST_S3_ENDPOINT")
    bucket = f"ovl-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=bucket)
    storage = f"s3://{bucket}/lake?endpoint_url={endpoint}"
    if request.param == "postgres":
        inst, dbname = make_instance("postgres", storage)
    else:
        import biolake as ln

        db = f"sqlite:///{tmp_path_factory.mktemp('ovldb')}/biolake.sqlite3"
        inst, dbname = ln.setup.init(storage=storage, db=db, name=f"s3ovl{os.getpid()}"), None
    yield inst, bucket
    drop_instance(inst.name, dbname)


@pytest.fixture
def lab(s3_instance: Any) -> Any:
    import biolake as ln

    inst, bucket = s3_instance
    ln.connect(inst.name)
    return ln, bucket, inst


def _file(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(os.urandom(FILE_BYTES))
    return path


def _objects(bucket: str) -> set[str]:
    import boto3

    client = boto3.client("s3", endpoint_url=os.environ["BIOLAKE_TEST_S3_ENDPOINT"], region_name="us-east-1")
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="lake/.biolake/")
    return {item["Key"] for page in pages for item in page.get("Contents", [])}


def _committed_rows(inst: Any, key: str) -> int:
    """Artifacts with ``key`` that another connection sees (i.e. committed ones)."""
    if inst.db.startswith("postgresql"):
        import psycopg

        with psycopg.connect(inst.db) as conn:
            return int(conn.execute("SELECT count(*) FROM biolake_artifact WHERE key = %s", [key]).fetchone()[0])
    import sqlite3

    conn = sqlite3.connect(inst.db.removeprefix("sqlite:///"))
    try:
        return int(conn.execute("SELECT count(*) FROM biolake_artifact WHERE key = ?", [key]).fetchone()[0])
    finally:
        conn.close()


def _patch_put(monkeypatch: pytest.MonkeyPatch, hook: Any) -> None:
    import s3fs

    original = s3fs.S3FileSystem._call_s3

    async def patched(self: Any, method: str, *args: Any, **kwargs: Any) -> Any:
        if method == "put_object":
            return await hook(lambda **changes: original(self, method, *args, **{**kwargs, **changes}))
        return await original(self, method, *args, **kwargs)

    monkeypatch.setattr(s3fs.S3FileSystem, "_call_s3", patched)


def test_the_record_is_committed_only_after_the_put_is_verified(lab: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ln, bucket, inst = lab
    key = "overlap/ordered.bin"
    seen: list[int] = []

    async def slow_put(send: Any) -> Any:
        response = await send()
        await asyncio.sleep(0.3)  # the response is late: the save must wait for it before committing
        seen.append(await asyncio.to_thread(_committed_rows, inst, key))
        return response

    _patch_put(monkeypatch, slow_put)
    artifact = ln.Artifact(_file(tmp_path, "ordered.bin"), key=key).save()
    monkeypatch.undo()
    assert seen == [0]  # nothing committed while the PUT was in flight
    assert _committed_rows(inst, key) == 1
    assert artifact.verify().ok


def test_bytes_that_never_verify_leave_no_record_and_no_object(lab: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ln, bucket, inst = lab
    before = _objects(bucket)

    async def corrupted(send: Any) -> Any:
        return await send(Body=b"not the file")

    _patch_put(monkeypatch, corrupted)
    with pytest.raises(ln.errors.UploadError, match="differs from its local copy"):
        ln.Artifact(_file(tmp_path, "bad.bin"), key="overlap/bad.bin").save()
    monkeypatch.undo()
    assert _objects(bucket) == before
    assert _committed_rows(inst, "overlap/bad.bin") == 0


def test_the_same_bytes_saved_meanwhile_are_returned_without_a_stray_object(
    lab: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from biolake.models import artifact_source

    ln, bucket, inst = lab
    path = _file(tmp_path, "twice.bin")
    first = ln.Artifact(path, key="overlap/first.bin").save()
    before = _objects(bucket)
    # another writer committed these bytes after this save looked for them: the commit finds them
    monkeypatch.setattr(artifact_source, "find_duplicate", lambda model, source: None)
    second = ln.Artifact(path, key="overlap/second.bin").save()
    monkeypatch.undo()
    assert second.uid == first.uid and second.key == "overlap/first.bin"
    assert _objects(bucket) == before  # the second upload was removed once it had ended
    assert _committed_rows(inst, "overlap/second.bin") == 0


def test_a_file_changed_after_it_was_hashed_is_stored_as_it_was_hashed(lab: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bytes hashed are the bytes sent (the file is read once): a writer that changes the
    file between the hash and the upload cannot make the record lie about its object."""
    from biolake.models import artifact_source

    ln, bucket, inst = lab
    path = _file(tmp_path, "changing.bin")
    original = path.read_bytes()
    find_duplicate = artifact_source.find_duplicate

    def then_changed(model: Any, source: Any) -> Any:
        path.write_bytes(os.urandom(FILE_BYTES))  # after the hash, before the upload
        return find_duplicate(model, source)

    monkeypatch.setattr(artifact_source, "find_duplicate", then_changed)
    artifact = ln.Artifact(path, key="overlap/changing.bin").save()
    monkeypatch.undo()
    assert artifact.verify().ok
    assert ln.Artifact.get(artifact.uid).cache().read_bytes() == original


@pytest.mark.parametrize("when", ["before-the-response", "after-the-response"])
def test_bytes_registered_by_another_writer_while_the_put_travels_are_found(
    lab: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    """On SQLite the commit's lookups are read while the PUT travels; a writer that commits
    after that read (here: another connection gives an existing record this file's hash) makes
    the transaction look again. (On PostgreSQL writers meet at advisory locks, which this raw
    UPDATE does not take: there the lookups run inside the transaction anyway.)"""
    from biolake.storage.hashing import hash_bytes

    ln, bucket, inst = lab
    if not inst.db.startswith("sqlite"):
        pytest.skip("SQLite reads the commit's lookups ahead; PostgreSQL writers meet at advisory locks")
    other = ln.Artifact(_file(tmp_path / "other", f"{when}.bin"), key=f"overlap/other-{when}.bin").save()
    path = _file(tmp_path, f"{when}.bin")
    before = _objects(bucket)

    async def meanwhile(send: Any) -> Any:
        if when == "before-the-response":
            await asyncio.to_thread(_give_hash, inst, other.pk, hash_bytes(path.read_bytes()))
            return await send()
        response = await send()
        await asyncio.sleep(0.2)  # the save has read its lookups ahead and waits for this response
        await asyncio.to_thread(_give_hash, inst, other.pk, hash_bytes(path.read_bytes()))
        return response

    _patch_put(monkeypatch, meanwhile)
    artifact = ln.Artifact(path, key=f"overlap/late-{when}.bin").save()
    monkeypatch.undo()
    assert artifact.uid == other.uid  # the record committed meanwhile is returned
    assert _committed_rows(inst, f"overlap/late-{when}.bin") == 0
    assert _objects(bucket) == before  # and this save's object was removed


def _give_hash(inst: Any, pk: int, content_hash: str) -> None:
    import sqlite3

    conn = sqlite3.connect(inst.db.removeprefix("sqlite:///"), timeout=30)
    try:
        with conn:
            conn.execute("UPDATE biolake_artifact SET hash = ? WHERE id = ?", [content_hash, pk])
    finally:
        conn.close()


async def _reset_after_send(send: Any) -> Any:
    await send()  # the object arrives, then the connection drops before the answer
    raise ConnectionResetError("connection reset by peer")


async def _refused_before_send(send: Any) -> Any:
    raise PermissionError("no credentials for this bucket")  # the client fails first: nothing leaves


@pytest.mark.parametrize(("fail", "message"), [(_reset_after_send, "connection reset by peer"), (_refused_before_send, "no credentials")])
def test_a_put_that_fails_leaves_no_record_and_no_object(
    lab: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail: Any, message: str
) -> None:
    ln, bucket, inst = lab
    before = _objects(bucket)
    name = f"{fail.__name__.strip('_')}.bin"
    _patch_put(monkeypatch, fail)
    with pytest.raises(ln.errors.UploadError, match=message):
        ln.Artifact(_file(tmp_path, name), key=f"overlap/{name}").save()
    monkeypatch.undo()
    assert _objects(bucket) == before
    assert _committed_rows(inst, f"overlap/{name}") == 0
    again = ln.Artifact(_file(tmp_path / "2", name), key=f"overlap/{name}").save()  # no lock left behind
    assert again.verify().ok and again.uid.endswith("0000")
