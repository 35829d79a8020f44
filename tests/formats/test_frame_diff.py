"""Structured diffs of DataFrames and AnnData objects, compared with exact expected results."""

from __future__ import annotations

import anndata as ad
import numpy as np
import pandas as pd

from biolake.formats.frame_diff import CategoryChange, CellChange, diff_anndata, diff_frames


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {"gene": [1, 2, 3], "label": pd.Categorical(["DMSO", "IFNJ", "DMSO"]), "note": ["a", "b", "c"]},
        index=["s1", "s2", "s3"],
    )


def test_identical_frames_have_no_diff() -> None:
    result = diff_frames(_frame(), _frame())
    assert not result
    assert str(result) == "shape: 3 × 3 → 3 × 3\nno differences"


def test_renamed_category_is_a_rename_not_cell_changes() -> None:
    old = _frame()
    new = old.copy()
    new["label"] = new["label"].cat.rename_categories({"IFNJ": "IFNG"})
    result = diff_frames(old, new)
    assert result.categories == [CategoryChange("label", added=[], removed=[], renamed={"IFNJ": "IFNG"})]
    assert result.n_cells_changed == 0
    assert str(result) == "shape: 3 × 3 → 3 × 3\ncategories of 'label': renamed 'IFNJ' → 'IFNG'"


def test_added_and_removed_categories_columns_rows_dtypes_and_cells() -> None:
    old = _frame()
    new = pd.DataFrame(
        {"gene": [1.0, 20.0, 4.0], "label": pd.Categorical(["DMSO", "IFNG", "TNF"]), "extra": [0, 0, 0]},
        index=["s1", "s2", "s4"],
    )
    result = diff_frames(old, new)
    assert result.columns_added == ["extra"] and result.columns_removed == ["note"]
    assert result.dtypes_changed == {"gene": ("int64", "float64")}
    # IFNJ's only row (s2) now says IFNG, and only it: a rename; TNF is new
    assert result.categories == [CategoryChange("label", added=["TNF"], removed=[], renamed={"IFNJ": "IFNG"})]
    assert (result.rows_added, result.rows_removed) == (["s4"], ["s3"])
    assert result.cell_changes == [CellChange("s2", "gene", 2, 20.0)]
    assert (result.n_cells_changed, result.n_rows_changed) == (1, 1)
    assert str(result) == "\n".join([
        "shape: 3 × 3 → 3 × 3",
        "columns added: extra",
        "columns removed: note",
        "dtype of 'gene': int64 → float64",
        "categories of 'label': renamed 'IFNJ' → 'IFNG'; added 'TNF'",
        "rows added (1): s4",
        "rows removed (1): s3",
        "values changed: 1 in 1 row(s)",
        "  [s2, gene]: 2 → 20.0",
    ])


def test_a_category_split_in_two_is_not_a_rename() -> None:
    old = pd.DataFrame({"c": pd.Categorical(["x", "x"])}, index=["a", "b"])
    new = pd.DataFrame({"c": pd.Categorical(["y", "z"])}, index=["a", "b"])
    result = diff_frames(old, new)
    assert result.categories == [CategoryChange("c", added=["y", "z"], removed=["x"], renamed={})]
    assert [str(c) for c in result.cell_changes] == ["[a, c]: 'x' → 'y'", "[b, c]: 'x' → 'z'"]


def test_nan_equals_nan_and_listing_is_capped() -> None:
    old = pd.DataFrame({"v": [np.nan] + list(range(99))})
    new = pd.DataFrame({"v": [np.nan] + list(range(1, 100))})
    result = diff_frames(old, new, max_listed=3)
    assert result.n_cells_changed == 99 and len(result.cell_changes) == 3
    assert str(result).endswith("  ... and 96 more")


def test_large_frames_are_summarized() -> None:
    old = pd.DataFrame({"v": range(10)})
    new = pd.DataFrame({"v": range(5, 20)})
    result = diff_frames(old, new, row_limit=5)
    assert not result.cells_compared and result.n_cells_changed == 0
    assert (result.n_rows_added, result.n_rows_removed) == (5, 0)
    assert "values not compared" in str(result)


def test_anndata_diff() -> None:
    X = np.ones((3, 2), dtype=np.float32)
    obs = pd.DataFrame({"cell_type": pd.Categorical(["T", "B", "T"])}, index=["c1", "c2", "c3"])
    old = ad.AnnData(X, obs=obs, var=pd.DataFrame(index=["g1", "g2"]))
    new = ad.AnnData(np.ones((2, 3), dtype=np.float32), obs=obs.iloc[:2].assign(batch=1),
                     var=pd.DataFrame(index=["g1", "g2", "g3"]))
    new.layers["counts"] = new.X.copy()
    old.uns["old"] = 1
    result = diff_anndata(old, new)
    assert result.shape == ((3, 2), (2, 3))
    assert result.obs.columns_added == ["batch"] and result.obs.rows_removed == ["c3"]
    assert result.var.rows_added == ["g3"]
    assert result.keys_added == {"layers": ["counts"]} and result.keys_removed == {"uns": ["old"]}
    assert str(result) == "\n".join([
        "shape: 3 obs × 2 var → 2 obs × 3 var",
        "obs columns added: batch",
        "obs rows removed (1): c3",
        "var rows added (1): g3",
        "layers keys added: counts",
        "uns keys removed: old",
    ])
