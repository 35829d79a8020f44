"""Artifacts on a real S3 endpoint (moto's server mode, started by scripts/test.sh)."""

from __future__ import annotations

import os
import uuid

import pandas as pd
import pytest

from instance_helpers import drop_instance, make_instance, server_url

pytestmark = pytest.mark.s3


@pytest.fixture(scope="module")
def endpoint() -> str:
    return server_url("BIOLAKE_TEST_S3_ENDPOINT")


def _bucket(endpoint: str) -> str:
    import boto3

    name = f"lake-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=name)
    return name


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def s3_instance(request, endpoint, tmp_path_factory):
    bucket = _bucket(endpoint)
    storage = f"s3://{bucket}/lake?endpoint_url={endpoint}"
    db = None if request.param == "postgres" else f"sqlite:///{tmp_path_factory.mktemp('s3db')}/biolake.sqlite3"
    if request.param == "postgres":
        inst, dbname = make_instance("postgres", storage)
    else:
        import biolake as ln

        inst, dbname = ln.setup.init(storage=storage, db=db, name=f"s3test{os.getpid()}"), None
    yield inst, bucket
    drop_instance(inst.name, dbname)


@pytest.fixture
def lab(s3_instance):
    import biolake as ln

    inst, bucket = s3_instance
    ln.connect(inst.name)
    return ln, bucket


def test_save_uploads_verifies_and_caches(lab):
    ln, bucket = lab
    df = pd.DataFrame({"x": range(5)})
    artifact = ln.Artifact.from_df(df, key="tables/x.parquet").save()
    assert str(artifact.path) == f"s3://{bucket}/lake/.biolake/{artifact.uid}.parquet"
    assert artifact.path.exists() and artifact.storage.type == "s3"
    cached = ln.Artifact.get(artifact.uid).cache()
    assert cached.exists() and str(ln.settings.cache_dir) in str(cached)
    mtime = cached.stat().st_mtime_ns
    assert ln.Artifact.get(artifact.uid).cache().stat().st_mtime_ns == mtime  # reused while unchanged
    pd.testing.assert_frame_equal(ln.Artifact.get(artifact.uid).load(), df)
    assert ln.Artifact.get(artifact.uid).open().to_table().num_rows == 5


def test_register_s3_folder_in_place(lab, tmp_path):
    ln, bucket = lab
    import s3fs

    fs = s3fs.S3FileSystem(client_kwargs={"endpoint_url": os.environ["BIOLAKE_TEST_S3_ENDPOINT"]})
    for i in range(4):
        fs.pipe(f"{bucket}/raw/iris_studies/study0_raw_images/img{i}.jpg", bytes([i]) * (100 + i))
    artifact = ln.Artifact(f"s3://{bucket}/raw/iris_studies/study0_raw_images").save()
    assert not artifact.managed and artifact.n_files == 4 and artifact.size == 4 * 100 + 6
    assert artifact.hash_type == "md5-etag-dir"  # from the store's checksums, no bytes read
    assert artifact.key == "raw/iris_studies/study0_raw_images"
    assert artifact.storage.root == f"s3://{bucket}"
    one = ln.Artifact(f"s3://{bucket}/raw/iris_studies/study0_raw_images/img1.jpg").save()
    assert one.hash_type == "md5-etag" and one.size == 101
    assert one.cache().read_bytes() == bytes([1]) * 101


def test_several_storage_locations(lab, endpoint):
    ln, _ = lab
    other = _bucket(endpoint)
    default_root = ln.settings.storage
    ln.Storage(root=f"s3://{other}/data", options={"endpoint_url": endpoint, "secret": "do-not-store"}).save()
    stored = ln.Storage.get(root=f"s3://{other}/data")
    assert stored.options == {"endpoint_url": endpoint}  # credentials never land in the database
    ln.settings.storage = f"s3://{other}/data"
    try:
        artifact = ln.Artifact.from_df(pd.DataFrame({"y": [1]}), key="other/y.parquet").save()
    finally:
        ln.settings.storage = default_root
    assert artifact.storage.root == f"s3://{other}/data"
    assert str(artifact.path).startswith(f"s3://{other}/data/.biolake/")
    assert set(ln.Storage.df()["root"]) >= {default_root, f"s3://{other}/data"}
    with pytest.raises(ln.errors.RecordInUseError):
        ln.Storage.get(root=f"s3://{other}/data").delete()


def test_storage_takes_its_endpoint_in_the_url(lab, endpoint):
    ln, _ = lab
    other = _bucket(endpoint)
    default_root = ln.settings.storage
    ln.Storage(root=f"s3://{other}/data?endpoint_url={endpoint}").save()
    assert ln.Storage.get(root=f"s3://{other}/data").options == {"endpoint_url": endpoint}
    ln.settings.storage = f"s3://{other}/data"
    try:
        artifact = ln.Artifact.from_df(pd.DataFrame({"z": [1]}), key="other/z.parquet").save()
    finally:
        ln.settings.storage = default_root
    assert artifact.path.exists() and artifact.storage.root == f"s3://{other}/data"


def test_view_tree_of_a_bucket(lab, capsys):
    ln, bucket = lab
    from biolake import _logging

    _logging.reset_console()
    ln.Artifact.from_df(pd.DataFrame({"t": [1]}), key="tree/t.parquet").save()
    ln.UPath(f"s3://{bucket}/lake", endpoint_url=os.environ["BIOLAKE_TEST_S3_ENDPOINT"]).view_tree()
    out = capsys.readouterr().out
    assert ".biolake" in out and ".parquet" in out
