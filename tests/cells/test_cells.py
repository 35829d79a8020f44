"""Cell queries over obs index sidecars equal what loading every artifact in full gives
(SQLite and PostgreSQL; h5ad sparse and dense, zarr)."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from biolake.errors import GeneNotFoundError, InvalidArgument, StorageError, UnknownFormatError, ValidationError
from lake import full_obs, full_selection, make_adata


@pytest.fixture
def lake(ln):
    """Four AnnData artifacts (one dense, one zarr) under the key prefix ``cells/``."""
    if not ln.Artifact.filter(key__startswith="cells/").exists():
        ln.Artifact.from_anndata(make_adata(0), key="cells/a0.h5ad").save()
        ln.Artifact.from_anndata(make_adata(1, dense=True), key="cells/a1.h5ad").save()
        ln.Artifact.from_anndata(make_adata(2), key="cells/a2.zarr", format="zarr").save()
        ln.Artifact.from_anndata(make_adata(3, n=80), key="cells/a3.h5ad").save()
    return ln.Artifact.filter(key__startswith="cells/").order_by("key")


def test_saving_writes_the_index_and_keeps_it_out_of_artifacts(ln, lake):
    artifacts = list(lake)
    assert ln.Artifact.filter(key__startswith="cells/").count() == 4  # sidecars are not artifacts
    index = artifacts[0].obs_index
    assert index.n_obs == 120 and index.n_vars == 30
    assert index.path.exists() and index.var_path.exists()
    assert str(index.path).endswith(f".biolake/obs_index/{artifacts[0].uid}.parquet")
    assert set(index.columns) == {"cell_type", "tissue", "donor", "n_genes"}
    assert ln.Artifact.filter().count() == ln.Artifact.filter(otype="AnnData").count()


def test_counts_equal_loading_in_full(ln, lake):
    obs = full_obs(list(lake))
    cells = lake.cells(cell_type="T cell", tissue__in=["blood", "lung"])
    expected = obs[(obs.cell_type == "T cell") & obs.tissue.isin(["blood", "lung"])]
    assert cells.count() == len(expected) > 0
    by = cells.count_by("tissue", "donor")
    want = expected.groupby(["tissue", "donor"], observed=True).size()
    got = by.set_index(["tissue", "donor"])["count"]
    assert got.sort_index().to_dict() == want.sort_index().to_dict()
    assert list(by["count"]) == sorted(by["count"], reverse=True)
    assert lake.cells().count() == len(obs)


@pytest.mark.parametrize(
    ("filters", "mask"),
    [
        ({"donor__startswith": "D"}, lambda o: o.donor.str.startswith("D")),
        ({"n_genes__gt": 250, "cell_type__in": ["B cell", "monocyte"]}, lambda o: (o.n_genes > 250) & o.cell_type.isin(["B cell", "monocyte"])),
        ({"n_genes__lte": 100}, lambda o: o.n_genes <= 100),
        ({"cell_type__icontains": "t cell"}, lambda o: o.cell_type.str.lower().str.contains("t cell")),
        ({"tissue__ne": "blood"}, lambda o: o.tissue != "blood"),
    ],
)
def test_lookups_select_what_pandas_selects(ln, lake, filters, mask):
    obs = full_obs(list(lake))
    expected = obs[mask(obs).to_numpy()]
    got = lake.cells(**filters).to_dataframe()
    assert list(zip(got.artifact_uid, got.obs_name)) == list(zip(expected.artifact_uid, expected.obs_name))
    assert got["n_genes"].tolist() == expected["n_genes"].tolist()


def test_where_sql_and_bad_filters(ln, lake):
    obs = full_obs(list(lake))
    assert lake.cells(where="n_genes BETWEEN 10 AND 20").count() == int(obs.n_genes.between(10, 20).sum())
    with pytest.raises(ValidationError, match="No obs column 'celltype'.*cell_type"):
        lake.cells(celltype="T cell").count()
    with pytest.raises(InvalidArgument, match="__in takes a list|takes a list"):
        lake.cells(tissue__in="blood")
    with pytest.raises(InvalidArgument, match="not valid SQL over the obs columns.*nonexistent"):
        lake.cells(where="nonexistent > 3").count()
    with pytest.raises(InvalidArgument, match="Unknown lookup '__betwen'"):
        lake.cells(n_genes__betwen=3)


def test_sidecars_that_cannot_match_are_not_read(ln, lake):
    """The index record lists the values of text columns: ``tissue="liver"`` reads one sidecar only."""
    obs = full_obs(list(lake))
    lung = lake.get(key="cells/a1.h5ad")
    assert lung.obs_index.categories["tissue"] == ["lung"]
    lung.obs_index.path.rename(str(lung.obs_index.path) + ".away")
    try:
        assert lake.cells(tissue="liver").count() == int((obs.tissue == "liver").sum())
        assert lake.cells(tissue__in=["blood"], donor="D1").count() == int(((obs.tissue == "blood") & (obs.donor == "D1")).sum())
        with pytest.raises(StorageError, match="biolake index build --force"):
            lake.cells(donor="D1").count()
    finally:
        (lung.obs_index.path.parent / (lung.obs_index.path.name + ".away")).rename(lung.obs_index.path)


def test_to_anndata_reads_only_the_selected_cells_and_genes(ln, lake):
    artifacts = list(lake)
    genes = ["ENSG00000000003", "ENSG00000000017", "ENSG00000000029"]
    cells = lake.cells(cell_type__in=["T cell", "monocyte"], n_genes__gt=100)
    adata = cells.to_anndata(genes=genes)
    mask = lambda o: o.cell_type.isin(["T cell", "monocyte"]) & (o.n_genes > 100)  # noqa: E731
    expected = full_selection(artifacts, mask, genes)
    assert adata.shape == expected.shape and adata.n_obs == cells.count()
    np.testing.assert_array_equal(adata.X.toarray(), expected)
    assert list(adata.var_names) == genes
    assert set(adata.obs["artifact_uid"]) <= {a.uid for a in artifacts}
    # genes by symbol through the var column "symbol"
    by_symbol = cells.to_anndata(genes=["GENE3", "GENE17"], gene_field="symbol")
    np.testing.assert_array_equal(by_symbol.X.toarray(), expected[:, :2])


def test_missing_genes_are_reported_or_filled(ln, lake):
    cells = lake.cells(tissue="liver")
    with pytest.raises(GeneNotFoundError, match=r"'NOPE1' \(in none of the 1 artifacts\)") as error:
        cells.to_anndata(genes=["ENSG00000000003", "NOPE1"])
    assert error.value.missing == {"NOPE1": [lake.get(key="cells/a3.h5ad").uid]}
    filled = cells.to_anndata(genes=["ENSG00000000003", "NOPE1"], on_missing="fill")
    assert filled.shape == (cells.count(), 2) and filled.X[:, 1].nnz == 0


def test_mapped_covers_exactly_the_selected_cells(ln, lake):
    cells = lake.cells(cell_type="B cell", tissue="blood")
    frame = cells.to_dataframe()
    ds = cells.mapped(obs_keys=["cell_type"])
    assert len(ds) == len(frame) > 0
    decode = {code: label for label, code in ds.encoders["cell_type"].items()}
    assert {decode[ds[i]["cell_type"]] for i in range(len(ds))} == {"B cell"}
    expected = full_selection(list(lake), lambda o: (o.cell_type == "B cell") & (o.tissue == "blood"), list(make_adata(0).var_names))
    np.testing.assert_array_equal(np.stack([ds[i]["X"] for i in range(len(ds))]), expected)


def test_an_artifact_without_an_index_gets_one_on_demand(ln, lake):
    artifact = lake.get(key="cells/a0.h5ad")
    path = artifact.obs_index.path
    artifact.obs_index.delete()
    path.unlink()
    assert ln.Artifact.get(artifact.uid).__class__.objects.filter(pk=artifact.pk, obs_index__isnull=True).exists()
    obs = full_obs(list(lake))
    assert lake.cells(cell_type="T cell").count() == int((obs.cell_type == "T cell").sum())
    rebuilt = ln.Artifact.get(artifact.uid).obs_index
    assert rebuilt.path.exists() and rebuilt.n_obs == 120


def test_collection_cells_and_permanent_delete_removes_sidecars(ln, lake):
    artifacts = list(lake)[:2]
    collection = ln.Collection(artifacts, key="cells/two").save()
    obs = full_obs(artifacts)
    assert collection.cells(donor="E1").count() == int((obs.donor == "E1").sum())
    extra = ln.Artifact.from_anndata(make_adata(9, n=10), key="cells-extra/x.h5ad").save()
    sidecar = extra.obs_index.path
    extra.delete(permanent=True)
    assert not sidecar.exists()


def test_cli_counts_and_builds(ln, lake):
    from biolake.cli import main

    obs = full_obs(list(lake))
    runner = CliRunner()
    result = runner.invoke(main, ["cells", "count", "--where", "cell_type='T cell'", "--by", "tissue", "--key", "cells/"])
    assert result.exit_code == 0, result.output
    for tissue, n in obs[obs.cell_type == "T cell"].groupby("tissue").size().items():
        assert any(tissue in line and str(n) in line for line in result.output.splitlines())
    total = runner.invoke(main, ["cells", "count", "--where", "n_genes > 400", "--key", "cells/"])
    assert total.output.strip() == str(int((obs.n_genes > 400).sum()))
    built = runner.invoke(main, ["index", "build", "--force", "--key", "cells/"])
    assert built.exit_code == 0 and "4 artifact" in built.output


def test_mudata_artifacts_are_indexed_and_counted(ln, lake):
    mudata = pytest.importorskip("mudata")
    mdata = mudata.MuData({"rna": make_adata(5, n=30), "atac": make_adata(6, n=30)})
    artifact = ln.Artifact.from_mudata(mdata, key="cells-mu/m.h5mu").save()
    assert artifact.obs_index.n_obs == mdata.n_obs
    cells = ln.Artifact.filter(key="cells-mu/m.h5mu").cells(**{"rna:cell_type": "T cell"})
    assert cells.count() == int((mdata.obs["rna:cell_type"] == "T cell").sum())
    with pytest.raises(UnknownFormatError, match="reads AnnData artifacts"):
        cells.to_anndata(genes=["ENSG00000000001"])


def test_uncompressed_h5ad_rows_come_from_the_memory_map(ln, lake, monkeypatch):
    """A local, uncompressed .h5ad is read through its memory map (no block read of X); the
    same selection read block by block through h5py gives the same matrix."""
    from biolake.cells import matrix

    genes = ["ENSG00000000029", "ENSG00000000003"]  # not in stored order
    cells = lake.filter(key="cells/a0.h5ad").cells(n_genes__gt=50)
    read_blocks = matrix._read_rows

    def refuse(*args, **kwargs):
        raise AssertionError("X read block by block although the file is memory-mapped")

    monkeypatch.setattr(matrix, "_read_rows", refuse)
    mapped = cells.to_anndata(genes=genes)
    monkeypatch.setattr(matrix, "_read_rows", read_blocks)
    monkeypatch.setattr(matrix, "_memory_mapped", lambda group, indptr: None)
    blocks = cells.to_anndata(genes=genes)
    assert mapped.shape == blocks.shape and mapped.n_obs > 0
    np.testing.assert_array_equal(mapped.X.toarray(), blocks.X.toarray())
    expected = full_selection(list(lake.filter(key="cells/a0.h5ad")), lambda o: o.n_genes > 50, genes)
    np.testing.assert_array_equal(mapped.X.toarray(), expected)
