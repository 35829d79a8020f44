"""The example datasets: exact values, dtypes and metadata."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import anndata as ad
import numpy as np
import pandas as pd
import pytest

import biolake.core

GENES1 = ["ENSG00000153563", "ENSG00000010610", "ENSG00000170458"]
METADATA1 = {
    "temperature": 21.6,
    "experiment": "Experiment 1",
    "date_of_study": "2024-12-01",
    "study_note": "We had a great time performing this study and the results look compelling.",
}


def test_datasets_reachable_lazily():
    code = "import sys, biolake.core as c; assert 'pandas' not in sys.modules; c.datasets; print('ok')"
    src = str(Path(biolake.core.__file__).parents[2])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"PYTHONPATH": src})
    assert out.stdout.strip() == "ok", out.stderr
    assert "datasets" in dir(biolake.core)
    with pytest.raises(AttributeError):
        biolake.core.nothing_here  # noqa: B018


def test_small_dataset1_dataframe():
    df = biolake.core.datasets.small_dataset1()
    assert df.index.tolist() == ["sample1", "sample2", "sample3"]
    assert df.columns.tolist() == [
        *GENES1,
        "perturbation",
        "sample_note",
        "cell_type_by_expert",
        "cell_type_by_model",
        "assay_oid",
        "concentration",
        "treatment_time_h",
        "donor",
    ]
    assert df["ENSG00000153563"].tolist() == [1, 2, 3]
    assert df["ENSG00000010610"].tolist() == [3, 4, 5]
    assert df["ENSG00000170458"].tolist() == [5, 6, 7]
    assert df["perturbation"].tolist() == ["DMSO", "IFNG", "DMSO"]
    assert df["sample_note"].tolist() == ["was ok", "looks naah", "pretty! 🤩"]
    assert df["cell_type_by_expert"].tolist() == [
        "B cell",
        "CD8-positive, alpha-beta T cell",
        "CD8-positive, alpha-beta T cell",
    ]
    assert df["cell_type_by_model"].tolist() == ["B cell", "T cell", "T cell"]
    assert df["assay_oid"].tolist() == ["EFO:0008913"] * 3
    assert df["concentration"].tolist() == ["0.1%", "200 nM", "0.1%"]
    assert df["treatment_time_h"].tolist() == [24, 24, 6]
    assert df["donor"].tolist() == ["D0001", "D0002", None]
    for column in ("perturbation", "cell_type_by_expert", "cell_type_by_model", "assay_oid"):
        assert isinstance(df[column].dtype, pd.CategoricalDtype), column
    for column in (*GENES1, "treatment_time_h"):
        assert df[column].dtype == np.int64
    for column in ("sample_note", "concentration", "donor"):
        assert df[column].dtype == object
    assert df.attrs == METADATA1


def test_small_dataset1_options():
    df = biolake.core.datasets.small_dataset1(with_typo=True, gene_symbols_in_index=True)
    assert df["perturbation"].tolist() == ["DMSO", "IFNJ", "DMSO"]
    assert df.columns[:3].tolist() == ["CD8A", "CD4", "CD14"]


def test_small_dataset1_anndata():
    adata = biolake.core.datasets.small_dataset1(otype="AnnData")
    assert isinstance(adata, ad.AnnData)
    assert adata.obs_names.tolist() == ["sample1", "sample2", "sample3"]
    assert adata.var_names.tolist() == GENES1
    np.testing.assert_array_equal(adata.X, np.array([[1, 3, 5], [2, 4, 6], [3, 5, 7]]))
    assert adata.obs.columns.tolist() == [
        "perturbation",
        "sample_note",
        "cell_type_by_expert",
        "cell_type_by_model",
        "assay_oid",
        "concentration",
        "treatment_time_h",
        "donor",
    ]
    assert isinstance(adata.obs["perturbation"].dtype, pd.CategoricalDtype)
    assert adata.obs["donor"].tolist() == ["D0001", "D0002", None]
    assert dict(adata.uns) == METADATA1
    symbols = biolake.core.datasets.small_dataset1(otype="AnnData", gene_symbols_in_index=True)
    assert symbols.var_names.tolist() == ["CD8A", "CD4", "CD14"]


def test_small_dataset2():
    df = biolake.core.datasets.small_dataset2()
    assert df.index.tolist() == ["sample4", "sample5", "sample6"]
    assert df.columns.tolist() == [
        "ENSG00000153563",
        "ENSG00000010610",
        "ENSG00000004468",
        "perturbation",
        "cell_type_by_model",
    ]
    assert df["ENSG00000153563"].tolist() == [2, 3, 3]
    assert df["ENSG00000010610"].tolist() == [3, 4, 5]
    assert df["ENSG00000004468"].tolist() == [4, 2, 3]
    assert df["perturbation"].tolist() == ["DMSO", "IFNG", "IFNG"]
    assert df["cell_type_by_model"].tolist() == ["B cell", "T cell", "T cell"]
    assert isinstance(df["perturbation"].dtype, pd.CategoricalDtype)
    assert df.attrs == {"temperature": 22.6, "experiment": "Experiment 2"}
    adata = biolake.core.datasets.small_dataset2(otype="AnnData")
    assert adata.var_names.tolist() == ["ENSG00000153563", "ENSG00000010610", "ENSG00000004468"]
    assert adata.obs.columns.tolist() == ["perturbation", "cell_type_by_model"]
    assert dict(adata.uns) == {"temperature": 22.6, "experiment": "Experiment 2"}


def test_small_dataset_bad_otype():
    with pytest.raises(ValueError, match="otype"):
        biolake.core.datasets.small_dataset1(otype="MuData")  # type: ignore[arg-type]


def test_anndata_with_obs():
    adata = biolake.core.datasets.anndata_with_obs()
    assert adata.shape == (40, 100)
    assert isinstance(adata.obs["cell_type"].dtype, pd.CategoricalDtype)
    assert adata.obs_names.is_unique and adata.var_names.is_unique
    again = biolake.core.datasets.anndata_with_obs()
    np.testing.assert_array_equal(adata.X, again.X)
    assert biolake.core.datasets.anndata_with_obs(n_obs=5, n_vars=3).shape == (5, 3)


def test_datasets_round_trip_through_formats(tmp_path):
    import biolake.formats as formats

    df = biolake.core.datasets.small_dataset1()
    path = tmp_path / "d.parquet"
    formats.write(df, path, formats.default_suffix("DataFrame"))
    loaded = formats.load(path)
    pd.testing.assert_frame_equal(loaded, df)
    assert loaded.attrs == df.attrs
    adata = biolake.core.datasets.small_dataset1(otype="AnnData")
    h5ad = tmp_path / "d.h5ad"
    formats.write(adata, h5ad, ".h5ad")
    back = formats.load(h5ad)
    pd.testing.assert_frame_equal(back.obs, adata.obs)
    assert dict(back.uns) == dict(adata.uns)


def test_file_bam_is_a_valid_alignment_file(tmp_path, monkeypatch):
    import pysam  # a dev dependency: the reader that bioinformatics pipelines use

    monkeypatch.chdir(tmp_path)
    path = biolake.core.datasets.file_bam()
    with pysam.AlignmentFile(str(path), "rb") as bam:
        assert bam.header.to_dict()["SQ"] == [{"SN": "chr_mini", "LN": 100}]
        reads = [(r.query_name, r.reference_start, r.cigarstring, r.query_sequence) for r in bam]
    assert reads == [("read1", 10, "10M", "ACGTACGTAC"), ("read2", 42, "10M", "TTGACCAGTA")]
