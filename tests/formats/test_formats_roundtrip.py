"""write → load round trips for every writable format."""

from __future__ import annotations

import warnings

import anndata as ad
import numpy as np
import pandas as pd
import pytest

import biolake.formats as formats


@pytest.fixture
def df() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "cat": pd.Categorical(["a", "b", "a"], categories=["b", "a", "z"]),
            "ordered": pd.Categorical(["lo", "hi", "lo"], categories=["lo", "hi"], ordered=True),
            "nullable_int": pd.array([1, None, 3], dtype="Int64"),
            "nullable_bool": pd.array([True, None, False], dtype="boolean"),
            "string": pd.array(["x", None, "z"], dtype="string"),
            "obj": ["u", None, "w"],
            "float": [0.5, np.nan, 1.5],
            "when": pd.to_datetime(["2024-01-01", "2024-06-01", None]),
        },
        index=pd.Index(["s1", "s2", "s3"], name="sample"),
    )
    frame.attrs = {"temperature": 21.6, "experiment": "E1", "nested": {"k": [1, 2]}}
    return frame


def test_parquet_roundtrip(tmp_path, df):
    path = tmp_path / "t.parquet"
    formats.write(df, path, ".parquet")
    loaded = formats.load(path)
    pd.testing.assert_frame_equal(loaded, df)
    assert loaded.attrs == df.attrs
    assert list(loaded["cat"].cat.categories) == ["b", "a", "z"]
    assert loaded["ordered"].cat.ordered


@pytest.mark.parametrize(
    "index",
    [
        pd.RangeIndex(3),
        pd.RangeIndex(10, 13),
        pd.Index([3, 1, 2]),
        pd.MultiIndex.from_tuples([("a", 1), ("a", 2), ("b", 1)], names=["k", "n"]),
    ],
    ids=["range", "offset-range", "int", "multi"],
)
def test_parquet_keeps_index(tmp_path, index):
    frame = pd.DataFrame({"v": [1, 2, 3]}, index=index)
    path = tmp_path / "i.parquet"
    formats.write(frame, path, ".parquet")
    pd.testing.assert_frame_equal(formats.load(path), frame)


def test_parquet_attrs_made_json_safe(tmp_path):
    frame = pd.DataFrame({"v": [1]})
    frame.attrs = {"n": np.int64(3), "x": np.float32(0.5), "day": pd.Timestamp("2024-12-01"), "arr": np.arange(2)}
    path = tmp_path / "a.parquet"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        formats.write(frame, path, ".parquet")
    assert formats.load(path).attrs == {"n": 3, "x": 0.5, "day": "2024-12-01T00:00:00", "arr": [0, 1]}
    assert isinstance(frame.attrs["n"], np.int64)  # the caller's frame is untouched


def test_parquet_folder_load(tmp_path):
    folder = tmp_path / "parts.parquet"
    folder.mkdir()
    pd.DataFrame({"a": [1, 2]}).to_parquet(folder / "part-0.parquet")
    pd.DataFrame({"a": [3]}).to_parquet(folder / "part-1.parquet")
    assert formats.load(folder)["a"].tolist() == [1, 2, 3]


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".csv.gz", ".tsv.gz"])
def test_csv_roundtrip_with_index(tmp_path, suffix):
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y,z"]}, index=["r1", "r2"])
    path = tmp_path / f"t{suffix}"
    formats.write(frame, path, suffix)
    pd.testing.assert_frame_equal(formats.load(path), frame)
    if suffix.endswith(".gz"):
        assert path.read_bytes()[:2] == b"\x1f\x8b"
    elif suffix == ".tsv":
        assert "\t" in path.read_text()


def test_csv_default_index_not_written(tmp_path):
    frame = pd.DataFrame({"a": [1, 2], "b": [0.5, 1.0]})
    path = tmp_path / "t.csv"
    formats.write(frame, path, ".csv")
    assert path.read_text().splitlines()[0] == "a,b"
    pd.testing.assert_frame_equal(formats.load(path), frame)


def test_csv_first_column_kept_when_header_named(tmp_path):
    path = tmp_path / "external.csv"
    path.write_text("id,value\nx,1\ny,2\n")
    loaded = formats.load(path)
    assert list(loaded.columns) == ["id", "value"]
    assert formats.load(path, index_col="id").index.tolist() == ["x", "y"]


@pytest.fixture
def adata() -> ad.AnnData:
    obs = pd.DataFrame(
        {"cell_type": pd.Categorical(["T", "B", "T", "NK"]), "n": [1, 2, 3, 4]},
        index=[f"c{i}" for i in range(4)],
    )
    var = pd.DataFrame({"symbol": ["A", "B", "C"]}, index=["g1", "g2", "g3"])
    a = ad.AnnData(np.arange(12, dtype=np.float32).reshape(4, 3), obs=obs, var=var)
    a.uns["experiment"] = "E1"
    a.obsm["X_pca"] = np.ones((4, 2))
    a.layers["counts"] = a.X.copy()
    return a


def _assert_adata_equal(loaded: ad.AnnData, expected: ad.AnnData) -> None:
    np.testing.assert_array_equal(loaded.X, expected.X)
    pd.testing.assert_frame_equal(loaded.obs, expected.obs)
    pd.testing.assert_frame_equal(loaded.var, expected.var)
    assert loaded.uns["experiment"] == expected.uns["experiment"]
    np.testing.assert_array_equal(loaded.obsm["X_pca"], expected.obsm["X_pca"])
    np.testing.assert_array_equal(loaded.layers["counts"], expected.layers["counts"])


