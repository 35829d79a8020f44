"""Cell queries over a bucket (moto's S3 server): DuckDB reads the sidecars through fsspec,
matrix rows are read from the h5ad/zarr objects in place (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import uuid

import numpy as np
import pytest

from instance_helpers import drop_instance, make_instance, server_url
from lake import full_obs, full_selection, make_adata

pytestmark = pytest.mark.s3


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def s3_lake(request, tmp_path_factory):
    import boto3

    import biolake as ln

    endpoint = server_url("BIOLAKE_TEST_S3_ENDPOINT")
    bucket = f"cells-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=bucket)
    storage = f"s3://{bucket}/lake?endpoint_url={endpoint}"
    if request.param == "postgres":
        inst, dbname = make_instance("postgres", storage)
    else:
        db = f"sqlite:///{tmp_path_factory.mktemp('cells-s3db')}/biolake.sqlite3"
        inst, dbname = ln.setup.init(storage=storage, db=db, name=f"cellss3{os.getpid()}"), None
    ln.connect(inst.name)
    ln.Artifact.from_anndata(make_adata(0), key="s3cells/a0.h5ad").save()
    ln.Artifact.from_anndata(make_adata(1, dense=True), key="s3cells/a1.h5ad").save()
    ln.Artifact.from_anndata(make_adata(2), key="s3cells/a2.zarr", format="zarr").save()
    yield inst, bucket
    drop_instance(inst.name, dbname)


@pytest.fixture
def lake(s3_lake):
    import biolake as ln

    inst, bucket = s3_lake
    ln.connect(inst.name)
    return ln.Artifact.filter(key__startswith="s3cells/").order_by("key"), bucket


def test_sidecars_live_in_the_bucket_and_queries_match_loading(lake):
    artifacts, bucket = lake
    first = artifacts.first()
    assert str(first.obs_index.path) == f"s3://{bucket}/lake/.biolake/obs_index/{first.uid}.parquet"
    obs = full_obs(list(artifacts))
    cells = artifacts.cells(cell_type="T cell", tissue__in=["blood", "lung"])
    assert cells.count() == int(((obs.cell_type == "T cell") & obs.tissue.isin(["blood", "lung"])).sum())
    want = obs.groupby("donor", observed=True).size().to_dict()
    assert artifacts.cells().count_by("donor").set_index("donor")["count"].to_dict() == want


def test_to_anndata_reads_rows_from_the_bucket(lake):
    artifacts, _ = lake
    genes = ["ENSG00000000001", "ENSG00000000020"]
    adata = artifacts.cells(n_genes__gt=300).to_anndata(genes=genes)
    expected = full_selection(list(artifacts), lambda o: o.n_genes > 300, genes)
    np.testing.assert_array_equal(adata.X.toarray(), expected)


def test_index_built_on_demand_in_the_bucket(lake):
    artifacts, _ = lake
    artifact = artifacts.last()
    path = artifact.obs_index.path
    artifact.obs_index.delete()
    path.fs.rm(path.path)
    import biolake as ln

    fresh = ln.Artifact.filter(key__startswith="s3cells/").order_by("key")
    assert fresh.cells(tissue="blood").count() == int((full_obs(list(fresh)).tissue == "blood").sum())
    assert ln.Artifact.get(artifact.uid).obs_index.path.exists()
