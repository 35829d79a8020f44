"""Collections: versioning, dedup, load with joins, lazy open, input tracking."""

from __future__ import annotations

import pandas as pd
import pytest


@pytest.fixture(scope="module")
def tables(instance):
    import biolake as ln

    ln.connect(instance.name)
    a = ln.Artifact.from_df(pd.DataFrame({"gene": ["CD8A", "CD4"], "count": [1, 2]}), key="col/a.parquet").save()
    b = ln.Artifact.from_df(pd.DataFrame({"gene": ["CD14"], "count": [3], "batch": ["b2"]}), key="col/b.parquet").save()
    c = ln.Artifact.from_df(pd.DataFrame({"gene": ["MS4A1"], "count": [4]}), key="col/c.parquet").save()
    return a, b, c


def test_versioning_dedup_and_members(ln, tables):
    a, b, c = tables
    first = ln.Collection([a, b], key="my-collection", description="two tables").save()
    assert len(first.uid) == 20 and first.uid.endswith("0000")
    assert [x.uid for x in first.ordered_artifacts] == [a.uid, b.uid]
    same = ln.Collection([b, a], key="my-collection")
    assert not same._state.adding and same.uid == first.uid  # same set of artifacts
    second = ln.Collection([a, b, c], key="my-collection").save()
    assert second.stem_uid == first.stem_uid and second.uid.endswith("0001")
    assert [x.is_latest for x in second.versions] == [False, True]
    assert set(second.artifacts.df()["key"]) == {"col/a.parquet", "col/b.parquet", "col/c.parquet"}
    assert ln.Artifact.filter(collections=first).count() == 2
    assert second.artifacts.filter(key="col/c.parquet").count() == 1
    assert ln.Collection.get(key="my-collection").uid == second.uid


def test_load_with_outer_and_inner_join(ln, tables):
    a, b, _ = tables
    collection = ln.Collection([a, b], key="joins").save()
    outer = collection.load()
    assert list(outer["gene"]) == ["CD8A", "CD4", "CD14"] and "batch" in outer.columns
    assert list(outer["artifact_uid"]) == [a.uid, a.uid, b.uid]
    inner = collection.load(join="inner")
    assert "batch" not in inner.columns and len(inner) == 3


def test_anndata_collection_load(ln):
    adata1 = ln.core.datasets.small_dataset1(otype="AnnData")
    adata2 = ln.core.datasets.small_dataset2(otype="AnnData")
    a1 = ln.Artifact.from_anndata(adata1, key="col/ad1.h5ad").save()
    a2 = ln.Artifact.from_anndata(adata2, key="col/ad2.h5ad").save()
    collection = ln.Collection([a1, a2], key="ad-collection").save()
    outer = collection.load(join="outer")
    inner = collection.load(join="inner")
    assert outer.n_obs == 6 and outer.n_vars == 4 and inner.n_vars == 2
    assert list(outer.obs["artifact_uid"].unique()) == [a1.uid, a2.uid]
    backed = collection.open()
    assert [x.n_obs for x in backed] == [3, 3]
    for x in backed:
        x.file.close()


def test_mixed_types_are_refused(ln, tables):
    a, _, _ = tables
    h5ad = ln.Artifact.from_anndata(ln.core.datasets.small_dataset1(otype="AnnData"), key="col/mixed.h5ad").save()
    with pytest.raises(ln.errors.UnknownFormatError, match="mixes"):
        ln.Collection([a, h5ad], key="mixed").save().load()


def test_open_is_queryable_with_duckdb(ln, tables):
    duckdb = pytest.importorskip("duckdb")
    a, b, c = tables
    dataset = ln.Collection([a, b, c], key="duck").save().open()
    assert dataset.count_rows() == 4
    total = duckdb.connect().execute("SELECT SUM(count) FROM dataset").fetchone()[0]
    assert total == 10