def test_h5ad_roundtrip(tmp_path, adata):
    path = tmp_path / "a.h5ad"
    formats.write(adata, path, ".h5ad")
    loaded = formats.load(path)
    assert isinstance(loaded, ad.AnnData)
    _assert_adata_equal(loaded, adata)


@pytest.mark.parametrize("suffix", [".zarr", ".anndata.zarr"])
def test_zarr_roundtrip(tmp_path, adata, suffix):
    path = tmp_path / f"a{suffix}"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        formats.write(adata, path, suffix)
    assert path.is_dir()
    loaded = formats.load(path)
    assert isinstance(loaded, ad.AnnData)
    _assert_adata_equal(loaded, adata)


def test_zarr_that_is_not_anndata_loads_as_path(tmp_path):
    import zarr

    path = tmp_path / "plain.zarr"
    group = zarr.open_group(str(path), mode="w")
    group.create_array("values", shape=(2,), dtype="i4")
    assert formats.load(path) == path


def test_h5mu_roundtrip(tmp_path, adata):
    mudata = pytest.importorskip("mudata")
    prot = ad.AnnData(np.ones((4, 2)), obs=pd.DataFrame(index=adata.obs_names))
    prot.var_names = ["p1", "p2"]
    path = tmp_path / "m.h5mu"
    with mudata.set_options(pull_on_update=False):
        mdata = mudata.MuData({"rna": adata, "prot": prot})
        assert formats.infer_otype(mdata) == "MuData"
        formats.write(mdata, path, ".h5mu")
        loaded = formats.load(path)
    assert isinstance(loaded, mudata.MuData)
    assert set(loaded.mod) == {"rna", "prot"}
    assert formats.n_observations(loaded) == 4
    np.testing.assert_array_equal(loaded["rna"].X, adata.X)
    assert loaded["rna"].obs["cell_type"].tolist() == adata.obs["cell_type"].tolist()


def test_parquet_fast_path_reads_what_pandas_reads(tmp_path):
    """A local parquet file read without options (straight through pyarrow) gives exactly
    what ``pandas.read_parquet`` gives: dtypes, index, attrs."""
    from biolake.formats.dataframe import load_parquet, write_parquet

    df = pd.DataFrame(
        {
            "f": [0.5, 1.5, None],
            "i": pd.array([1, None, 3], dtype="Int64"),
            "c": pd.Categorical(["x", "y", "x"]),
            "s": ["a", None, "c"],
            "t": pd.to_datetime(["2024-01-01", "2024-01-02", None]).tz_localize("UTC"),
            "b": [True, False, True],
        },
        index=pd.Index(["r1", "r2", "r3"], name="row"),
    )
    df.attrs = {"source": "test", "n": 3}
    path = tmp_path / "frame.parquet"
    write_parquet(df, path, ".parquet")
    fast = load_parquet(path, ".parquet")
    pd.testing.assert_frame_equal(fast, pd.read_parquet(path, engine="pyarrow"))
    pd.testing.assert_frame_equal(fast, df)
    assert fast.attrs == df.attrs
    assert load_parquet(path, ".parquet", columns=["f"]).columns.tolist() == ["f"]  # options: pandas' reader


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({f"c{c}": [c + r for r in range(3)] for c in range(5)}),
        pd.DataFrame(
            {"cat": pd.Categorical(["x", "y", "x"]), "n": pd.array([1, None, 3], dtype="Int64"), "t": pd.to_datetime(["2020-01-01"] * 3)},
            index=pd.Index(["r1", "r2", "r3"], name="id"),
        ),
        pd.DataFrame({"s": ["a", None, "c"], "f": [1.5, float("nan"), 2.0]}).set_axis(pd.RangeIndex(10, 13)),
    ],
    ids=["ints", "categorical-nullable-index", "strings-range-index"],
)
def test_parquet_written_by_biolake_is_byte_identical_to_pandas(frame, tmp_path):
    """The save path writes parquet through pyarrow directly: the bytes (and so the content hash,
    and the deduplication of the same frame saved before) are those of ``df.to_parquet``."""
    from biolake.formats import dataframe

    frame = frame.copy()
    frame.attrs = {"source": "unit test", "n": 3} if "s" in frame else {}
    frame.to_parquet(tmp_path / "pandas.parquet", engine="pyarrow")
    dataframe.write_parquet(frame, tmp_path / "biolake.parquet", ".parquet")
    assert (tmp_path / "biolake.parquet").read_bytes() == (tmp_path / "pandas.parquet").read_bytes()


def test_parquet_of_mixed_column_fails_as_pandas_fails_and_writes_nothing(tmp_path):
    from biolake.formats import dataframe

    frame = pd.DataFrame({"m": [1, "a", 2.5]})
    with pytest.raises(ValueError) as ours:
        dataframe.write_parquet(frame, tmp_path / "bad.parquet", ".parquet")
    with pytest.raises(ValueError) as theirs:
        frame.to_parquet(tmp_path / "bad2.parquet", engine="pyarrow")
    assert type(ours.value) is type(theirs.value) and str(ours.value) == str(theirs.value)
    assert not (tmp_path / "bad.parquet").exists()
