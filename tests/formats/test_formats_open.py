"""open(): backed and lazy access, local and through fsspec."""

from __future__ import annotations

import anndata as ad
import h5py
import numpy as np
import pandas as pd
import pyarrow.dataset as pads
import pytest

import biolake.formats as formats
from biolake.errors import UnknownFormatError


@pytest.fixture
def parquet_file(tmp_path):
    path = tmp_path / "t.parquet"
    pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]}).to_parquet(path)
    return path


def test_open_parquet_file(parquet_file):
    dataset = formats.open(parquet_file, ".parquet")
    assert isinstance(dataset, pads.Dataset)
    assert dataset.count_rows() == 3
    assert dataset.to_table(filter=pads.field("a") > 1).column("b").to_pylist() == ["y", "z"]


def test_open_parquet_folder(tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    pd.DataFrame({"a": [1, 2]}).to_parquet(folder / "p0.parquet")
    pd.DataFrame({"a": [3]}).to_parquet(folder / "p1.parquet")
    (folder / "_SUCCESS").write_text("")
    for suffix in ("", ".parquet"):
        dataset = formats.open(folder, suffix)
        assert isinstance(dataset, pads.Dataset)
        assert dataset.count_rows() == 3


def test_open_folder_that_is_not_parquet(tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "a.png").write_bytes(b"")
    with pytest.raises(UnknownFormatError, match="only parquet"):
        formats.open(folder, "")


def test_open_parquet_remote_upath(parquet_file):
    from upath import UPath

    remote = UPath("memory://biolake-test-open/t.parquet")
    remote.write_bytes(parquet_file.read_bytes())
    try:
        dataset = formats.open(remote, ".parquet")
        assert isinstance(dataset, pads.Dataset)
        assert dataset.to_table().column("a").to_pylist() == [1, 2, 3]
    finally:
        remote.fs.rm(remote.path)


def test_open_h5ad_backed(tmp_path):
    adata = ad.AnnData(np.arange(6, dtype=np.float32).reshape(3, 2))
    path = tmp_path / "a.h5ad"
    adata.write_h5ad(path)
    backed = formats.open(path, ".h5ad")
    try:
        assert isinstance(backed, ad.AnnData)
        assert backed.isbacked
        assert formats.n_observations(backed) == 3
        np.testing.assert_array_equal(backed.X[1:2], adata.X[1:2])
    finally:
        backed.file.close()


def test_open_h5ad_remote_refused():
    from upath import UPath

    with pytest.raises(UnknownFormatError, match=r"\.cache\(\)"):
        formats.open(UPath("memory://bucket/a.h5ad"), ".h5ad")


def test_open_zarr_group(tmp_path):
    import zarr

    adata = ad.AnnData(np.ones((3, 2), dtype=np.float32), obs=pd.DataFrame({"k": ["a", "b", "c"]}, index=["c0", "c1", "c2"]))
    path = tmp_path / "a.zarr"
    formats.write(adata, path, ".zarr")
    group = formats.open(path, ".zarr")
    assert isinstance(group, zarr.Group)
    assert group.attrs["encoding-type"] == "anndata"
    assert group["X"].shape == (3, 2)
    obs = ad.io.read_elem(group["obs"])
    assert obs["k"].tolist() == ["a", "b", "c"]


def test_open_h5(tmp_path):
    path = tmp_path / "d.h5"
    with h5py.File(path, "w") as f:
        f["values"] = np.arange(4)
    assert formats.load(path) == path
    with formats.open(path, ".h5") as f:
        assert isinstance(f, h5py.File)
        assert f.mode == "r"
        assert f["values"][:].tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize("suffix", [".csv", ".png", ".xyz", ".json"])
def test_open_unsupported(tmp_path, suffix):
    with pytest.raises(UnknownFormatError) as excinfo:
        formats.open(tmp_path / f"x{suffix}", suffix)
    message = str(excinfo.value)
    assert f"'{suffix}'" in message
    for supported in (".parquet", ".h5ad", ".zarr", ".h5"):
        assert supported in message


def test_open_zarr_and_h5_remote(tmp_path):
    import zarr
    from upath import UPath

    local = tmp_path / "a.zarr"
    formats.write(ad.AnnData(np.ones((2, 2), dtype=np.float32)), local, ".zarr")
    h5 = tmp_path / "d.h5"
    with h5py.File(h5, "w") as f:
        f["values"] = np.arange(3)
    root = UPath("memory://biolake-test-open-remote")
    root.fs.put(str(local), f"{root.path}/a.zarr", recursive=True)
    root.fs.put(str(h5), f"{root.path}/d.h5")
    try:
        group = formats.open(root / "a.zarr", ".zarr")
        assert isinstance(group, zarr.Group)
        assert group["X"].shape == (2, 2)
        with formats.open(root / "d.h5", ".h5") as f:
            assert f["values"][:].tolist() == [0, 1, 2]
        assert formats.open("memory://biolake-test-open-remote/a.zarr", ".zarr")["X"].shape == (2, 2)
    finally:
        root.fs.rm(root.path, recursive=True)
