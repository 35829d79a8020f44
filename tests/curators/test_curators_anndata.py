"""AnnDataCurator and MuDataCurator: obs like a DataFrame, var index against a registry field."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest


_ids = itertools.count()


def unique(prefix: str) -> str:
    return f"{prefix}_{next(_ids)}"


def make_adata(cell_types: list[str], var_names: list[str], dtype: str = "float32", var: dict | None = None):
    import anndata

    n_obs, n_vars = len(cell_types), len(var_names)
    X = np.arange(n_obs * n_vars).reshape(n_obs, n_vars).astype(dtype)
    obs = pd.DataFrame({"cell_type": pd.Categorical(cell_types), "n_genes": np.arange(n_obs)},
                       index=[f"cell{i}" for i in range(n_obs)])
    return anndata.AnnData(X=X, obs=obs, var=pd.DataFrame(var or {}, index=var_names))


def error_of(curator):
    import biolake as ln

    with pytest.raises(ln.errors.ValidationError) as info:
        curator.validate()
    return info.value


@pytest.fixture
def setup(ln):
    """An obs schema (cell_type: cat[ULabel], n_genes: int), genes as ULabels, and names unique per test."""
    cell_type = ln.Feature.filter(name="cell_type").first() or ln.Feature(name="cell_type", dtype=ln.ULabel).save()
    n_genes = ln.Feature.filter(name="n_genes").first() or ln.Feature(name="n_genes", dtype=int).save()
    obs_schema = ln.Schema(features=[cell_type, n_genes]).save()
    t_cell, b_cell = ln.ULabel(name=unique("T cell")).save(), ln.ULabel(name=unique("B cell")).save()
    genes = [ln.ULabel(name=unique("GENE")).save() for _ in range(4)]
    return {"obs": obs_schema, "cells": [t_cell.name, b_cell.name], "genes": [g.name for g in genes], "cell_type": cell_type}


def test_anndata_obs_and_var_index_against_ulabel_names(ln, setup):
    var_schema = ln.Schema(itype=ln.ULabel.name).save()
    assert var_schema.itype == "ULabel.name"
    schema = ln.Schema(otype="AnnData", components={"obs": setup["obs"], "var": var_schema}).save()
    t_cell, b_cell = setup["cells"]
    typo, unknown_gene = unique("T cel"), unique("GENEX")
    adata = make_adata([t_cell, typo, b_cell], [*setup["genes"][:2], unknown_gene])
    curator = ln.curators.AnnDataCurator(adata, schema)
    error = error_of(curator)
    assert str(error) == (
        f"1 term is not validated: '{typo}'\n"
        '→ fix typos, remove non-existent values, or save terms via .add_new_from("cell_type")\n'
        f"1 term is not validated: '{unknown_gene}'\n"
        '→ fix typos, remove non-existent values, or save terms via .add_new_from("var_index")'
    )
    assert error.non_validated == {"cell_type": [typo], "var_index": [unknown_gene]}
    curator.add_new_from("var_index")
    curator.cat.add_new_from("cell_type")
    assert curator.validate() is None

    artifact = curator.save_artifact(key=f"{unique('curated')}.h5ad")
    assert artifact.otype == "AnnData" and artifact.n_observations == 3
    slots = {link.slot: link.schema for link in ln.models.ArtifactSchema.objects.filter(artifact=artifact)}
    assert slots["obs"] == setup["obs"]
    inferred = slots["var"]
    assert inferred != var_schema and inferred.n == 3 and inferred.itype == "ULabel.name"
    var_schema.refresh_from_db()
    assert var_schema.n == 0  # the component itself is untouched
    labels = ln.models.ArtifactULabel.objects.filter(artifact=artifact)
    assert set(labels.values_list("ulabel__name", "feature__name")) == {
        (t_cell, "cell_type"), (typo, "cell_type"), (b_cell, "cell_type")
    }

    # the inferred var schema is one per set of var names
    same = ln.curators.AnnDataCurator(make_adata([b_cell], [*setup["genes"][:2], unknown_gene]), schema)
    other = ln.curators.AnnDataCurator(make_adata([b_cell], setup["genes"]), schema)
    same_artifact = same.save_artifact(key=f"{unique('same')}.h5ad")
    other_artifact = other.save_artifact(key=f"{unique('other')}.h5ad")
    assert same_artifact.schemas.get(links_artifact__slot="var") == inferred
    other_inferred = other_artifact.schemas.get(links_artifact__slot="var")
    assert other_inferred != inferred and other_inferred.n == 4


def test_var_index_against_feature_names_and_x_dtype(ln, setup):
    genes = [ln.Feature(name=unique("ENSG"), dtype=int).save() for _ in range(3)]
    var_schema = ln.Schema(itype=ln.Feature.name, dtype=int).save()
    schema = ln.Schema(otype="AnnData", components={"obs": setup["obs"], "var": var_schema}).save()
    names = [g.name for g in genes]
    error = error_of(ln.curators.AnnDataCurator(make_adata(setup["cells"], names, dtype="float32"), schema))
    assert str(error) == "X should have dtype int, but has float32"
    curator = ln.curators.AnnDataCurator(make_adata(setup["cells"], names[::-1], dtype="int64"), schema)
    with pytest.raises(ln.errors.ValidationError, match="Feature records need more than a name"):
        ln.curators.AnnDataCurator(make_adata(setup["cells"], ["nope"], dtype="int64"), schema).add_new_from("var_index")
    artifact = curator.save_artifact(key=f"{unique('features')}.h5ad")
    inferred = artifact.schemas.get(links_artifact__slot="var")
    assert list(inferred.ordered_features) == genes[::-1] and inferred.n == 3


def test_var_columns_and_standardized_var_index(ln, setup):
    gene_type = ln.Feature(name=unique("gene_type"), dtype=ln.ULabel).save()
    coding = ln.ULabel(name=unique("protein_coding")).save()
    gene = ln.ULabel(name=unique("CD8A"), synonyms=unique("CD8")).save()
    var_schema = ln.Schema(features=[gene_type], itype=ln.ULabel).save()
    schema = ln.Schema(otype="AnnData", components={"var": var_schema}).save()
    typo = unique("protein_codng")
    adata = make_adata(setup["cells"][:1], [gene.synonyms, gene.name.lower()], var={gene_type.name: [coding.name, typo]})
    curator = ln.curators.AnnDataCurator(adata, schema)
    error = error_of(curator)
    assert error.non_validated == {"var_index": [gene.synonyms, gene.name.lower()], f"var:{gene_type.name}": [typo]}
    assert f'.add_new_from("var:{gene_type.name}")' in str(error)
    assert f'standardize with .standardize("var_index")' in str(error)
    curator.standardize("var_index")
    assert list(adata.var_names) == [gene.name, gene.name]
    adata.var_names_make_unique()  # a user's fix for the duplicates standardizing made
    curator.add_new_from(f"var:{gene_type.name}")
    assert ln.ULabel.validate([typo], mute=True).all()


def test_anndata_schema_needs_components(ln, setup):
    with pytest.raises(ln.errors.ValidationError, match="components"):
        ln.curators.AnnDataCurator(make_adata(setup["cells"], setup["genes"]), setup["obs"])
    with pytest.raises(TypeError, match="AnnData object"):
        ln.curators.AnnDataCurator(pd.DataFrame(), setup["obs"])


def test_mudata_per_modality_components(ln, setup):
    import mudata

    batch = ln.Feature.filter(name="batch").first() or ln.Feature(name="batch", dtype=str).save()
    genes_schema = ln.Schema(itype=ln.ULabel.name).save()
    prot_schema = ln.Schema(otype="AnnData", components={"var": ln.Schema(itype=ln.ULabel).save()}).save()
    schema = ln.Schema(otype="MuData", components={
        "obs": ln.Schema(features=[batch]).save(),
        "rna:obs": setup["obs"],
        "rna:var": genes_schema,
        "prot": prot_schema,
    }).save()
    typo = unique("B cel")
    rna = make_adata([setup["cells"][0], typo], setup["genes"][:2])
    prot = make_adata([setup["cells"][0], setup["cells"][1]], setup["genes"][2:])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        mdata = mudata.MuData({"rna": rna, "prot": prot})
    mdata.obs["batch"] = ["b1", 2]
    curator = ln.curators.MuDataCurator(mdata, schema)
    assert set(curator.slots) == {"obs", "rna:obs", "rna:var", "prot:var"}
    error = error_of(curator)
    assert error.non_validated == {"batch": [2], "rna:obs:cell_type": [typo]}
    assert '.add_new_from("rna:obs:cell_type")' in str(error)
    mdata.obs["batch"] = ["b1", "b2"]
    curator.add_new_from("rna:obs:cell_type")
    assert curator.validate() is None
    artifact = curator.save_artifact(key=f"{unique('multi')}.h5mu")
    assert artifact.otype == "MuData" and artifact.n_observations == 2
    slots = dict(ln.models.ArtifactSchema.objects.filter(artifact=artifact).values_list("slot", "schema__n"))
    assert slots == {"obs": 1, "rna:obs": 2, "rna:var": 2, "prot:var": 2}
    assert set(artifact.ulabels.values_list("name", flat=True)) == {setup["cells"][0], typo}


def test_mudata_unknown_modality(ln, setup):
    import mudata

    schema = ln.Schema(otype="MuData", components={"atac:var": ln.Schema(itype=ln.ULabel).save()}).save()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        mdata = mudata.MuData({"rna": make_adata(setup["cells"], setup["genes"])})
    with pytest.raises(ln.errors.ValidationError, match="no modality 'atac'"):
        ln.curators.MuDataCurator(mdata, schema)
