"""Bytes another instance registered by zero-copy transfer stay safe (reproduction 2).

The owning instance ("data") is on SQLite or PostgreSQL, its storage a local folder or an S3
bucket (moto); the referring instance B is a local SQLite instance.
"""

from __future__ import annotations

import os
import uuid

import pandas as pd
import pytest
from click.testing import CliRunner
from instance_helpers import drop_instance, make_instance, server_url

_PG, _S3 = pytest.mark.postgres, pytest.mark.s3
KEY = "shared/x.parquet"


def _s3_storage() -> str:
    import boto3

    endpoint = server_url("BIOLAKE_TEST_S3_ENDPOINT")
    bucket = f"shared-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=bucket)
    return f"s3://{bucket}/lake?endpoint_url={endpoint}"


@pytest.fixture(
    params=[
        pytest.param(("sqlite", "local"), id="sqlite-local"),
        pytest.param(("postgres", "local"), id="postgres-local", marks=_PG),
        pytest.param(("sqlite", "s3"), id="sqlite-s3", marks=_S3),
        pytest.param(("postgres", "s3"), id="postgres-s3", marks=[_PG, _S3]),
    ]
)
def owner(request, tmp_path):
    """The instance "data" with one managed artifact, and instance B that transferred it."""
    import biolake as ln

    backend, where = request.param
    name = f"data{os.getpid()}{uuid.uuid4().hex[:6]}"
    if where == "local":
        data, dbname = make_instance(backend, tmp_path / "data", name=name)
    elif backend == "sqlite":
        data, dbname = ln.setup.init(storage=_s3_storage(), db=f"sqlite:///{tmp_path}/data.sqlite3", name=name), None
    else:
        data, dbname = make_instance(backend, _s3_storage(), name=name)  # type: ignore[arg-type]
    uid = ln.Artifact.from_df(pd.DataFrame({"x": [1, 2, 3]}), key=KEY).save().uid
    b, _ = make_instance("sqlite", tmp_path / "b", name=f"b{name}")
    ln.Artifact.using(data.name).get(key=KEY).save()
    yield data, b, uid
    drop_instance(b.name, None)
    drop_instance(data.name, dbname)


def _verify(uid: str) -> tuple[int, str]:
    from biolake.cli import main

    result = CliRunner().invoke(main, ["verify", uid])
    return result.exit_code, result.output


def test_owner_refuses_permanent_delete_while_referenced(owner):
    import biolake as ln
    from biolake.errors import BytesInUseError, RecordInUseError
    from biolake.storage import references

    data, b, uid = owner
    here = ln.Artifact.get(uid)  # B is current: the transferred record
    assert here.storage.root == data.storage_root
    assert references.list_references(here.storage.location, uid) == [b.name]
    ln.connect(data.name)
    original = ln.Artifact.get(key=KEY)
    with pytest.raises(BytesInUseError) as caught:
        original.delete(permanent=True)
    assert isinstance(caught.value, RecordInUseError) and caught.value.instances == [b.name]
    assert b.name in str(caught.value) and "force=True" in str(caught.value)
    assert ln.Artifact.filter(uid=uid).exists() and original.path.exists()  # nothing was deleted
    ln.connect(b.name)
    assert ln.Artifact.get(uid).load()["x"].tolist() == [1, 2, 3]
    assert _verify(uid)[0] == 0
    ln.connect(data.name)
    ln.Artifact.get(key=KEY).delete(permanent=True, force=True)
    assert not original.path.exists()
    assert references.list_references(original.storage.location, uid) == []
    ln.connect(b.name)
    code, output = _verify(uid)
    assert code == 1 and "MISSING" in output and uid in output


def test_referring_instance_deletes_its_record_not_the_bytes(owner):
    import biolake as ln
    from biolake.storage import references

    data, _, uid = owner
    transferred = ln.Artifact.get(uid)
    path = transferred.path
    transferred.delete(permanent=True)
    assert not ln.Artifact.filter(uid=uid).exists() and path.exists()
    assert references.list_references(transferred.storage.location, uid) == []
    ln.connect(data.name)
    ln.Artifact.get(key=KEY).delete(permanent=True)  # no one else uses the bytes now
    assert not path.exists()


def test_deleting_the_owning_instance_keeps_the_bytes_others_use(owner):
    import biolake as ln

    data, b, uid = owner
    ln.connect(data.name)
    shared_path = ln.Artifact.get(key=KEY).path
    own_path = ln.Artifact.from_df(pd.DataFrame({"y": [4]}), key="own/y.parquet").save().path
    ln.setup.delete(data.name, force=True)
    assert shared_path.exists()
    if data.is_local_storage:
        assert not own_path.exists()  # what no one else uses goes with the instance
    ln.connect(b.name)
    assert ln.Artifact.get(uid).load()["x"].tolist() == [1, 2, 3]
    assert _verify(uid)[0] == 0


def test_deleting_the_referring_instance_releases_the_bytes(owner):
    import biolake as ln
    from biolake.storage import references

    data, b, uid = owner
    location = ln.Artifact.get(uid).storage.location
    ln.setup.delete(b.name, force=True)
    assert references.list_references(location, uid) == []
    ln.connect(data.name)
    original = ln.Artifact.get(key=KEY)
    original.delete(permanent=True)  # no BytesInUseError: the referring instance is gone
    assert not original.path.exists()
