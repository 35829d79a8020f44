"""mapped(): a dataset of cells over a sparse .h5ad, a dense .h5ad and a .zarr store."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import warnings

import anndata as ad
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from biolake.errors import PathNotFoundError, UnknownFormatError, ValidationError
from biolake.formats.mapped import _chunk_cache
from biolake.formats.mapped import MappedDataset, collate, mapped

GENES = [f"g{i}" for i in range(14)]


def _adata(n: int, genes: list[str], cell_types: list[str], sparse: bool, first_id: int, seed: int) -> ad.AnnData:
    rng = np.random.default_rng(seed)
    counts = sp.random(n, len(genes), density=0.3, format="csr", random_state=rng, dtype=np.float32)
    counts.data = np.ceil(counts.data * 10)
    obs = pd.DataFrame(
        {
            "cell_type": pd.Categorical(rng.choice(cell_types, n), categories=cell_types),
            "donor": rng.choice(["d1", "d2", "d3"], n).astype(object),
            "cell_id": np.arange(first_id, first_id + n),
        },
        index=[f"cell{i}" for i in range(first_id, first_id + n)],
    )
    adata = ad.AnnData(X=counts if sparse else counts.toarray(), obs=obs, var=pd.DataFrame(index=genes))
    adata.layers["counts"] = counts.toarray() * 2 if sparse else counts * 2
    return adata


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """Three stores with different, overlapping genes; returns their paths and AnnData objects."""
    folder = tmp_path_factory.mktemp("mapped")
    sparse = _adata(60, GENES[:10], ["T cell", "B cell"], sparse=True, first_id=0, seed=1)
    sparse.obs.loc[sparse.obs_names[3], "cell_type"] = np.nan  # one missing label
    sparse.obs["sample"] = "s1"  # only in this store
    dense = _adata(50, GENES[3:13], ["NK cell", "T cell"], sparse=False, first_id=100, seed=2)
    zarr = _adata(40, GENES[2:12][::-1], ["B cell", "Monocyte"], sparse=True, first_id=200, seed=3)
    paths = [folder / "sparse.h5ad", folder / "dense.h5ad", folder / "store.zarr"]
    sparse.write_h5ad(paths[0])
    dense.write_h5ad(paths[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        zarr.write_zarr(paths[2])
    return paths, [sparse, dense, zarr]


def _concat(adatas, join):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ad.concat(adatas, join=join)


def _dense(matrix):
    return matrix.toarray() if sp.issparse(matrix) else np.asarray(matrix)


@pytest.mark.parametrize("join", ["inner", "outer"])
def test_rows_equal_anndata_concat(stores, join):
    paths, adatas = stores
    expected = _concat(adatas, join)
    ds = mapped(paths, obs_keys=["cell_type"], join=join)
    assert len(ds) == 150 == expected.n_obs
    assert ds.n_obs_list == [60, 50, 40]
    assert list(ds.var_joint) == list(expected.var_names)
    x = _dense(expected.X)
    for i in range(len(ds)):
        item = ds[i]
        np.testing.assert_array_equal(item["X"], x[i])
        assert item["X"].dtype == np.float32
    assert [ds[i]["_store_idx"] for i in (0, 59, 60, 109, 110, 149)] == [0, 0, 1, 1, 2, 2]
    np.testing.assert_array_equal(ds[-1]["X"], x[-1])
    with pytest.raises(IndexError):
        ds[150]


def test_inner_join_keeps_common_genes_in_first_order(stores):
    paths, adatas = stores
    ds = mapped(paths, join="inner")
    assert list(ds.var_joint) == GENES[3:10]
    zarr = adatas[2]
    row = ds[110 + 5]["X"]  # cell 5 of the zarr store (genes reversed there)
    for position, gene in enumerate(ds.var_joint):
        assert row[position] == _dense(zarr[5, gene].X)[0, 0]


def test_outer_join_fills_zeros_at_missing_genes(stores):
    paths, adatas = stores
    ds = mapped(paths, join="outer")
    assert list(ds.var_joint) == sorted(GENES[:13])
    missing_in_dense = [ds.var_joint.get_loc(gene) for gene in ("g0", "g1", "g2")]
    for i in range(60, 110):
        assert not ds[i]["X"][missing_in_dense].any()
    first = _dense(adatas[0].X)[7]
    np.testing.assert_array_equal(ds[7]["X"][: len(GENES[:10])], first)


def test_join_none_needs_identical_vars(stores):
    paths, adatas = stores
    ds = mapped([paths[0], paths[0]], join=None)
    assert len(ds) == 120
    np.testing.assert_array_equal(ds[60]["X"], ds[0]["X"])
    with pytest.raises(ValidationError, match="join=None needs identical var names.*dense.h5ad"):
        mapped(paths[:2], join=None)


def test_labels_encoded_consistently(stores):
    paths, adatas = stores
    ds = mapped(paths, obs_keys=["cell_type", "donor"])
    assert ds.encoders["cell_type"] == {"T cell": 0, "B cell": 1, "NK cell": 2, "Monocyte": 3}
    assert ds.get_merged_categories("cell_type") == ["T cell", "B cell", "NK cell", "Monocyte"]
    assert set(ds.encoders["donor"]) == {"d1", "d2", "d3"}
    expected = pd.concat([adata.obs for adata in adatas])
    codes = [ds[i]["cell_type"] for i in range(len(ds))]
    assert codes == [ds.encoders["cell_type"].get(label, -1) for label in expected["cell_type"].astype(object)]
    assert codes[3] == -1  # the missing label
    merged = ds.get_merged_labels("cell_type")
    assert list(merged[4:]) == list(expected["cell_type"].astype(object)[4:])
    assert pd.isna(merged[3])
    assert list(ds.get_merged_labels("donor")) == list(expected["donor"])


def test_raw_labels_when_not_encoded(stores):
    paths, _ = stores
    ds = mapped(paths, obs_keys=["cell_type", "cell_id"], encode_labels=["cell_type"])
    assert ds[61]["cell_id"] == 101
    assert isinstance(ds[0]["cell_type"], int)
    raw = mapped(paths, obs_keys="cell_type", encode_labels=False)
    assert raw.encoders == {}
    assert raw[0]["cell_type"] in {"T cell", "B cell"}
    with pytest.raises(ValueError, match="not in obs_keys"):
        mapped(paths, obs_keys="cell_type", encode_labels=["donor"])


def test_cache_categories_false_reads_the_same_labels(stores):
    paths, _ = stores
    cached = mapped(paths, obs_keys=["cell_type", "donor", "cell_id"], encode_labels=["cell_type", "donor"])
    lazy = mapped(paths, obs_keys=["cell_type", "donor", "cell_id"], encode_labels=["cell_type", "donor"], cache_categories=False)
    for i in range(len(cached)):
        assert cached[i]["cell_type"] == lazy[i]["cell_type"]
        assert cached[i]["donor"] == lazy[i]["donor"]
        assert cached[i]["cell_id"] == lazy[i]["cell_id"]
    unshuffled = next(lazy.iter_batches(150, shuffle=False))
    np.testing.assert_array_equal(unshuffled["cell_type"], [cached[i]["cell_type"] for i in range(150)])
    np.testing.assert_array_equal(lazy.get_label_weights("cell_type"), cached.get_label_weights("cell_type"))
    numbers = mapped(paths, obs_keys="cell_id", cache_categories=False)
    assert numbers[61]["cell_id"] == numbers.encoders["cell_id"][101]


def test_label_weights_inverse_to_class_frequency(stores):
    paths, _ = stores
    ds = mapped(paths, obs_keys=["cell_type", "donor"])
    weights = ds.get_label_weights("cell_type")
    labels = np.array([ds[i]["cell_type"] for i in range(len(ds))])
    assert weights.shape == (len(ds),)
    classes, counts = np.unique(labels, return_counts=True)
    assert weights.sum() == pytest.approx(len(classes))
    for label, count in zip(classes, counts):
        np.testing.assert_allclose(weights[labels == label], 1 / count)
    combined = ds.get_label_weights(["cell_type", "donor"])
    donors = np.array([ds[i]["donor"] for i in range(len(ds))])
    assert combined.sum() == pytest.approx(len({*zip(labels, donors)}))
    assert np.allclose(ds.get_label_weights("cell_id"), 1.0)  # not in obs_keys: read on demand


def test_obs_filter_keeps_matching_cells(stores):
    paths, adatas = stores
    wanted = ["T cell", "B cell"]
    ds = mapped(paths, obs_keys=["cell_type", "cell_id"], encode_labels=["cell_type"], obs_filter={"cell_type": wanted})
    obs = pd.concat([adata.obs for adata in adatas])
    kept = obs[obs["cell_type"].isin(wanted)]
    assert len(ds) == len(kept)
    assert [ds[i]["cell_id"] for i in range(len(ds))] == list(kept["cell_id"])
    assert {ds.get_merged_categories("cell_type")[ds[i]["cell_type"]] for i in range(len(ds))} == set(wanted)
    x = _dense(_concat(adatas, "inner")[kept.index].X)
    np.testing.assert_array_equal(np.stack([ds[i]["X"] for i in range(len(ds))]), x)
    assert len(ds.get_label_weights("cell_type")) == len(ds)
    both = mapped(paths, obs_filter={"cell_type": "T cell", "donor": pd.Index(["d1", "d2"])})
    assert len(both) == (obs["cell_type"].eq("T cell") & obs["donor"].isin(["d1", "d2"])).sum()
    assert len(mapped(paths, obs_filter={"cell_type": "Neuron"})) == 0
    with pytest.raises(ValidationError, match="obs_filter key 'tissue'"):
        mapped(paths, obs_filter={"tissue": "lung"})


def test_dtype_and_layers(stores):
    paths, adatas = stores
    ds = mapped(paths, layers_keys=["X", "counts"], dtype="float64")
    item = ds[65]
    assert item["X"].dtype == item["counts"].dtype == np.float64
    np.testing.assert_array_equal(item["counts"], 2 * item["X"])
    native = mapped(paths[:1], dtype=None)
    assert native[0]["X"].dtype == adatas[0].X.dtype
    assert mapped(paths[:1], dtype="int32")[0]["X"].dtype == np.int32


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_zarr_formats(tmp_path, zarr_format):
    adata = _adata(30, GENES[:6], ["a", "b"], sparse=True, first_id=0, seed=4)
    adata.layers["dense"] = adata.X.toarray()
    adata.obs["size"] = pd.array(np.arange(30), dtype="Int64")  # stored as 'nullable-integer'
    with ad.settings.override(zarr_write_format=zarr_format), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        adata.write_zarr(tmp_path / "s.zarr")
    ds = mapped([tmp_path / "s.zarr"], obs_keys=["cell_type", "donor"], layers_keys=["X", "dense"], encode_labels=["cell_type"])
    for i in (0, 13, 29):
        np.testing.assert_array_equal(ds[i]["X"], adata.X[i].toarray()[0])
        np.testing.assert_array_equal(ds[i]["dense"], ds[i]["X"])
        assert ds[i]["donor"] == adata.obs["donor"].iloc[i]
    assert ds.encoders["cell_type"] == {"a": 0, "b": 1}
    batch = collate(next(ds.iter_batches(30, shuffle=False)))
    assert list(batch["donor"]) == list(adata.obs["donor"])  # strings stay strings, with or without torch
    lazy = mapped([tmp_path / "s.zarr"], obs_keys=["size", "cell_type"], encode_labels=False, cache_categories=False)
    assert (lazy[7]["size"], lazy[7]["cell_type"]) == (7, adata.obs["cell_type"].iloc[7])


def test_items_do_not_share_cached_chunks(stores):
    paths, _ = stores
    _chunk_cache.CACHE.clear()
    ds = mapped(paths[2:], layers_keys=["counts"])
    item = ds[0]["counts"]
    item[:] = -1
    assert (ds[0]["counts"] >= 0).all()


def test_iter_batches_cover_every_cell_once_shuffled(stores):
    paths, _ = stores
    ds = mapped(paths, obs_keys=["cell_id"], encode_labels=False, join="outer")
    by_id = {ds[i]["cell_id"]: ds[i]["X"] for i in range(len(ds))}
    batches = list(ds.iter_batches(16, block_size=8, window=3, seed=0))
    assert [len(batch["cell_id"]) for batch in batches] == [16] * 9 + [6]
    ids = np.concatenate([batch["cell_id"] for batch in batches])
    assert sorted(ids) == sorted(by_id)
    in_order = [ds[i]["cell_id"] for i in range(len(ds))]
    assert list(ids) != in_order
    for batch in batches:
        assert batch["X"].shape == (len(batch["cell_id"]), len(ds.var_joint))
        assert batch["X"].dtype == np.float32 and batch["_store_idx"].dtype == np.int64
        for cell_id, row in zip(batch["cell_id"], batch["X"]):
            np.testing.assert_array_equal(row, by_id[cell_id])
    again = np.concatenate([batch["cell_id"] for batch in ds.iter_batches(16, block_size=8, window=3, seed=0)])
    other = np.concatenate([batch["cell_id"] for batch in ds.iter_batches(16, block_size=8, window=3, seed=1)])
    np.testing.assert_array_equal(ids, again)
    assert list(ids) != list(other)
    assert sum(len(b["cell_id"]) for b in ds.iter_batches(16, drop_last=True, seed=0)) == 144


def test_iter_batches_unshuffled_follow_dataset_order(stores):
    paths, _ = stores
    ds = mapped(paths, obs_keys=["cell_type"], layers_keys=["X", "counts"], obs_filter={"donor": ["d1", "d3"]})
    batches = list(ds.iter_batches(10, shuffle=False, block_size=7))
    for key in ("X", "counts", "cell_type", "_store_idx"):
        stacked = np.concatenate([batch[key] for batch in batches])
        np.testing.assert_array_equal(stacked, np.stack([np.asarray(ds[i][key]) for i in range(len(ds))]))


def test_iter_batches_with_filter_shuffled(stores):
    paths, _ = stores
    ds = mapped(paths, obs_keys=["cell_id"], encode_labels=False, obs_filter={"cell_type": ["B cell"]})
    expected = sorted(ds[i]["cell_id"] for i in range(len(ds)))
    got = np.concatenate([batch["cell_id"] for batch in ds.iter_batches(5, block_size=4, window=2, seed=3)])
    assert sorted(got) == expected


def test_errors_are_clear(stores, tmp_path):
    paths, adatas = stores
    with pytest.raises(ValidationError, match="'dense.h5ad' has no obs column \\['sample'\\]; 'store.zarr'") as info:
        mapped(paths, obs_keys=["cell_type", "sample"])
    assert info.value.non_validated == {"obs_keys": ["sample"]}
    assert len(mapped(paths[:1], obs_keys="sample")) == 60
    (tmp_path / "table.csv").write_text("a\n1\n")
    with pytest.raises(UnknownFormatError, match="reads .h5ad files and .zarr stores"):
        mapped([tmp_path / "table.csv"])
    with pytest.raises(PathNotFoundError):
        mapped([tmp_path / "missing.h5ad"])
    with pytest.raises(ValidationError, match="has no layers/spliced"):
        mapped(paths, layers_keys="spliced")
    csc = adatas[0].copy()
    csc.X = sp.csc_matrix(csc.X)
    csc.write_h5ad(tmp_path / "csc.h5ad")
    with pytest.raises(UnknownFormatError, match="csc_matrix.*store it as CSR"):
        mapped([tmp_path / "csc.h5ad"])
    with pytest.raises(ValueError, match="used twice"):
        mapped(paths, obs_keys=["X"])
    with pytest.raises(ValueError, match="join must be"):
        mapped([paths[0], paths[0]], join="left")


def test_pickle_drops_open_handles(stores):
    paths, _ = stores
    ds = mapped(paths, obs_keys="cell_type")
    first = ds[0]
    assert all(source._root is not None for source in ds._sources)
    copy = pickle.loads(pickle.dumps(ds))
    assert type(copy) is type(ds)
    assert all(source._root is None for source in copy._sources)
    np.testing.assert_array_equal(copy[0]["X"], first["X"])
    assert copy.encoders == ds.encoders


def test_reopens_after_fork(stores):
    paths, _ = stores
    ds = mapped(paths)
    expected = [ds[i]["X"] for i in (0, 70, 120)]
    pid = os.fork()
    if pid == 0:  # child: handles from the parent must not be used
        code = 0
        try:
            rows = [ds[i]["X"] for i in (0, 70, 120)]
            code = 0 if all(np.array_equal(a, b) for a, b in zip(rows, expected)) else 1
            code = code or int(ds._sources[0]._pid != os.getpid())
        except BaseException:
            code = 2
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    np.testing.assert_array_equal(ds[0]["X"], expected[0])


def test_close_and_context_manager(stores):
    paths, _ = stores
    with mapped(paths) as ds:
        row = ds[0]["X"]
        assert ds._sources[0]._root is not None
    assert all(source._root is None for source in ds._sources)
    np.testing.assert_array_equal(ds[0]["X"], row)  # reopened on use
    ds.close()
    assert "MappedDataset(n_obs=150, n_vars=7, stores=3" in repr(ds)


# -- torch ----------------------------------------------------------------------------


def test_is_a_torch_dataset_when_torch_is_installed(stores):
    torch = pytest.importorskip("torch")
    paths, _ = stores
    ds = mapped(paths, obs_keys="cell_type")
    assert isinstance(ds, torch.utils.data.Dataset)
    assert isinstance(ds, MappedDataset)
    tensors = collate([ds[0], ds[1]])
    assert tensors["X"].shape == (2, 7) and tensors["X"].dtype == torch.float32
    assert tensors["cell_type"].dtype == torch.int64
    batch = collate(next(ds.iter_batches(8, seed=0)))
    assert batch["X"].shape == (8, 7) and batch["_store_idx"].dtype == torch.int64


@pytest.mark.parametrize("context", ["fork", "spawn"])
def test_dataloader_with_two_workers(stores, context):
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader, WeightedRandomSampler

    paths, _ = stores
    ds = mapped(paths, obs_keys=["cell_type", "cell_id"], encode_labels=["cell_type"], join="outer")
    ds[0]  # handles open in the parent before the workers start
    loader = DataLoader(ds, batch_size=16, num_workers=2, multiprocessing_context=context)
    batches = list(loader)
    ids = torch.cat([batch["cell_id"] for batch in batches])
    assert ids.tolist() == [ds[i]["cell_id"] for i in range(len(ds))]
    x = torch.cat([batch["X"] for batch in batches])
    np.testing.assert_array_equal(x.numpy(), np.stack([ds[i]["X"] for i in range(len(ds))]))
    if context == "fork":
        sampler = WeightedRandomSampler(ds.get_label_weights("cell_type"), num_samples=len(ds))
        sampled = list(DataLoader(ds, batch_size=32, sampler=sampler, num_workers=2, multiprocessing_context=context))
        assert sum(len(batch["cell_type"]) for batch in sampled) == len(ds)
        assert sampled[0]["X"].shape == (32, len(ds.var_joint))


def test_works_without_torch(stores):
    paths, _ = stores
    script = f"""
import sys
sys.modules["torch"] = None  # makes `import torch` raise ImportError
from biolake.formats.mapped import MappedDataset, collate, mapped
ds = mapped({[str(p) for p in paths]!r}, obs_keys="cell_type")
assert [c.__name__ for c in MappedDataset.__mro__] == ["MappedDataset", "MappedCore", "object"], MappedDataset.__mro__
batch = collate([ds[0], ds[1]])
assert type(batch["X"]).__name__ == "ndarray" and batch["X"].shape == (2, 7)
assert len(list(ds.iter_batches(50))) == 3
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_import_loads_no_heavy_module():
    script = (
        "import sys, biolake.formats, biolake.formats.mapped;"
        "print(sorted(m for m in ('torch', 'numpy', 'anndata', 'h5py', 'zarr', 'pandas') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