def test_collection_is_an_input_of_the_run_that_loads_it(ln, tables):
    a, b, _ = tables
    collection = ln.Collection([a, b], key="tracked-input").save()
    run = ln.track(transform=ln.Transform(key="uses-collection", type="pipeline"))
    try:
        collection.load()
    finally:
        ln.finish()
    assert list(run.input_collections.all()) == [collection]
    assert run.input_artifacts.count() == 0
    graph = ln.lineage.graph(collection, downstream=True)
    assert run.uid in graph


def test_collection_features_and_labels(ln, tables):
    _, b, c = tables
    ln.Feature(name="col_batch", dtype=int).save()
    ln.Feature(name="col_project", dtype=ln.ULabel).save()
    collection = ln.Collection([b, c], key="annotated-collection").save()  # a set no other test uses
    collection.features.add_values({"col_batch": 7, "col_project": "Atlas"})
    assert collection.features.get_values() == {"col_batch": 7, "col_project": "Atlas"}
    assert ln.Collection.filter(col_batch__gte=7).get().uid == collection.uid
    assert ln.Collection.filter(col_project="Atlas").get().uid == collection.uid
    assert [label.name for label in collection.labels.get("col_project")] == ["Atlas"]
    df = ln.Collection.filter(key="annotated-collection").df(include="features")
    assert df["col_batch"].iloc[0] == 7 and df["col_project"].iloc[0] == "Atlas"


def _cells(n_obs: int, genes: list[str], sparse: bool, seed: int):
    import anndata
    import numpy as np
    import scipy.sparse as sp

    rng = np.random.default_rng(seed)
    x = rng.poisson(1.0, size=(n_obs, len(genes))).astype("float32")
    obs = pd.DataFrame({"cell_type": pd.Categorical(rng.choice(["T cell", "B cell", "NK cell"], n_obs, p=[0.6, 0.3, 0.1]))},
                       index=[f"c{seed}_{i}" for i in range(n_obs)])
    return anndata.AnnData(X=sp.csr_matrix(x) if sparse else x, obs=obs, var=pd.DataFrame(index=genes))


def test_mapped_over_sparse_dense_and_zarr_members(ln):
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader, WeightedRandomSampler

    shared = [f"gene{i}" for i in range(8)]
    a = ln.Artifact.from_anndata(_cells(30, shared + ["only_a"], True, 1), key="mapped/a.h5ad").save()
    b = ln.Artifact.from_anndata(_cells(20, shared, False, 2), key="mapped/b.h5ad").save()
    c = ln.Artifact.from_anndata(_cells(10, shared[::-1], False, 3), key="mapped/c.zarr", format="zarr").save()
    collection = ln.Collection([a, b, c], key="mapped-collection").save()
    run = ln.track(transform=ln.Transform(key="train-model", type="pipeline"))
    try:
        ds = collection.mapped(obs_keys=["cell_type"], join="inner")
    finally:
        ln.finish()
    assert isinstance(ds, torch.utils.data.Dataset) and len(ds) == 60
    assert list(ds.var_joint) == shared
    row = ds[35]  # the 6th cell of b, in the joint gene order
    expected = b.load()[5, shared].X
    assert (row["X"] == expected.ravel()).all()
    weights = ds.get_label_weights("cell_type")
    sampler = WeightedRandomSampler(weights=weights, num_samples=len(ds))
    seen = 0
    for batch in DataLoader(ds, batch_size=16, sampler=sampler, num_workers=2):
        assert batch["X"].shape[1] == len(shared)
        seen += len(batch["X"])
    assert seen == 60
    ds.close()
    assert list(run.input_collections.all()) == [collection]


def test_describe_and_view_lineage(ln, tables, capsys):
    from biolake import _logging

    a, b, c = tables
    collection = ln.Collection([a, c], key="described", description="a and c").save()
    _logging.reset_console()
    collection.describe()
    graph = collection.view_lineage(format="mermaid")
    out = capsys.readouterr().out
    assert collection.uid in out and "described" in out and "a and c" in out
    assert "flowchart LR" in out and collection.uid in graph
