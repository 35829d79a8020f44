"""Ontology descendants and gene symbols in cell queries (bio module, SQLite and PostgreSQL)."""

from __future__ import annotations

import anndata as ad
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import biolake

T_CELLS = ["T cell", "CD8-positive, alpha-beta T cell", "mature T cell"]  # T cell and two descendants
OTHERS = ["B cell", "monocyte"]
GENES = {"ENSG00000153563": "CD8A", "ENSG00000010610": "CD4", "ENSG00000198851": "CD3E", "ENSG00000000003": "TSPAN6"}


def _adata(seed: int) -> ad.AnnData:
    rng = np.random.default_rng(seed)
    n = 60
    X = sp.random(n, len(GENES), density=0.5, format="csr", dtype=np.float32, random_state=seed)
    X.data = np.round(X.data * 10) + 1
    obs = pd.DataFrame({"cell_type": pd.Categorical(rng.choice(T_CELLS + OTHERS, n))}, index=[f"c{i}" for i in range(n)])
    return ad.AnnData(X, obs=obs, var=pd.DataFrame(index=list(GENES)))


@pytest.fixture
def bio_lake(bt):
    for name in ("T cell", "CD8-positive, alpha-beta T cell", "B cell", "monocyte"):
        bt.CellType.from_source(name=name).save()  # brings ancestors, "mature T cell" among them
    if not biolake.Artifact.filter(key__startswith="bio-cells/").exists():
        for seed in range(2):
            biolake.Artifact.from_anndata(_adata(seed), key=f"bio-cells/{seed}.h5ad").save()
    return biolake.Artifact.filter(key__startswith="bio-cells/").order_by("key")


def _loaded(artifacts) -> list[ad.AnnData]:
    return [a.load() for a in artifacts]


def test_include_children_matches_descendants(bt, bio_lake):
    adatas = _loaded(bio_lake)
    exact = sum(int((a.obs.cell_type == "T cell").sum()) for a in adatas)
    with_children = sum(int(a.obs.cell_type.isin(T_CELLS).sum()) for a in adatas)
    assert bio_lake.cells(cell_type="T cell").count() == exact
    assert bio_lake.cells(cell_type="T cell", include_children=True).count() == with_children > exact
    counts = bio_lake.cells(cell_type__in=["T cell"], include_children=True).count_by("cell_type")
    assert set(counts["cell_type"]) == set(T_CELLS)
    with pytest.raises(biolake.errors.ValidationError, match="'T cel' of obs column 'cell_type' is not a term of CellType"):
        bio_lake.cells(cell_type="T cel", include_children=True).count()


def test_genes_by_symbol_and_synonym_through_the_gene_registry(bt, bio_lake):
    adatas = _loaded(bio_lake)
    cells = bio_lake.cells(cell_type__in=T_CELLS)
    adata = cells.to_anndata(genes=["CD8", "CD4"], gene_field="symbol")  # CD8 is a synonym of CD8A
    assert list(adata.var_names) == ["CD8A", "CD4"]
    assert list(adata.var["ensembl_gene_id"]) == ["ENSG00000153563", "ENSG00000010610"]
    expected = np.vstack([a[a.obs.cell_type.isin(T_CELLS).to_numpy()][:, ["ENSG00000153563", "ENSG00000010610"]].X.toarray() for a in adatas])
    np.testing.assert_array_equal(adata.X.toarray(), expected)
    with pytest.raises(biolake.errors.GeneNotFoundError, match="'GAPDH' \\(in none of the 2 artifacts\\)"):
        cells.to_anndata(genes=["CD4", "GAPDH"], gene_field="symbol")
