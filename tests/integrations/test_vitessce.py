"""ln.integrations.save_vitessce_config: a view config over artifacts, saved with lineage."""

from __future__ import annotations

import anndata as ad
import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def datasets(ln):
    adata = ad.AnnData(X=np.ones((3, 2), dtype="float32"), obs=pd.DataFrame({"cell_type": ["T", "B", "T"]}, index=["a", "b", "c"]))
    h5ad = ln.Artifact.from_anndata(adata, key="vitessce/blood.h5ad").save()
    table = ln.Artifact.from_df(pd.DataFrame({"cell": ["a", "b"], "x": [0.1, 0.2]}), key="vitessce/cells.parquet").save()
    return h5ad, table


def config_dict(*urls: str) -> dict:
    files = [{"fileType": "anndata.h5ad" if u.endswith(".h5ad") else "obsFeatureMatrix.parquet", "url": u} for u in urls]
    return {
        "version": "1.0.15", "name": "blood view", "description": "",
        "datasets": [{"uid": "A", "name": "blood", "files": files}],
        "coordinationSpace": {"dataset": {"A": "A"}}, "layout": [], "initStrategy": "auto",
    }


def test_config_over_two_artifacts_saves_loads_back_and_records_both_as_inputs(ln, datasets):
    h5ad, table = datasets
    config = config_dict(str(h5ad.path), h5ad.path.as_uri() if hasattr(h5ad.path, "as_uri") else str(h5ad.path), str(table.path))
    artifact = ln.integrations.save_vitessce_config(config, description="blood atlas view")
    assert artifact.suffix == ".vitessce.json" and artifact.kind == "__biolake_config__"
    assert artifact.description == "blood atlas view"
    assert artifact.load() == config
    run = artifact.run
    assert run.transform.key == "save_vitessce_config" and run.status == "completed"
    assert sorted(a.uid for a in run.input_artifacts.all()) == sorted([h5ad.uid, table.uid])
    assert artifact.uid in {a.uid for a in ln.Artifact.filter(run__input_artifacts=h5ad)}  # lineage: data → config


def test_a_url_that_is_not_an_artifact_is_refused_by_name(ln, datasets, tmp_path):
    h5ad, _ = datasets
    stray = tmp_path / "elsewhere.h5ad"
    stray.write_bytes(b"x")
    before = ln.Artifact.filter(suffix=".vitessce.json").count()
    with pytest.raises(ln.errors.InvalidArgument, match=str(stray)):
        ln.integrations.save_vitessce_config(config_dict(str(h5ad.path), str(stray)))
    with pytest.raises(ln.errors.InvalidArgument, match="https://example.org/x.zarr"):
        ln.integrations.save_vitessce_config(config_dict("https://example.org/x.zarr"))
    assert ln.Artifact.filter(suffix=".vitessce.json").count() == before  # nothing half-saved


def test_refuses_what_is_not_a_config(ln):
    with pytest.raises(ln.errors.InvalidArgument, match="not a Vitessce config"):
        ln.integrations.save_vitessce_config({"name": "x"})
    with pytest.raises(ln.errors.InvalidArgument, match="shows no file"):
        ln.integrations.save_vitessce_config(config_dict())


def test_vitessce_config_object(ln, datasets):
    vitessce = pytest.importorskip("vitessce")  # scripts/test.sh installs it (without its zarr<3 pin)
    h5ad, _ = datasets
    vc = vitessce.VitessceConfig(schema_version="1.0.15", name="from the package")
    vc.add_dataset(name="blood").add_object(vitessce.AnnDataWrapper(adata_url=str(h5ad.path), obs_embedding_paths=[]))
    artifact = ln.integrations.save_vitessce_config(vc, key="views/blood.vitessce.json")
    assert artifact.key == "views/blood.vitessce.json"
    assert artifact.load()["datasets"][0]["files"][0]["url"] == str(h5ad.path)
    assert [a.uid for a in artifact.run.input_artifacts.all()] == [h5ad.uid]
